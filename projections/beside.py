"""The rebuild's leaf check in a process of its own, beside the replay (`zs views rebuild` of a long log).

The check (`integrity.guard.ReplayGuard`: one SHA-256 per event) reads nothing the views need, so a
second process runs it on the other core: it opens the store itself and reads the same rows, up to
the same head, in the same batches as the replay. The replay hands over only a checksum of each batch
it applied; before the swap, `finish` waits for the verdict and compares the checksums, so the rows
the views were built from are the rows that matched their leaves. A changed log stops the rebuild
there with the same message as the check in the replay (`check_log`), and nothing is swapped in.
A short log, a PostgreSQL store (whose server needs the other core), a busy machine, or a store another
process cannot open (SQLite in memory) is checked in the replay, as it reads (see `pays`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zlib
from array import array
from collections.abc import Sequence
from typing import Any

from integrity.guard import ReplayGuard, check_log
from integrity.leaves import Tampered

APART_FROM = 100_000  # events: below this, starting a process costs more than the check it takes over


def guard_for(recorder: Any, store: str | None, head: int) -> Any:
    """The check of a whole-log replay: beside it for a long log when that pays (`pays`), else in it."""
    if store is None or head < APART_FROM or not pays(store):
        return ReplayGuard(recorder)
    return CheckBeside(recorder, store)


def pays(store: str) -> bool:
    """A SQLite file, on a machine with a core to spare (by the last minute's load average, which does
    not count this rebuild yet). Measured on 2 cores under a load of 2-3, the check beside cost more than
    it saved (docs/performance.md); on PostgreSQL the server needs the other core for the replay's
    writes, and at 100k events the check beside was 1 s slower than in the replay."""
    if not store.startswith("sqlite:///") or "mode=memory" in store:
        return False
    return os.getloadavg()[0] <= (os.cpu_count() or 1) - 1.5


class CheckBeside:
    """`ReplayGuard` run by another process over the rows up to `head` (`start`), read in batches of
    `size` as the replay reads them; `__call__` keeps each applied batch's checksum, `finish` waits
    for the other process's verdict and refuses (`Tampered`) a changed log or rows read differently.
    The other process is this module run by the same interpreter (not multiprocessing, which would
    import the caller's main module again); the store's URL goes to it on its standard input."""

    def __init__(self, recorder: Any, store: str) -> None:
        self.recorder = recorder
        self.store = store
        self.sums: list[int] = []
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, head: int, size: int) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "projections.beside"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE)
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"store": self.store, "head": head, "size": size}).encode())
        self.process.stdin.close()

    def __call__(self, rows: Sequence[tuple]) -> None:
        self.sums.append(checksum(rows))

    def finish(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        answer = self.process.stdout.read()
        self.close()
        try:
            verdict = json.loads(answer)
        except ValueError:  # the other process failed: check the whole log here instead
            check_log(self.recorder)
            return
        if verdict["problem"] is not None:
            raise Tampered(verdict["problem"])
        if verdict["sums"] != self.sums:  # the log changed between the two reads: name it as the check would
            check_log(self.recorder)
            raise Tampered("nothing was rebuilt: the log changed while the rebuild read it; run it again, "
                           "or `zs verify` for the whole picture")

    def close(self) -> None:
        process, self.process = self.process, None
        if process is not None:
            if process.poll() is None:
                process.kill()
            process.wait()
            if process.stdout is not None:
                process.stdout.close()


def checksum(rows: Sequence[tuple]) -> int:
    """A CRC of a batch of stored rows (log id, aggregate id hex, version, topic, state): it tells two
    reads of the same rows apart from a change in between (the leaves are what prove them)."""
    value = zlib.crc32(b"".join([row[4] for row in rows]))
    value = zlib.crc32("\n".join([row[1] for row in rows] + [row[3] for row in rows]).encode(), value)
    return zlib.crc32(array("q", [row[0] for row in rows] + [row[2] for row in rows]).tobytes(), value)


def main() -> None:
    """The other process: the rows up to `head` read in batches of `size`, each checked against its
    leaves; writes the problem (or null) and each batch's checksum, as JSON."""
    from domain.application import Ledger
    from domain.store import open_for_reading
    from projections.db import Db

    asked = json.loads(sys.stdin.read())
    opened = open_for_reading(asked["store"])
    ledger = None
    if opened is None:
        ledger = Ledger(asked["store"], create=False)
        factory, recorder = None, ledger.recorder
    else:
        factory, recorder = opened
    try:
        guard, db, position, sums = ReplayGuard(recorder), Db(recorder), 0, []
        try:
            while position < asked["head"]:
                batch = db.read_log(position, asked["head"], asked["size"])
                if not batch:
                    break
                guard(batch)
                sums.append(checksum(batch))
                position = batch[-1][0]
            guard.finish()
        except Tampered as error:
            print(json.dumps({"problem": str(error), "sums": None}))
            return
        print(json.dumps({"problem": None, "sums": sums}))
    finally:
        if factory is not None:
            factory.close()
        if ledger is not None:
            ledger.close()


if __name__ == "__main__":
    main()
