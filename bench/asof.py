"""The as-of questions by period of the ledger's ten years: each question's median at dates drawn over
the whole history and at dates drawn from its last three years (where there is most to read).

    python -m bench.asof sqlite:///bench-data/ledger-1000000.db [--dates 10] [--seed 11]

Questions: one unit's board, all units' progress, the obligations and the overdue list, each as of a
date (noon, Shanghai) as known now. Each period's dates are drawn once and every question is asked at
each of them, after one warm-up call; the medians are in milliseconds. Beside them, in the same run:
the load average and a floor (one full scan of the project versions summing their numbers' lengths, the median of five),
so that figures from different minutes can be weighed. It imports only `domain` and `projections`
(and `bench.generate`'s dates), so that main's code can be run with it beside a branch's."""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import date, datetime, time as clock_time, timedelta
from typing import Any

from bench.generate import START, YEARS
from domain.application import Ledger
from domain.values import SHANGHAI, UTC
from projections.queries import Moment, Queries

END = datetime.combine(START.replace(year=START.year + YEARS), clock_time(12), tzinfo=SHANGHAI).astimezone(UTC)
PERIODS = {"ten_years": (START, START.replace(year=START.year + YEARS)),
           "last_three_years": (START.replace(year=START.year + YEARS - 3), START.replace(year=START.year + YEARS))}


def noon(day: date) -> datetime:
    return datetime.combine(day, clock_time(12), tzinfo=SHANGHAI).astimezone(UTC)


def dates(first: date, last: date, count: int, rng: random.Random) -> list[datetime]:
    return [noon(first + timedelta(days=rng.randrange((last - first).days))) for _ in range(count)]


def questions(queries: Queries, units: list[str], rng: random.Random) -> dict[str, Callable[[datetime], Any]]:
    return {
        "unit_board_as_of_ms": lambda t: queries.board(Moment(t), unit=rng.choice(units)),
        "progress_as_of_ms": lambda t: queries.progress(t),
        "obligations_as_of_ms": lambda t: queries.obligations(t),
        "overdue_as_of_ms": lambda t: queries.overdue(t),
    }


def median_ms(call: Callable[[datetime], Any], moments: list[datetime]) -> float:
    call(moments[0])  # warm-up
    times = []
    for moment in moments:
        started = time.perf_counter()
        call(moment)
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def floor_ms(queries: Queries) -> float:
    times = []
    for _ in range(5):
        started = time.perf_counter()
        queries.db.fetchall("SELECT SUM(LENGTH(number)) AS n FROM zs_project_versions")
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def measure(store: str, count: int = 10, seed: int = 11) -> dict[str, Any]:
    ledger = Ledger(store, clock=lambda: END)
    queries = Queries(ledger)
    gc.freeze()  # as `zs` does once it has loaded (cli/main.py)
    rng = random.Random(seed)
    units = [u["code"] for u in queries.units()]
    figures: dict[str, Any] = {"store": store.split("?")[-1] if "?" in store else store,
                               "load_before": [round(x, 2) for x in os.getloadavg()],
                               "floor_ms": floor_ms(queries)}
    for period, (first, last) in PERIODS.items():
        moments = dates(first, last, count, rng)
        figures[period] = {name: median_ms(call, moments) for name, call in questions(queries, units, rng).items()}
    figures["floor_ms_after"] = floor_ms(queries)
    figures["load_after"] = [round(x, 2) for x in os.getloadavg()]
    ledger.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("store", help="a store URL (sqlite:///PATH or postgresql://...?schema=NAME)")
    parser.add_argument("--dates", type=int, default=10, help="dates per period")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    print(json.dumps(measure(args.store, args.dates, args.seed)))


if __name__ == "__main__":
    main()
