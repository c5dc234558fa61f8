"""`zs person password` and `zs token create`: secrets typed twice or piped, never echoed, kept hashed."""

from __future__ import annotations

from click.testing import CliRunner

from cli.main import cli
from domain.application import Ledger

ADMIN, LIAISON = "管理员", "孙联络"
SECRET = "chushi-mima-2021"


def _run(store: str, args: list[str], stdin: str) -> object:
    return CliRunner().invoke(cli, ["--store", store, "--as", ADMIN, *args], input=stdin,
                              env={"ZS_STORE": None, "ZS_ACTOR": None}, prog_name="zs")


def test_the_admin_sets_a_password_prompted_twice_and_it_is_never_echoed(commission_cli, store_url):
    result = _run(store_url, ["person", "password", LIAISON], f"{SECRET}\n{SECRET}\n")
    assert result.exit_code == 0, result.output
    assert SECRET not in result.output
    ledger = Ledger(store_url)
    assert ledger.authenticate(LIAISON, SECRET)[0] == "ok"
    ledger.close()


def test_a_password_from_stdin_and_a_weak_one_refused_with_exit_2(commission_cli, store_url, event_count):
    assert _run(store_url, ["person", "password", LIAISON, "--stdin"], f"{SECRET}\n").exit_code == 0
    before = event_count()
    weak = _run(store_url, ["person", "password", LIAISON, "--stdin"], "1234567890123\n")
    assert weak.exit_code == 2 and "only digits" in weak.output
    assert event_count() == before


def test_two_different_typings_are_asked_again(commission_cli, store_url):
    result = _run(store_url, ["person", "password", LIAISON], f"{SECRET}\nother-secret-1\n{SECRET}\n{SECRET}\n")
    assert result.exit_code == 0 and "Error: The two entered values do not match." in result.output


def test_a_token_is_printed_once_and_reads_as_its_person(commission_cli, store_url):
    result = _run(store_url, ["token", "create", "许办公"], "")
    token = result.output.strip()
    assert result.exit_code == 0 and token.startswith("zs_")
    ledger = Ledger(store_url)
    assert ledger.credentials.token_owner(token) == "许办公"
    ledger.close()
