"""The tamper-evident log's benchmark: what the Merkle leaves cost to write, and how fast verify reads.

    python -m bench.integrity --events 1000000 --dir bench-data

(e) ingest: the same deterministic ledger generated twice in this run, with leaves (the Ledger's own
    recorder) and without (eventsourcing's plain recorder), events/s through the application; and
    single-event saves (one command's worth) with and without leaves;
(f) `zs verify`'s scan (every leaf recomputed, the tree's root computed) in events/s, beside its
    floor: a plain sequential read of the same rows with one SHA-256 of each row's stored bytes.
    Target: at least 50 % of the floor. Each verify runs in a fresh process; its peak memory is its VmHWM."""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import time
from hashlib import sha256
from pathlib import Path
from typing import Any

from bench.generate import generate
from bench.run import machine, peak_rss_mb
from domain.application import Ledger, Machine
from domain.values import Role
from integrity.verify import scan

PLAIN = {"APPLICATION_RECORDER_TOPIC": "eventsourcing.sqlite:SQLiteApplicationRecorder"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--dir", default="bench-data")
    parser.add_argument("--saves", type=int, default=2000, help="single-event saves timed with and without leaves")
    parser.add_argument("--json", dest="out")
    parser.add_argument("--verify-only", metavar="STORE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.verify_only:
        print(json.dumps({**verify_rate(args.verify_only), "peak_rss_mb": round(peak_rss_mb())}))
        return
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    figures: dict[str, Any] = {"machine": machine(), "command": " ".join(sys.argv)}
    ingest: dict[str, Any] = {}
    for name, env in (("without_leaves", PLAIN), ("with_leaves", None)):
        path = folder / f"integrity-{args.events}-{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        started = time.perf_counter()
        made = generate(f"sqlite:///{path}", args.events, env=env)
        seconds = time.perf_counter() - started
        ingest[name] = {"events": made, "seconds": round(seconds, 1), "events_per_s": round(made / seconds),
                        "single_saves_per_s": single_saves(folder / f"saves-{name}.db", args.saves, env)}
    ingest["cost_of_leaves"] = round(1 - ingest["with_leaves"]["events_per_s"] / ingest["without_leaves"]["events_per_s"], 3)
    ingest["cost_of_leaves_single"] = round(
        1 - ingest["with_leaves"]["single_saves_per_s"] / ingest["without_leaves"]["single_saves_per_s"], 3)
    figures["ingest"] = ingest
    store = f"sqlite:///{folder / f'integrity-{args.events}-with_leaves.db'}"
    floor = max(read_and_hash(store) for _ in range(3))
    runs = [json.loads(subprocess.run([sys.executable, "-m", "bench.integrity", "--verify-only", store],
                                      capture_output=True, text=True, check=True).stdout) for _ in range(3)]
    best = max(runs, key=lambda r: r["events_per_s"])
    figures["verify"] = {**best, "floor_read_sha256_per_s": floor, "share_of_floor": round(best["events_per_s"] / floor, 3)}
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    if args.out:
        Path(args.out).write_text(json.dumps(figures, ensure_ascii=False, indent=2))


def single_saves(path: Path, count: int, env: dict[str, str] | None) -> int:
    """Saves of one event each, as a command from the CLI makes them."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    ledger = Ledger(f"sqlite:///{path}", machine=Machine("bench", "bench"), env=env)
    ledger.init("管理员")
    started = time.perf_counter()
    for n in range(count):
        ledger.add_person("管理员", f"人员{n}", Role.OFFICE)
    seconds = time.perf_counter() - started
    ledger.close()
    return round(count / seconds)


def read_and_hash(store: str) -> int:
    """The floor: SQLite's own sequential read of the stored rows, one SHA-256 of each row's bytes."""
    conn = sqlite3.connect(store.removeprefix("sqlite:///"))
    started = time.perf_counter()
    cursor = conn.execute("SELECT rowid, originator_id, originator_version, topic, state FROM stored_events ORDER BY rowid")
    count = 0
    while batch := cursor.fetchmany(5000):
        for row in batch:
            sha256(row[4]).digest()
        count += len(batch)
    seconds = time.perf_counter() - started
    conn.close()
    return round(count / seconds)


def verify_rate(store: str) -> dict[str, Any]:
    ledger = Ledger(store)
    started = time.perf_counter()
    result = scan(ledger.recorder)
    root = result.root
    seconds = time.perf_counter() - started
    ledger.close()
    assert result.intact and root
    return {"events": result.events, "seconds": round(seconds, 2), "events_per_s": round(result.events / seconds)}


if __name__ == "__main__":
    main()
