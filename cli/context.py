"""The context every command shares: the store, the acting person, the ledger opened on demand."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from domain.errors import InvalidValue
from domain.store import shown_url, store_env

if TYPE_CHECKING:  # imported when a command opens the store, so that `zs --help` stays fast
    from domain.application import Ledger
    from projections.queries import Views
    from projections.runner import Progress


class InputError(click.ClickException):
    """Malformed input found after parsing: exit 2, like click's own bad-parameter errors."""

    exit_code = 2


@dataclass(frozen=True)
class Backfilling:
    """The root's --backfill T --by NAME --because TEXT (rule 11), checked for their pairing."""

    at: datetime
    by: str | None
    because: str

    @classmethod
    def of(cls, at: datetime | None, by: str | None, because: str | None) -> Backfilling | None:
        if at is None:
            for option, value in (("--by", by), ("--because", because)):
                if value is not None:
                    raise click.BadParameter(f"{option} belongs to a backfill: give --backfill T as well, or "
                                             f"leave out {option}", param_hint=f"'{option}'")
            return None
        if because is None or not because.strip():
            raise click.BadParameter("--backfill needs a reason: give --because TEXT (e.g. 补录纸质台账)",
                                     param_hint="'--because'")
        return cls(at, by, because)


class Context:
    """Built once per invocation; opens the store only when a command needs it."""

    def __init__(self, store: str, actor: str | None, backfill: Backfilling | None = None) -> None:
        self.store = store
        self.actor = actor
        self.backfill = backfill
        self._base: Ledger | None = None
        self._ledger: Ledger | None = None
        self._views: Views | None = None
        self.progress: Progress | None = None

    @property
    def ledger(self) -> Ledger:
        return self.open()

    def open(self, create: bool = False) -> Ledger:
        """The ledger; a missing SQLite file is an error unless the command creates the ledger."""
        if self._ledger is None:
            from domain.application import Ledger
            from projections.reach import check_reachable

            try:
                env = store_env(self.store)
            except InvalidValue as error:
                raise click.BadParameter(str(error), param_hint="'--store'") from None
            check_reachable(env, shown_url(self.store))  # the server's own reason, at once
            self._base = Ledger(self.store, create=create)  # refuses a store with no ledger unless creating
            if not create and self.actor:
                self._base.acting(self.actor)  # --as or ZS_ACTOR names an active person, for reads too
            backfill = self.backfill
            self._ledger = (self._base.backfilling(at=backfill.at, by=backfill.by, because=backfill.because)
                            if backfill else self._base)
        return self._ledger

    @property
    def views(self) -> Views:
        """The read side, caught up with everything recorded so far (so the CLI reads its own writes)."""
        if self._views is None:
            from projections.queries import Views

            self._views = Views(self.ledger, progress=self.progress)
            if self._views.runner.behind:  # another process held the write lock past the busy timeout
                click.echo("note: another process is writing; this answer may miss its latest events", err=True)
        return self._views

    def require_actor(self) -> str:
        """Writes name their actor; the application checks the person exists and may act."""
        return self.ledger.acting(self.actor).name

    def close(self) -> None:
        if self._base is not None:
            self._base.close()


_pass_obj = click.make_pass_decorator(Context)
_ALIASES = {"name": ("admin",), "file": ("attach",), "text": ("note",), "person": ("name",)}


def _option_for(ctx: click.Context, field: str | None) -> click.Parameter | None:
    """The command's option that carried a field the domain refused (`--note` for `note`)."""
    if field is None:
        return None
    by_name = {param.name: param for param in ctx.command.params}
    for name in (field, *_ALIASES.get(field, ())):
        if name in by_name:
            return by_name[name]
    return None


def pass_context(f: Callable[..., Any]) -> Callable[..., Any]:
    """Pass the Context; a value the domain finds malformed becomes exit 2 naming its option."""
    @functools.wraps(f)
    def run(obj: Context, *args: Any, **kwargs: Any) -> Any:
        try:
            return f(obj, *args, **kwargs)
        except InvalidValue as error:
            ctx = click.get_current_context()
            param = _option_for(ctx, error.field)
            if param is None:
                raise
            raise click.BadParameter(str(error), ctx=ctx, param=param) from None

    return _pass_obj(run)
