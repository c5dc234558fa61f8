"""Attachment bytes, stored once by SHA-256 in a table beside the events (never inside them)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from domain.errors import NotFound

if TYPE_CHECKING:
    from eventsourcing.persistence import ApplicationRecorder


def create_table_sql(postgres: bool, schema: str = "") -> str:
    table = f"{schema}.zs_attachments" if postgres and schema else "zs_attachments"
    blob = "BYTEA" if postgres else "BLOB"
    return f"CREATE TABLE IF NOT EXISTS {table} (sha256 TEXT PRIMARY KEY, size BIGINT NOT NULL, content {blob} NOT NULL)"


class AttachmentStore:
    """A content-addressed table in the ledger's own database (SQLite or PostgreSQL)."""

    def __init__(self, recorder: ApplicationRecorder) -> None:
        self.datastore: Any = recorder.datastore  # type: ignore[attr-defined]
        self.postgres = type(self.datastore).__name__.startswith("Postgres")
        schema = getattr(self.datastore, "schema", "") if self.postgres else ""
        self.table = f"{schema}.zs_attachments" if schema else "zs_attachments"
        self.mark = "%s" if self.postgres else "?"  # the table is made with the ledger's (domain/schema.py)

    def put(self, content: bytes) -> str:
        digest = hashlib.sha256(content).hexdigest()
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(
                f"INSERT INTO {self.table} (sha256, size, content) VALUES ({self.mark}, {self.mark}, {self.mark}) "
                f"ON CONFLICT (sha256) DO NOTHING",
                (digest, len(content), content),
            )
        return digest

    def get(self, digest: str) -> bytes:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT content FROM {self.table} WHERE sha256 = {self.mark}", (digest,))
            row = cursor.fetchone()
        if row is None:
            raise NotFound(f"the attachment with SHA-256 {digest} is missing from the store")
        return bytes(row["content"])
