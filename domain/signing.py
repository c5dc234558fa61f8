"""The ledger's signing keys and the checkpoints they signed, as events (docs/integrity.md).

The private key never enters the ledger: a key is known here by its public verifier key, and a
checkpoint by its signed note (a C2SP checkpoint), both made outside the domain."""

from __future__ import annotations

from typing import TYPE_CHECKING

from eventsourcing.application import AggregateNotFoundError

from domain.base import Aggregate, Stamp
from domain.errors import NotFound, RuleViolated
from domain.permissions import Action

if TYPE_CHECKING:
    from domain.application import Ledger


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


class Signing:
    """Mixed into the Ledger: recording keys and checkpoints."""

    def check_keeps_log(self: Ledger, actor: str | None) -> None:
        self._authorise(actor or "", Action.KEEP_LOG)

    def register_key(self: Ledger, actor: str, name: str, verifier: str) -> None:
        stamp = self._authorise(actor, Action.KEEP_LOG)
        self._refuse_existing(LogKey, verifier, f"the key {name} is already recorded")
        self._save(LogKey.register(stamp, name, verifier))

    def log_key(self: Ledger, verifier: str) -> LogKey:
        try:
            key = self.repository.get(LogKey.id_for(verifier))
        except AggregateNotFoundError:
            raise NotFound("this key is not recorded in the ledger; create one with `zs key create --out FILE`") from None
        assert isinstance(key, LogKey)
        return key

    def record_checkpoint(self: Ledger, actor: str, verifier: str, size: int, root: str, note: str,
                          about: str | None = None, office: bool = True) -> None:
        """`office=False` when the checkpoint acknowledges the actor's own sending (a receipt)."""
        if office:
            stamp = self._authorise(actor, Action.KEEP_LOG)
        else:
            person = self.acting(actor)
            stamp = self._stamp_for(person.name, person.role)
        for attempt in range(3):
            key = self.log_key(verifier)
            key.sign(stamp, size, root, note, about)
            try:
                self._save(key)
                return
            except RuleViolated:
                if attempt == 2:
                    raise

    def log_keys(self: Ledger) -> list[LogKey]:
        return list(self._all(LogKey, LogKey.Registered))


