"""The ledger's signing keys and the checkpoints they signed, as events (docs/integrity.md).

The private key never enters the ledger: a key is known here by its public verifier key, and a
checkpoint by its signed note (a C2SP checkpoint), both made outside the domain."""

from __future__ import annotations

from domain.base import Aggregate, Stamp
from domain.errors import RuleViolated


class LogKey(Aggregate):
    """An Ed25519 key that signs the log's tree heads; the aggregate keeps its public half."""

    KIND = "logkey"

    class Registered(Aggregate.Created):
        name: str
        verifier: str  # the signed-note verifier key: <name>+<key id hex>+<base64(0x01 ‖ public key)>

        def apply(self, key: LogKey) -> None:
            key.name, key.verifier, key.checkpoints = self.name, self.verifier, ()

    class CheckpointSigned(Aggregate.Event):
        size: int
        root: str  # base64, as in the note
        note: str  # the whole signed checkpoint
        about: str | None  # e.g. the report whose sending it acknowledges

        def apply(self, key: LogKey) -> None:
            key.checkpoints = key.checkpoints + ((self.size, self.root, self.note),)

    @classmethod
    def register(cls, stamp: Stamp, name: str, verifier: str) -> LogKey:
        return cls._start(verifier, cls.Registered, stamp, name=name, verifier=verifier)

    def sign(self, stamp: Stamp, size: int, root: str, note: str, about: str | None) -> None:
        if size < 0:
            raise RuleViolated("a tree size is never negative")
        self._record(self.CheckpointSigned, stamp, size=size, root=root, note=note, about=about)
