"""Where the ledger lives: a store URL, as SQLAlchemy writes them, turned into eventsourcing's env."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from domain.errors import InvalidValue

DEFAULT_STORE = "sqlite:///zhaoshang.db"
LEDGER_NAME = "zhaoshang"  # the Ledger application's name: eventsourcing reads `ZHAOSHANG_*` settings too
# Recorders that write each event's Merkle leaf in the event's own transaction (docs/integrity.md).
LEAF_RECORDERS = {"eventsourcing.sqlite": "integrity.recorders:SQLiteLeafRecorder",
                  "eventsourcing.postgres": "integrity.recorders_pg:PostgresLeafRecorder"}


def store_env(url: str) -> dict[str, str]:
    """`sqlite:///relative.db`, `sqlite:////abs/path.db`, `sqlite://` (in memory),
    `postgresql://user[:password]@host[:port]/db[?schema=name]`."""
    if any(ord(char) < 32 or char == "\x7f" for char in unquote(url)):
        raise InvalidValue(f"store {url!r} holds a control character (a NUL, a line break); type the URL plainly")
    parts = urlsplit(url)
    scheme = parts.scheme.split("+")[0]
    if scheme == "sqlite":
        if parts.netloc:
            raise InvalidValue(f"store {url!r}: a SQLite URL has three slashes, e.g. sqlite:///zhaoshang.db")
        path = unquote(parts.path[1:]) if parts.path.startswith("/") else unquote(parts.path)
        if not path or path == ":memory:":
            return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": ":memory:"}
        folder = Path(path).expanduser().resolve().parent
        if not folder.is_dir():
            raise InvalidValue(f"store {url!r}: the folder {folder} does not exist")
        return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": path, "SQLITE_LOCK_TIMEOUT": "10"}
    if scheme in ("postgresql", "postgres"):
        try:
            port = parts.port
        except ValueError:
            raise InvalidValue(f"store {url!r}: the port must be a number from 1 to 65535") from None
        database = unquote(parts.path.lstrip("/"))
        if not database:
            raise InvalidValue(f"store {url!r}: name the database, e.g. postgresql://user@127.0.0.1:5432/zhaoshang")
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": database,
            "POSTGRES_HOST": parts.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(port or 5432),
            "POSTGRES_USER": unquote(parts.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
            "POSTGRES_CONNECT_TIMEOUT": "5",
            "POSTGRES_POOL_SIZE": "1",  # a command uses one connection at a time; opening five cost ~25 ms
            # eventsourcing ends a transaction idle for 5 s; a rebuild's batch spends longer than that in
            # Python between two statements when the machine is busy, and was cut off mid-way
            "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "300",
        }
        schema = parse_qs(parts.query).get("schema")
        if schema:
            env["POSTGRES_SCHEMA"] = schema[0]
        return env
    raise InvalidValue(
        f"store {url!r} is not a store URL; use sqlite:///file.db or postgresql://user@host:5432/db"
    )


def shown_url(url: str) -> str:
    """A store URL as messages show it: the password left out."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@", 1)).geturl()


def sqlite_path(url: str) -> str | None:
    """The file of a SQLite store URL; None for PostgreSQL or an in-memory store."""
    env = store_env(url)
    name = env.get("SQLITE_DBNAME")
    return None if name in (None, ":memory:") else name


def describe_store(url: str) -> str:
    """A store as a message may name it: a SQLite file's path, or a PostgreSQL URL without its password."""
    parts = urlsplit(url)
    if parts.scheme.split("+")[0] == "sqlite":
        path = unquote(parts.path[1:]) if parts.path.startswith("/") else unquote(parts.path)
        return path or "memory"
    if parts.password is not None:
        host = parts.netloc.rsplit("@", 1)[-1]
        return parts._replace(netloc=f"{unquote(parts.username or '')}@{host}").geturl()
    return url


def ledger_settings(url: str, env: dict[str, str] | None = None) -> dict[str, str]:
    """The ledger's eventsourcing settings for a store URL: its persistence module and leaf recorder."""
    settings = store_env(url)
    settings["APPLICATION_RECORDER_TOPIC"] = LEAF_RECORDERS[settings["PERSISTENCE_MODULE"]]
    return {**settings, **(env or {})}


def open_for_reading(url: str) -> tuple[Any, Any] | None:
    """The store's infrastructure factory and application recorder, opened without the application
    (no mapper, no event classes), for a read that finds everything current (a SQLite file through
    domain/sqlite_reader.py, without eventsourcing's persistence modules); None when the store
    needs the Ledger first (in memory, or its tables not yet at this version: schema work)."""
    import os

    from domain import schema

    settings = ledger_settings(url)
    where = describe_store(url)
    path = settings.get("SQLITE_DBNAME")
    part = schema.part_for(settings["APPLICATION_RECORDER_TOPIC"])
    if path == ":memory:" or (path is not None and not schema.check_sqlite_file(path, where, part)):
        return None

    def construct() -> Any:
        from eventsourcing.persistence import InfrastructureFactory
        from eventsourcing.utils import Environment

        return InfrastructureFactory.construct(Environment(LEDGER_NAME, {**os.environ, **settings,
                                                                         "CREATE_TABLE": "no"}))

    if path is not None:  # SQLite, current: one connection, without eventsourcing's persistence modules
        from domain.sqlite_reader import ReaderFactory

        reader = ReaderFactory(path, float(settings["SQLITE_LOCK_TIMEOUT"]), construct)
        return reader, reader.application_recorder()

    from eventsourcing.persistence import OperationalError

    factory = None
    try:
        factory = construct()
        recorder = factory.application_recorder()
        if path is None and not schema.is_current(recorder, part):
            factory.close()
            return None
    except OperationalError as error:  # PostgreSQL: no such database or role, a refused connection
        raise schema.StoreUnavailable(schema.unreachable(factory.datastore, error) if factory else str(error)) from None
    return factory, recorder
