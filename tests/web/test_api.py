"""/api/ answers with the CLI's --json, key for key and value for value, by session or bearer token."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cli.main import cli
from domain.application import Ledger
from tests.web.conftest import log_in

SAME = [
    ("board?as_of=2021-09-05", ["board", "--as-of", "2021-09-05"]),
    ("board?unit=HW&stage=lead", ["board", "--unit", "HW", "--stage", "lead"]),
    ("progress?as_of=2021-10-06", ["progress", "--as-of", "2021-10-06"]),
    ("obligations?unit=HW&as_of=2021-10-06", ["obligations", "--unit", "HW", "--as-of", "2021-10-06"]),
    ("overdue?as_of=2021-10-31", ["overdue", "--as-of", "2021-10-31"]),
    ("audit?unit=HW", ["audit", "--unit", "HW"]),
    ("summary?year=2021&as_known_at=2021-09-30", ["summary", "--year", "2021", "--as-known-at", "2021-09-30"]),
]


@pytest.mark.parametrize(("path", "command"), SAME, ids=[p for p, _ in SAME])
def test_the_api_answers_exactly_what_the_cli_prints_as_json(liaison, web_store, path, command):
    response = liaison.get(f"/api/{path}")
    assert response.status_code == 200, response.text
    printed = CliRunner().invoke(cli, ["--store", web_store, *command, "--json"], env={"ZS_STORE": None,
                                                                                     "ZS_ACTOR": None})
    assert printed.exit_code == 0, printed.output
    assert response.json() == json.loads(printed.output)


def test_a_bearer_token_reads_the_api_and_a_wrong_one_is_refused(client, web_store):
    ledger = Ledger(web_store)
    token = ledger.create_token("管理员", "许办公")
    ledger.close()
    assert client.get("/api/board", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.get("/api/board", headers={"Authorization": f"Bearer {token}x"}).status_code == 401


def test_malformed_api_input_names_its_parameter_with_400(liaison):
    response = liaison.get("/api/board?as_of=yesterday")
    assert response.status_code == 400 and response.json()["parameter"] == "as_of"
    assert liaison.get("/api/board?stage=moon").json()["parameter"] == "stage"
    assert liaison.get("/api/summary").json()["parameter"] == "year"
    assert liaison.get("/api/nothing").status_code == 404


def test_a_session_that_must_still_change_its_password_cannot_read_the_api(client):
    log_in(client, "孙联络", change=False)
    assert client.get("/api/board").status_code == 401
