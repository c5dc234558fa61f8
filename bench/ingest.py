"""The write side's benchmark, and the replay on PostgreSQL: each figure beside its floor, same run.

    python -m bench.ingest --source bench-data/ledger-1000000.db [--postgres postgresql://postgres@127.0.0.1:5432/test]

(a) ingest through the Ledger: every stored event of a ledger made by `bench.run` (--source), read
    back as domain events a chunk at a time and saved in one `with ledger.batch()`, each chunk
    written into its one transaction by `batch.flush()` (mapped, inserted in bulk, each event with
    its Merkle leaf; --per-chunk: a batch and transaction per chunk instead), into an empty store,
    in a process of its own (its peak RSS reported); reading and decoding the source is timed apart;
    floor: the same stored rows inserted raw into an empty copy of the events table in ONE
    transaction (SQLite: executemany; PostgreSQL: binary COPY, the faster of two, into a table with
    the events table's columns and indexes, and the text COPY of the same rows beside it);
(b) commands in a batch: --commands progress notes through `Ledger.note_progress`, all in one
    `with ledger.batch()` (authorisation, the project loaded once from the store, then from the
    batch), the path a paper import takes; then up to 500 more, each in its own transaction, as
    `zs project note` runs them;
(c) with --postgres: the replay against PostgreSQL, on the store (a) wrote: a full rebuild of
    every view beside its floor (the same rows read through a server-side cursor, each state decoded
    from JSON), and the as-of questions.
`measure_import(parse, record)` times an import with its spreadsheet parse apart (bench.paper)."""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from bench.run import machine, peak_rss_mb, queries
from domain.values import UTC

COLUMNS = "originator_id, originator_version, topic, state"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", required=True, help="a ledger made by bench.run (SQLite file)")
    parser.add_argument("--dir", default="bench-data", help="where the SQLite copy is written")
    parser.add_argument("--postgres", metavar="URL", help="also measure on this PostgreSQL database (a schema of its own)")
    parser.add_argument("--chunk", type=int, default=20_000, help="events written at a time (Batch.flush)")
    parser.add_argument("--per-chunk", action="store_true", help="one batch (one transaction) per chunk instead of one in all")
    parser.add_argument("--commands", type=int, default=20_000, help="commands in one batch for (b)")
    parser.add_argument("--rebuilds", type=int, default=2, help="rebuilds (and read floors) on PostgreSQL; the best counts (0: none, nor the questions)")
    parser.add_argument("--skip-sqlite", action="store_true", help="only the PostgreSQL figures")
    parser.add_argument("--json", dest="out", help="also write the figures to this file, after each one")
    parser.add_argument("--ingest-only", nargs=2, metavar=("SOURCE", "STORE"), help=argparse.SUPPRESS)
    parser.add_argument("--commands-only", metavar="STORE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ingest_only:
        print(json.dumps(ingest(*args.ingest_only, args.chunk, args.per_chunk)))
        return
    if args.commands_only:
        print(json.dumps(commands(args.commands_only, args.commands)))
        return
    source = Path(args.source)
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    figures: dict[str, Any] = {"machine": machine(), "command": " ".join(sys.argv)}
    target = folder / "ingest.db"
    per_chunk = ["--per-chunk"] if args.per_chunk else []
    _unlink(target)
    def keep() -> None:  # after each figure, so that a failure later loses none of them
        if args.out:
            Path(args.out).write_text(json.dumps(figures, ensure_ascii=False, indent=2))

    if not args.skip_sqlite:
        sqlite = figures["sqlite"] = {"floor_one_transaction_per_s": sqlite_floor(source, folder / "floor.db")}
        sqlite["ingest"] = in_process("--ingest-only", str(source), f"sqlite:///{target}", *per_chunk, chunk=args.chunk)
        _share(sqlite)
        keep()
        if args.commands:
            sqlite["commands"] = in_process("--commands-only", f"sqlite:///{target}", commands=args.commands)
            keep()
        _unlink(target)
    if args.postgres:
        with pg_schema(args.postgres) as store:
            floors = pg_floor(source, store)
            pg: dict[str, Any] = {"floor_copy_per_s": floors["binary"], "floor_text_copy_per_s": floors["text"]}
            figures["postgres"] = pg
            pg["ingest"] = in_process("--ingest-only", str(source), store, *per_chunk, chunk=args.chunk)
            _share(pg)
            keep()
            if args.commands:
                pg["commands"] = in_process("--commands-only", store, commands=args.commands)
                keep()
            if not args.rebuilds:
                print(json.dumps(figures, ensure_ascii=False, indent=2))
                return
            pg["floor_read_decode_per_s"] = max(pg_read_floor(store) for _ in range(args.rebuilds))
            keep()
            runs = []
            for _ in range(args.rebuilds):
                done = subprocess.run([sys.executable, "-m", "bench.run", "--rebuild-only", store],
                                      capture_output=True, text=True)
                if done.returncode:
                    pg["rebuild_failed"] = done.stderr[-2000:]
                    keep()
                    raise SystemExit(done.stderr)
                runs.append(json.loads(done.stdout))
            rebuilt = max(runs, key=lambda run: run["events_per_s"])
            rebuilt["peak_rss_mb"] = max(run["peak_rss_mb"] for run in runs)
            rebuilt["share_of_floor"] = round(rebuilt["events_per_s"] / pg["floor_read_decode_per_s"], 3)
            pg["rebuild"] = rebuilt
            keep()
            pg["queries"] = queries(store, 10)
            keep()
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    keep()


def _share(figures: dict[str, Any]) -> None:
    floor = figures.get("floor_one_transaction_per_s") or figures["floor_copy_per_s"]
    figures["ingest"]["share_of_floor"] = round(figures["ingest"]["events_per_s"] / floor, 3)
    if "floor_text_copy_per_s" in figures:
        figures["ingest"]["share_of_text_floor"] = round(figures["ingest"]["events_per_s"] / figures["floor_text_copy_per_s"], 3)


def in_process(*argv: str, **options: Any) -> dict[str, Any]:
    """One figure in a fresh process, so that its peak RSS is its own."""
    extra = [part for name, value in options.items() for part in (f"--{name}", str(value))]
    done = subprocess.run([sys.executable, "-m", "bench.ingest", "--source", "-", *extra, *argv],
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout)


# -- the floors ------------------------------------------------------------------------------------

def source_rows(source: str | Path, size: int = 20_000) -> Iterator[list[tuple[str, int, str, bytes]]]:
    db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    cursor = db.execute(f"SELECT {COLUMNS} FROM stored_events ORDER BY rowid")
    while batch := cursor.fetchmany(size):
        yield batch
    db.close()


def sqlite_floor(source: Path, target: Path) -> int:
    """The same stored rows, executemany'd raw into an empty copy of the table, in one transaction."""
    rows = [row for batch in source_rows(source) for row in batch]
    _unlink(target)
    db = sqlite3.connect(target, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("CREATE TABLE stored_events (originator_id TEXT, originator_version INTEGER, topic TEXT, "
               "state BLOB, PRIMARY KEY (originator_id, originator_version))")
    started = time.perf_counter()
    db.execute("BEGIN")
    db.executemany("INSERT INTO stored_events VALUES (?, ?, ?, ?)", rows)
    db.execute("COMMIT")
    seconds = time.perf_counter() - started
    db.close()
    _unlink(target)
    return round(len(rows) / seconds)


def pg_floor(source: Path, store: str) -> dict[str, int]:
    """The same stored rows COPY'd into an empty table shaped like the Ledger's events table (its
    columns, primary key and unique log-id index), in one transaction: binary, as the Ledger sends them
    (each aggregate id as its 16 bytes), the faster of two runs; and as text (the floor of the
    2026-12-04 figures)."""
    import psycopg

    from integrity.recorders_pg import EVENT_TYPES, bytes_as_bytea

    stored = [(bytes.fromhex(a), v, t, s) for batch in source_rows(source) for a, v, t, s in batch]
    url, schema = _pg(store)
    figures: dict[str, int] = {}
    with psycopg.connect(url) as conn:
        for form in ("binary", "text", "binary"):  # the binary floor is the faster of two
            conn.execute(f"CREATE TABLE {schema}.floor_events (originator_id uuid NOT NULL, "
                         "originator_version bigint NOT NULL, topic text, state bytea, notification_id bigserial, "
                         "PRIMARY KEY (originator_id, originator_version))")
            conn.execute(f"CREATE UNIQUE INDEX ON {schema}.floor_events (notification_id)")
            conn.commit()
            rows = stored if form == "binary" else [(UUID(bytes=a), v, t, s) for a, v, t, s in stored]
            started = time.perf_counter()
            with conn.cursor() as cursor:
                bytes_as_bytea(cursor)
                with cursor.copy(f"COPY {schema}.floor_events ({COLUMNS}) FROM STDIN (FORMAT {form})") as copy:
                    if form == "binary":
                        copy.set_types(EVENT_TYPES)
                    for row in rows:
                        copy.write_row(row)
            conn.commit()
            figures[form] = max(figures.get(form, 0), round(len(rows) / (time.perf_counter() - started)))
            conn.execute(f"DROP TABLE {schema}.floor_events")
            conn.commit()
    return figures


def pg_read_floor(store: str) -> int:
    """PostgreSQL's own sequential read of the stored rows through a server-side cursor, each state
    decoded from JSON."""
    import psycopg

    from domain.application import Ledger

    ledger = Ledger(store)
    table = ledger.recorder.events_table_name
    ledger.close()
    url, schema = _pg(store)
    count = 0
    with psycopg.connect(url) as conn:
        started = time.perf_counter()
        with conn.cursor(name="floor") as cursor:
            cursor.itersize = 10_000
            cursor.execute(f"SELECT notification_id, originator_id, originator_version, topic, state "
                           f"FROM {schema}.{table} ORDER BY notification_id")
            for row in cursor:
                json.loads(row[4])
                count += 1
        seconds = time.perf_counter() - started
    return round(count / seconds)


# -- through the Ledger ----------------------------------------------------------------------------

def ingest(source: str, store: str, chunk: int, per_chunk: bool = False) -> dict[str, Any]:
    """Every stored event of `source`, saved through the Ledger into `store`: one batch, written into
    its one transaction a chunk at a time (`Batch.flush`), committed at its end; or, `per_chunk`, one
    batch (one transaction) per chunk."""
    from eventsourcing.persistence import StoredEvent

    from domain.application import Ledger, Machine

    ledger = Ledger(store, machine=Machine("bench", "bench"))
    to_event = ledger.mapper.to_domain_event
    count, writing, cpu, reading = 0, 0.0, 0.0, time.perf_counter()

    def save(events: list[Any], batch: Any) -> None:
        nonlocal writing, cpu
        started, cpu_started = time.perf_counter(), time.process_time()
        if batch is None:
            with ledger.batch() as batch:
                batch.collect(events)
        else:
            batch.collect(events)
            batch.flush()
        writing += time.perf_counter() - started
        cpu += time.process_time() - cpu_started

    def decoded() -> Iterator[list[Any]]:
        for rows in source_rows(source, chunk):
            yield [to_event(StoredEvent(originator_id=UUID(hex=a), originator_version=v, topic=t, state=s))
                   for a, v, t, s in rows]

    if per_chunk:
        for events in decoded():
            save(events, None)
            count += len(events)
    else:
        with ledger.batch() as one:
            for events in decoded():
                save(events, one)
                count += len(events)
            del events  # else the commit below would free the last chunk, inside its timing
            started, cpu_started = time.perf_counter(), time.process_time()
        writing += time.perf_counter() - started  # the commit
        cpu += time.process_time() - cpu_started
    reading = time.perf_counter() - reading - writing
    stored = ledger.recorder.max_notification_id()
    started = time.perf_counter()
    ledger.close()  # on SQLite the last of the WAL is copied into the file here, as the floor's commit does
    closing = time.perf_counter() - started
    writing += closing
    return {"events": count, "stored": stored, "chunk": chunk, "per_chunk": per_chunk, "seconds": round(writing, 1),
            "close_s": round(closing, 2), "events_per_s": round(count / writing), "cpu_s": round(cpu, 1),
            "source_read_and_decode_s": round(reading, 1), "peak_rss_mb": round(peak_rss_mb())}


def commands(store: str, count: int) -> dict[str, Any]:
    """`count` progress notes through the Ledger's command, all in one batch, on the store `ingest` wrote."""
    from domain.application import Ledger, Machine

    moment = datetime(2031, 12, 1, 2, tzinfo=UTC)
    ledger = Ledger(store, clock=lambda: moment, machine=Machine("bench", "bench"))
    projects = [row.originator_id for row in ledger.recorder.select_notifications(
        1, 200, topics=["domain.project:Project.Registered"])]
    numbers = [p.number for p in (ledger.repository.get(i) for i in projects) if p.status == "active"]
    actor = lambda number: f"{number.split('-')[0]}联络员"  # noqa: E731 - each unit's liaison
    started = time.perf_counter()
    with ledger.batch():
        for i in range(count):
            number = numbers[i % len(numbers)]
            ledger.note_progress(actor(number), number, f"纸质台账第{i}条")
    seconds = time.perf_counter() - started
    singles = min(count, 500)
    started = time.perf_counter()
    for i in range(singles):  # the same command, each in its own transaction, as `zs project note` runs it
        number = numbers[i % len(numbers)]
        ledger.note_progress(actor(number), number, f"单条记录第{i}条")
    single = time.perf_counter() - started
    ledger.close()
    return {"commands": count, "projects": len(numbers), "seconds": round(seconds, 1),
            "commands_per_s": round(count / seconds), "peak_rss_mb": round(peak_rss_mb()),
            "single_commands": singles, "single_commands_per_s": round(singles / single)}


def measure_import(parse: Callable[[], Any], record: Callable[[Any], int]) -> dict[str, Any]:
    """An import timed in two parts: `parse()` reads the spreadsheet, `record(parsed)` records it
    (in one batch) and returns how many rows it recorded. For the paper import's bench."""
    started = time.perf_counter()
    parsed = parse()
    parsing = time.perf_counter() - started
    started = time.perf_counter()
    rows = record(parsed)
    recording = time.perf_counter() - started
    return {"rows": rows, "parse_s": round(parsing, 2), "record_s": round(recording, 2),
            "rows_per_s": round(rows / recording) if recording else None, "peak_rss_mb": round(peak_rss_mb())}


# -- helpers ---------------------------------------------------------------------------------------

def _pg(store: str) -> tuple[str, str]:
    url, _, query = store.partition("?schema=")
    return url, query


class pg_schema:
    """A PostgreSQL schema of the bench's own, dropped afterwards."""

    def __init__(self, url: str) -> None:
        self.url, self.schema = url.split("?")[0], f"zs_bench_{uuid.uuid4().hex[:8]}"

    def __enter__(self) -> str:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {self.schema}")
        return f"{self.url}?schema={self.schema}"

    def __exit__(self, *exc: Any) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {self.schema} CASCADE")


def _unlink(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
