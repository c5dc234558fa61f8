"""Changing a store behind the application's back, as someone with database access would."""

from __future__ import annotations

import sqlite3
from typing import Any
from urllib.parse import parse_qs, urlsplit

from domain.application import Ledger


class Raw:
    """Plain SQL on the ledger's own database: `{events}` and `{id}` name the events table and its log id."""

    def __init__(self, ledger: Ledger, store: str) -> None:
        self.postgres = store.startswith("postgres")
        self.store = store
        self.names = {"events": ledger.recorder.events_table_name, "leaves": "zs_leaves",
                      "id": "notification_id" if self.postgres else "rowid"}

    def _connect(self) -> Any:
        if self.postgres:
            import psycopg

            schema = parse_qs(urlsplit(self.store).query)["schema"][0]
            conn = psycopg.connect(self.store.split("?")[0], options=f"-c search_path={schema}")
            return conn
        return sqlite3.connect(urlsplit(self.store).path[1:])

    def execute(self, sql: str, *params: Any) -> list[tuple]:
        sql = sql.format(**self.names)
        if self.postgres:
            sql = sql.replace("?", "%s")
        conn = self._connect()
        try:
            cursor = conn.execute(sql, params)
            rows = cursor.fetchall() if cursor.description else []
            conn.commit()
            return [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in rows]
        finally:
            conn.close()

    def event(self, position: int) -> tuple:
        """(log id, aggregate id, version, topic, state) of the event at a position."""
        return self.execute("SELECT e.{id}, e.originator_id, e.originator_version, e.topic, e.state FROM {events} e "
                            "JOIN {leaves} l ON l.notification_id = e.{id} WHERE l.position = ?", position)[0]

    def position_of(self, topic_end: str, text: str = "") -> int:
        """The last position whose event's topic ends with `topic_end` (and whose state holds `text`)."""
        found = [p for p, t, s in self.execute(
            "SELECT l.position, e.topic, e.state FROM {events} e JOIN {leaves} l ON l.notification_id = e.{id} "
            "ORDER BY l.position") if t.endswith(topic_end) and text.encode() in bytes(s)]
        return found[-1]

    def set_state(self, position: int, state: bytes) -> None:
        log_id = self.event(position)[0]
        self.execute("UPDATE {events} SET state = ? WHERE {id} = ?", state, log_id)

    def replace(self, position: int, old: str, new: str) -> None:
        state = bytes(self.event(position)[4])
        assert old.encode() in state, (old, state)
        self.set_state(position, state.replace(old.encode(), new.encode(), 1))

    def delete(self, position: int) -> None:
        self.execute("DELETE FROM {events} WHERE {id} = ?", self.event(position)[0])
