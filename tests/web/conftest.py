"""Web fixtures: the commission on a SQLite file, people with passwords, the app on a hand-moved
clock, and a TestClient that logs in through the real login form."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import unquote
from collections.abc import Iterator
from datetime import datetime

import pytest
from starlette.testclient import TestClient

from domain.application import Ledger
from domain.values import UTC
from tests.conftest import MACHINE, Clock, set_up_commission
from web.app import create_app

INITIAL = "chushi-mima-2021"
CHOSEN = {"孙联络": "sun-lianluo-2021", "周联络": "zhou-lianluo-2021", "许办公": "xu-bangong-2021",
          "赵处长": "zhao-chuzhang-21", "管理员": "guanliyuan-2021"}
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
def web_clock() -> Clock:
    return Clock(datetime(2021, 9, 1, 2, 0, tzinfo=UTC))


@pytest.fixture
def web_store(tmp_path, web_clock: Clock) -> str:
    """The commission, and a password set by the admin for each of CHOSEN (still to be changed)."""
    return commission_at(f"sqlite:///{tmp_path / 'web.db'}", web_clock)


def commission_at(store: str, clock: Clock) -> str:
    """The commission written to `store`, with the admin's initial password for each of CHOSEN."""
    ledger = Ledger(store, clock=clock, machine=MACHINE)
    set_up_commission(ledger)
    for name in CHOSEN:
        ledger.set_password("管理员", name, INITIAL)
    ledger.close()
    return store


@pytest.fixture
def app(web_store: str, web_clock: Clock, trusted: frozenset[str]):
    return create_app(web_store, clock=web_clock, trusted_proxies=trusted)


@pytest.fixture
def trusted() -> frozenset[str]:
    return frozenset()


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as c:
        yield c


def sent_to_login(response, start: str = "/login?next=") -> bool:
    """The response sends its asker to the login page (a stranger, or a session that has ended)."""
    return response.status_code == 303 and response.headers["location"].startswith(start)


def csrf_of(text: str) -> str:
    match = CSRF.search(text)
    assert match, "no CSRF token on the page"
    return match.group(1)


class _Forms(HTMLParser):
    """Every form on a page: its action and its hidden inputs (CSRF token, the version it was shown at...)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self.forms.append((found.get("action") or "", {}))
        elif tag == "input" and found.get("type") == "hidden" and self.forms and found.get("name"):
            self.forms[-1][1][found["name"] or ""] = found.get("value") or ""


def hidden_fields(text: str, action: str, **match: str) -> dict[str, str]:
    """The hidden inputs of the first form posting to `action` whose hidden inputs include `match`."""
    parser = _Forms()
    parser.feed(text)
    for target, fields in parser.forms:
        if unquote(target) == action and all(fields.get(k) == v for k, v in match.items()):
            return fields
    raise AssertionError(f"no form to {action} {match or ''} on the page")


def submit(client: TestClient, page: str, action: str, match: dict[str, str] | None = None, **data: str):
    """Opens `page`, and posts its form to `action` with the form's hidden inputs and `data`."""
    shown = client.get(page)
    assert shown.status_code == 200, shown.text
    return client.post(action, data={**hidden_fields(shown.text, action, **(match or {})), **data})


def log_in(client: TestClient, name: str, password: str | None = None, change: bool = True, again: bool = False,
           **headers: str):
    """Logs in through the form; with `change`, sets the person's chosen password at first login;
    `again` logs in with the password chosen then."""
    if again:
        password, change = CHOSEN[name], False
    page = client.get("/login")
    response = client.post("/login", data={"csrf": csrf_of(page.text), "name": name,
                                           "password": password or INITIAL, "next": "/board"}, headers=headers)
    if change and response.status_code == 303 and response.headers["location"] == "/password":
        form = client.get("/password")
        done = client.post("/password", data={"csrf": csrf_of(form.text), "old": password or INITIAL,
                                              "new": CHOSEN[name], "again": CHOSEN[name]})
        assert done.status_code == 303, done.text
    return response


@pytest.fixture
def liaison(client: TestClient) -> TestClient:
    """HW's liaison, logged in with their own password."""
    log_in(client, "孙联络")
    return client


def events(store: str) -> int:
    ledger = Ledger(store)
    try:
        return ledger.recorder.max_notification_id() or 0
    finally:
        ledger.close()
