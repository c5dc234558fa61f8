"""What the ledger's forms share: reading a submitted form field by field (each malformed value named
beside its field, in the domain's own words), and running one Ledger write against the version of the
aggregate the page was shown at (`Ledger.expecting`), its refusal turned into the page's message."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from starlette.requests import Request

from domain.application import Ledger
from domain.errors import DomainError, InvalidValue, Stale
from domain.permissions import Action
from domain.values import Labelled, parse_date, parse_wan
from web.office import blocking, may, office, refusal_status, templates

MISSING = "请填写此项。"


@dataclass
class Fields:
    """One submitted form, read field by field; `errors` maps a field to what is wrong with it."""

    form: Mapping[str, Any]
    errors: dict[str, str] = field(default_factory=dict)

    def raw(self, key: str) -> str:
        value = self.form.get(key)
        return value.strip() if isinstance(value, str) else ""

    def text(self, key: str, required: bool = False) -> str | None:
        value = self.raw(key)
        if not value and required:
            self.errors[key] = MISSING
        return value or None

    def prose(self, key: str, required: bool = False) -> str | None:
        """A note or reason: line breaks kept (the domain cleans it)."""
        value = self.form.get(key)
        text = value if isinstance(value, str) else ""
        if not text.strip() and required:
            self.errors[key] = MISSING
        return text if text.strip() else None

    def day(self, key: str, required: bool = False) -> date | None:
        return self._parsed(key, required, lambda text: parse_date(text, "date"))

    def wan(self, key: str, required: bool = False) -> Decimal | None:
        return self._parsed(key, required, parse_wan)

    def code(self, key: str, kind: type[Labelled], required: bool = False) -> Any:
        return self._parsed(key, required, lambda text: kind.parse(text, key))

    def version(self, key: str = "version") -> int:
        """The version of the aggregate the page was shown at; every form of the ledger carries one."""
        text = self.raw(key)
        if not text.isascii() or not text.isdigit() or len(text) > 9:
            self.errors[key] = "表单缺少页面显示时的版本号，请刷新页面后重试（the form carries no version）。"
            return 0
        return int(text)

    def _parsed(self, key: str, required: bool, parse: Callable[[str], Any]) -> Any:
        text = self.raw(key)
        if not text:
            if required:
                self.errors[key] = MISSING
            return None
        try:
            return parse(text)
        except InvalidValue as error:
            self.errors[key] = str(error)
            return None


@dataclass
class Outcome:
    """A write's result: what it returned, or the refusal to show and the status to answer with."""

    value: Any = None
    refusal: str | None = None
    errors: dict[str, str] = field(default_factory=dict)
    status: int = 200

    @property
    def done(self) -> bool:
        return self.refusal is None and not self.errors


STALE = {"project": "此项目已被他人修改", "problem": "此问题已被他人修改", "supervision": "此督办已被他人修改"}


async def write(request: Request, fields: Fields, expect: tuple[type, str, int, str] | None,
                call: Callable[[Ledger, str], Any], malformed: str | None = None) -> Outcome:
    """Runs `call(ledger, actor)` (one Ledger method) as the logged-in person, from this client's address; with
    `expect` = (aggregate class, key, version, what), refused unless that aggregate is still at the
    version the page showed. Malformed fields stop it before anything is called; a value the domain
    finds malformed is shown beside its field (or beside `malformed` when it names none of the form's)."""
    if fields.errors:
        return Outcome(errors=dict(fields.errors), status=422)
    ledger = office(request).ledger_for(request)

    actor = request.state.person.name

    def run() -> Any:
        if expect is None:
            return call(ledger, actor)
        cls, key, version, _ = expect
        with ledger.expecting(cls, key, version):
            return call(ledger, actor)

    try:
        return Outcome(value=await blocking(run))
    except Stale as error:  # the domain's words, under the page's heading for it
        what = STALE.get(expect[3] if expect else "", "此记录已被他人修改")
        return Outcome(refusal=f"{what}（someone else changed this）：{error}", status=409)
    except InvalidValue as error:
        if error.field and error.field in fields.form:
            return Outcome(errors={error.field: str(error)}, status=422)
        if malformed:
            return Outcome(errors={malformed: str(error)}, status=422)
        return Outcome(refusal=str(error), status=422)
    except DomainError as error:
        return Outcome(refusal=str(error), status=refusal_status(error))


def allowed(person: Any, action: str, unit: str | None = None) -> bool:
    """For templates: may this person take the domain's `action` (an `Action` name) for `unit`?"""
    return person is not None and may(person, Action[action], unit)


templates.env.globals["allowed"] = allowed
