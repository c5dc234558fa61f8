"""The recorded OS user is the operating system's (the process's uid), never LOGNAME or USER."""

from __future__ import annotations

import json
import os
import pwd
import sys
from pathlib import Path
import subprocess

from domain.application import Machine, os_user_of

ZS = [sys.executable, "-m", "cli.main"]


def test_the_os_user_comes_from_the_uid_not_from_logname_or_user(monkeypatch):
    monkeypatch.setenv("LOGNAME", "root")
    monkeypatch.setenv("USER", "root")
    monkeypatch.setenv("LNAME", "root")
    monkeypatch.setenv("USERNAME", "root")
    monkeypatch.setattr(os, "getuid", lambda: 65534)
    assert Machine.current().os_user == pwd.getpwuid(65534).pw_name != "root"


def test_a_uid_without_an_account_is_recorded_as_its_number(monkeypatch):
    monkeypatch.setenv("LOGNAME", "root")
    monkeypatch.setattr(os, "getuid", lambda: 4_000_123)
    assert Machine.current().os_user == "4000123"
    assert os_user_of(4_000_123) == "4000123"


def test_logname_set_on_the_command_line_does_not_change_the_recorded_user(tmp_path: Path):
    """`LOGNAME=mallory USER=mallory zs ...` in a real process records the account the process runs as."""
    store = f"sqlite:///{tmp_path / 'ledger.db'}"
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "LOGNAME": "mallory", "USER": "mallory", "ZS_STORE": store, "PYTHONPATH": str(root)}
    env.pop("ZS_ACTOR", None)
    subprocess.run([*ZS, "init", "--admin", "管理员"], env=env, check=True, capture_output=True, cwd=tmp_path)
    audit = subprocess.run([*ZS, "audit", "--json"], env=env, check=True, capture_output=True, cwd=tmp_path)
    rows = json.loads(audit.stdout)
    rows = rows if isinstance(rows, list) else rows["events"]
    assert [row["os_user"] for row in rows] == [pwd.getpwuid(os.getuid()).pw_name]
