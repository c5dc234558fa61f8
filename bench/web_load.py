"""The web office under people's load: simulated users (httpx, asyncio) log in through the login form,
then each opens a page, reads it for 2–5 s, opens the next: the dashboard, a page of the board, their
unit's month, in turn. Against `zs serve` started here on 127.0.0.1 (a free port) and stopped by its
pid, over a ledger made by bench/generate.py.

    python -m bench.web_load --store postgresql://postgres@127.0.0.1:5432/weboffice_bench --workers 4 \\
        --users 50 --levels 100,150,200 --seconds 60 --json figures.json

For each number of users: per page, the median and p95 time to the last byte and the errors (any
status but 200, or a failed connection); then, for --levels, the same at more users, to find the
number at which p95 passes 500 ms. The floors, measured in the same run on the idle server: a static
file's median time, and each page's median asked by one person one request at a time. Each simulated user is one of the ledger's people with a password set
here through the Ledger (set by the admin, then changed as at a first login; recorded like any).

Every request goes to 127.0.0.1 only; each level runs for a bounded time and the script stops itself
and the server it started."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

PASSWORD = "bench-load-2026"  # the simulated people's own password
INITIAL = "bench-initial-2026"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
PAGES = ("dashboard", "board", "month")
LIMIT_MS = 500


@dataclass
class Tally:
    times: dict[str, list[float]] = field(default_factory=lambda: {p: [] for p in PAGES})
    errors: dict[str, int] = field(default_factory=lambda: {p: 0 for p in PAGES})
    examples: list[str] = field(default_factory=list)

    def error(self, page: str, what: str) -> None:
        self.errors[page] += 1
        if len(self.examples) < 5:
            self.examples.append(f"{page}: {what}")


def people(store: str, count: int) -> list[tuple[str, str]]:
    """(name, unit) of `count` of the ledger's unit people, liaisons first, each with PASSWORD."""
    from domain.application import Ledger

    ledger = Ledger(store)
    try:
        admin = next(p.name for p in ledger.people() if p.active and p.role.value == "admin")
        order = {"liaison": 0, "principal": 1, "leader": 2}
        chosen = sorted((p for p in ledger.people() if p.active and p.unit and p.role.value in order),
                        key=lambda p: (order[p.role.value], p.unit))[:count]
        for person in chosen:
            if ledger.credentials.verify(person.name, PASSWORD) is not True:
                ledger.set_password(admin, person.name, INITIAL)
                ledger.change_password(person.name, INITIAL, PASSWORD)
        return [(p.name, p.unit or "") for p in chosen]
    finally:
        ledger.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(store: str, workers: int, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    out = log.open("wb")
    process = subprocess.Popen([sys.executable, "-m", "cli.main", "--store", store, "serve", "--host", "127.0.0.1",
                                "--port", str(port), "--workers", str(workers)], stdout=out, stderr=subprocess.STDOUT,
                               start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"zs serve exited {process.returncode}; see {log}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.3)
    stop(process)
    raise SystemExit("zs serve did not listen within 120 s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """By its pid: uvicorn's parent ends its workers on SIGTERM."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


async def log_in(client: httpx.AsyncClient, name: str) -> None:
    page = await client.get("/login")
    token = CSRF.search(page.text)
    if token is None:
        raise RuntimeError(f"no CSRF token on /login ({page.status_code})")
    response = await client.post("/login", data={"csrf": token.group(1), "name": name, "password": PASSWORD,
                                                 "next": "/dashboard"})
    if response.status_code != 303 or response.headers.get("location", "").startswith("/login"):
        raise RuntimeError(f"login of {name} answered {response.status_code}")


def path_of(page: str, unit: str, rng: random.Random, board_pages: int) -> str:
    if page == "dashboard":
        return "/dashboard"
    if page == "board":
        return f"/board?page={rng.randint(1, board_pages)}"
    year = rng.randint(2022, 2030)
    return f"/units/{unit}/reports?month={year}-{rng.randint(1, 12):02d}"


async def user(url: str, name: str, unit: str, tally: Tally, until: float, measure_from: float, seed: int,
               board_pages: int, pause: tuple[float, float]) -> None:
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=url, timeout=30, follow_redirects=False) as client:
        await asyncio.sleep(rng.uniform(0, pause[1]))  # people do not all arrive at once
        try:
            await log_in(client, name)
        except (httpx.HTTPError, RuntimeError) as error:
            tally.error("dashboard", f"login: {error}")
            return
        step = rng.randrange(len(PAGES))
        while time.monotonic() < until:
            page = PAGES[step % len(PAGES)]
            step += 1
            started = time.monotonic()
            try:
                response = await client.get(path_of(page, unit, rng, board_pages))
                await response.aread()
                ok = response.status_code == 200
                what = f"status {response.status_code}"
            except httpx.HTTPError as error:
                ok, what = False, f"{type(error).__name__}: {error}"
            elapsed = (time.monotonic() - started) * 1000
            if started >= measure_from:
                if ok:
                    tally.times[page].append(elapsed)
                else:
                    tally.error(page, what)
            await asyncio.sleep(rng.uniform(*pause))


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values, default=0.0)


def summary(tally: Tally, users: int, seconds: float) -> dict[str, Any]:
    pages = {}
    for page in PAGES:
        values = tally.times[page]
        pages[page] = {"requests": len(values), "errors": tally.errors[page],
                       "median_ms": round(statistics.median(values), 1) if values else None,
                       "p95_ms": round(p95(values), 1) if values else None}
    every = [v for page in PAGES for v in tally.times[page]]
    return {"users": users, "seconds": seconds, "pages": pages, "requests": len(every),
            "requests_per_s": round(len(every) / seconds, 1), "errors": sum(tally.errors.values()),
            "median_ms": round(statistics.median(every), 1) if every else None,
            "p95_ms": round(p95(every), 1) if every else None,
            "worst_page_p95_ms": max((p["p95_ms"] or 0) for p in pages.values()), "error_examples": tally.examples}


async def level(url: str, crowd: list[tuple[str, str]], users: int, seconds: float, warm_up: float,
                board_pages: int, pause: tuple[float, float]) -> dict[str, Any]:
    tally = Tally()
    now = time.monotonic()
    measure_from, until = now + warm_up, now + warm_up + seconds
    await asyncio.gather(*(user(url, *crowd[i % len(crowd)], tally, until, measure_from, 116 + i, board_pages, pause)
                           for i in range(users)))
    return summary(tally, users, seconds)


def floor_ms(url: str) -> float:
    """The idle server's median time for a static file: the HTTP and loopback cost under every page."""
    with httpx.Client(base_url=url, timeout=30) as client:
        times = []
        for _ in range(30):
            started = time.perf_counter()
            client.get("/static/app.css").raise_for_status()
            times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 2)


def one_at_a_time(url: str, crowd: list[tuple[str, str]], pages: int, count: int = 10) -> dict[str, Any]:
    """Each page asked `count` times by one person, one request at a time: what a page costs when it
    waits for nothing but the machine (median and worst, ms)."""
    async def run() -> dict[str, Any]:
        rng = random.Random(7)
        name, unit = crowd[0]
        async with httpx.AsyncClient(base_url=url, timeout=30, follow_redirects=False) as client:
            await log_in(client, name)
            result = {}
            for page in PAGES:
                times = []
                for _ in range(count):
                    started = time.monotonic()
                    (await client.get(path_of(page, unit, rng, pages))).raise_for_status()
                    times.append((time.monotonic() - started) * 1000)
                result[page] = {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}
            return result

    return asyncio.run(run())


def board_pages(store: str) -> int:
    from domain.application import Ledger
    from projections.queries import Queries

    ledger = Ledger(store)
    try:
        total, _ = Queries(ledger).board_page(offset=0, limit=1)
        return max(1, -(-total // 50))
    finally:
        ledger.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", required=True, help="the ledger (bench/generate.py makes one)")
    parser.add_argument("--workers", type=int, default=4, help="zs serve --workers")
    parser.add_argument("--users", type=int, default=50, help="the main figure's simulated users")
    parser.add_argument("--levels", default="", help="more numbers of users, e.g. 100,150,200, to find where p95 "
                                                     "passes 500 ms")
    parser.add_argument("--seconds", type=float, default=60, help="measured seconds per level (after a warm-up)")
    parser.add_argument("--warm-up", type=float, default=10, help="seconds before measuring (logins, first pages)")
    parser.add_argument("--pause", default="2,5", help="seconds a person reads a page: min,max")
    parser.add_argument("--log", default="/tmp/zs-web-load-serve.log", help="the server's output")
    parser.add_argument("--json", dest="out", help="also write the figures to this file")
    args = parser.parse_args()
    pause = tuple(float(x) for x in args.pause.split(","))
    levels = [args.users] + [int(x) for x in args.levels.split(",") if x.strip()]
    if max(levels) > 1000 or args.seconds > 900:
        raise SystemExit("keep the load bounded: at most 1000 users and 900 s a level")
    crowd = people(args.store, min(max(levels), 150))
    pages = board_pages(args.store)
    process, url = start(args.store, args.workers, Path(args.log))
    figures: dict[str, Any] = {"store": re.sub(r"//[^@/]*@", "//", args.store), "workers": args.workers,
                               "board_pages": pages, "pause_s": pause, "levels": []}
    try:
        figures["floor_static_ms"] = floor_ms(url)
        figures["one_at_a_time"] = one_at_a_time(url, crowd, pages)
        for users in levels:
            result = asyncio.run(level(url, crowd, users, args.seconds, args.warm_up, pages, pause))
            figures["levels"].append(result)
            print(json.dumps(result, ensure_ascii=False), flush=True)
        figures["floor_static_ms_after"] = floor_ms(url)
    finally:
        stop(process)
    passed = [r["users"] for r in figures["levels"] if (r["p95_ms"] or 0) > LIMIT_MS]
    figures["p95_passes_500ms_at_users"] = min(passed) if passed else None
    figures["load_average"] = os.getloadavg()
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    if args.out:
        Path(args.out).write_text(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
