"""How fast a `zs` command starts and answers, as a ratio to `python -c "import click"` (the floor),
measured in the same run:

    python -m bench.startup [--runs 15] [--dir bench-data] [--big bench-data/ledger-1000000.db]

`zs --help`, `zs board --json` on a demo store (made in --dir when missing), and with --big also
`zs overdue` and `zs board --unit U --json` on that (large) store. Each figure is the median wall
time of --runs fresh processes after one warm-up run, with the CPU time (user + system) of the same
runs beside it. Targets (issue 11): --help ≤ 2×, the demo board ≤ 3×, the big store's answers ≤ 4×.

The modules' bytecode is compiled first (`compileall`, as an install does): with PYTHONDONTWRITEBYTECODE
set (this environment sets it) every `zs` run would otherwise compile the project's own modules while
the floor's click comes precompiled."""

from __future__ import annotations

import argparse
import compileall
import json
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ZS = [sys.executable, "-m", "cli.main"]


def median_seconds(command: list[str], runs: int) -> tuple[float, float]:
    """The median wall time and the median CPU time (user + system) of `runs` fresh processes."""
    subprocess.run(command, capture_output=True, check=True)  # warm the page cache
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def compile_bytecode() -> None:
    """Every module a run may import, compiled once (only missing or stale .pyc files are written)."""
    root = Path(__file__).resolve().parent.parent
    for package in ("cli", "domain", "projections", "integrity", "web", "demo"):
        if (root / package).is_dir():
            compileall.compile_dir(root / package, quiet=1)
    for folder in sys.path:
        if folder.endswith("site-packages") and Path(folder).is_dir():
            compileall.compile_dir(folder, quiet=1)


def demo_store(folder: Path) -> str:
    path = folder / "startup-demo.db"
    if not path.exists():
        subprocess.run([*ZS, "demo", "--store", f"sqlite:///{path}"], capture_output=True, check=True)
    return f"sqlite:///{path}"


def some_unit(path: str) -> str:
    with sqlite3.connect(path) as db:
        row = db.execute("SELECT code FROM zs_units ORDER BY code LIMIT 1").fetchone()
    return str(row[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--dir", default="bench-data")
    parser.add_argument("--big", metavar="FILE", help="a large SQLite ledger (e.g. the 1M-event one)")
    args = parser.parse_args()
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    compile_bytecode()
    demo = demo_store(folder)
    cases = [("zs --help", [*ZS, "--help"], 2.0),
             ("zs board --json (demo store)", [*ZS, "--store", demo, "board", "--json"], 3.0)]
    if args.big:
        big = f"sqlite:///{args.big}"
        subprocess.run([*ZS, "--store", big, "views", "status"], capture_output=True, check=True)  # caught up
        cases += [("zs overdue (big store)", [*ZS, "--store", big, "overdue"], 4.0),
                  ("zs board --unit U --json (big store)",
                   [*ZS, "--store", big, "board", "--unit", some_unit(args.big), "--json"], 4.0)]
    floor, floor_cpu = median_seconds([sys.executable, "-c", "import click"], args.runs)
    figures = {"floor_import_click_ms": round(floor * 1000, 1), "floor_cpu_ms": round(floor_cpu * 1000, 1),
               "runs": args.runs, "cases": []}
    print(f"floor: python -c 'import click'  {floor * 1000:7.1f} ms wall  {floor_cpu * 1000:7.1f} ms CPU")
    for name, command, target in cases:
        seconds, cpu = median_seconds(command, args.runs)
        ratio, cpu_ratio = seconds / floor, cpu / floor_cpu
        verdict = "meets" if ratio <= target else "MISSES"
        print(f"{name:40s} {seconds * 1000:7.1f} ms  {ratio:4.2f}× the floor ({verdict} ≤ {target:g}×);"
              f"  CPU {cpu * 1000:7.1f} ms  {cpu_ratio:4.2f}×")
        figures["cases"].append({"name": name, "ms": round(seconds * 1000, 1), "ratio": round(ratio, 2),
                                 "cpu_ms": round(cpu * 1000, 1), "cpu_ratio": round(cpu_ratio, 2),
                                 "target": target})
    (folder / "startup.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
