"""The context every command shares: the store, the acting person, the ledger opened on demand."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # imported when a command opens the store, so that `zs --help` stays fast
    from domain.application import Ledger
    from projections.queries import Views
    from projections.runner import Progress


class InputError(click.ClickException):
    """Malformed input found after parsing: exit 2, like click's own bad-parameter errors."""

    exit_code = 2


class Context:
    """Built once per invocation; opens the store only when a command needs it."""

    def __init__(self, store: str, actor: str | None) -> None:
        self.store = store
        self.actor = actor
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

            self._ledger = Ledger(self.store, create=create)  # refuses a store with no ledger unless creating
            if not create and self.actor:
                self._ledger.acting(self.actor)  # --as or ZS_ACTOR names an active person, for reads too
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
        if self._ledger is not None:
            self._ledger.close()


pass_context = click.make_pass_decorator(Context)
