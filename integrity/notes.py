"""Ed25519 keys and C2SP signed notes: the checkpoint format of c2sp.org/tlog-checkpoint.

A key file holds `PRIVATE+KEY+<name>+<key id hex>+<base64(0x01 ‖ 32-byte seed)>`, and the ledger
records the verifier `<name>+<key id hex>+<base64(0x01 ‖ 32-byte public key)>` (the formats of Go's
golang.org/x/mod/sumdb/note). key id = SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]."""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from datetime import datetime
from hashlib import sha256
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from domain.errors import InvalidValue, RuleViolated

ED25519 = b"\x01"
DASH = "\u2014"


def key_id(name: str, public: bytes) -> bytes:
    return sha256(name.encode() + b"\n" + ED25519 + public).digest()[:4]


@dataclass(frozen=True)
class SigningKey:
    name: str
    private: Ed25519PrivateKey

    @property
    def public(self) -> bytes:
        return self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def verifier(self) -> str:
        return f"{self.name}+{key_id(self.name, self.public).hex()}+{base64.b64encode(ED25519 + self.public).decode()}"

    def sign(self, text: str) -> str:
        """The signed note: the text, a blank line and this key's signature line."""
        signature = key_id(self.name, self.public) + self.private.sign(text.encode())
        return f"{text}\n{DASH} {self.name} {base64.b64encode(signature).decode()}\n"


def check_name(name: str) -> str:
    if not name or any(c.isspace() or c == "+" or ord(c) < 0x20 for c in name):
        raise InvalidValue(f"key name {name!r}: use a name without spaces or '+', e.g. tj-cgw.gov.cn/zhaoshang")
    return name


def create_key(name: str, out: Path) -> SigningKey:
    """A new key, written to `out` with mode 0600; an existing file is never overwritten."""
    key = SigningKey(check_name(name), Ed25519PrivateKey.generate())
    seed = key.private.private_bytes_raw()
    text = f"PRIVATE+KEY+{key.name}+{key_id(key.name, key.public).hex()}+{base64.b64encode(ED25519 + seed).decode()}\n"
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise RuleViolated(f"{out} already exists; a key file is never overwritten") from None
    except OSError as error:
        raise RuleViolated(f"cannot write {out}: {error.strerror}") from None
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    return key


def load_key(path: Path) -> SigningKey:
    try:
        text = Path(path).read_text(encoding="utf-8").strip()
    except OSError as error:
        raise InvalidValue(f"--key {path}: cannot read it ({error.strerror})") from None
    except UnicodeDecodeError:
        raise InvalidValue(f"--key {path}: not a key file made by `zs key create`") from None
    parts = text.split("+", 4)
    try:
        assert len(parts) == 5 and parts[:2] == ["PRIVATE", "KEY"]
        raw = base64.b64decode(parts[4], validate=True)
        assert raw[:1] == ED25519 and len(raw) == 33
        key = SigningKey(parts[2], Ed25519PrivateKey.from_private_bytes(raw[1:]))
        assert key_id(key.name, key.public).hex() == parts[3]
    except Exception:
        raise InvalidValue(f"--key {path}: not a key file made by `zs key create`") from None
    return key


@dataclass(frozen=True)
class Verifier:
    name: str
    id: bytes
    public: Ed25519PublicKey

    @classmethod
    def parse(cls, text: str) -> Verifier:
        name, hexid, b64 = text.split("+", 2)
        raw = base64.b64decode(b64)
        if raw[:1] != ED25519 or len(raw) != 33 or key_id(name, raw[1:]).hex() != hexid:
            raise ValueError("not an Ed25519 verifier key")
        return cls(name, bytes.fromhex(hexid), Ed25519PublicKey.from_public_bytes(raw[1:]))


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...]
    text: str  # the signed note as a whole

    @property
    def time(self) -> str | None:
        for line in self.extensions:
            if line.startswith("time "):
                return line[5:]
        return None


def checkpoint_text(origin: str, size: int, root: bytes, at: datetime) -> str:
    stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{origin}\n{size}\n{base64.b64encode(root).decode()}\ntime {stamp}\n"


class BadNote(Exception):
    """A checkpoint that is malformed or not signed by the expected key."""


def parse_checkpoint(note: str) -> Checkpoint:
    """The checkpoint's fields, its signatures unchecked; raises BadNote when it is not one at all."""
    return _parse(note)[0]


def _parse(note: str) -> tuple[Checkpoint, str, str]:
    text, sep, signatures = note.partition("\n\n")
    if not sep or not text or any(ord(c) < 0x20 and c != "\n" for c in note):
        raise BadNote("not a signed checkpoint (a text, a blank line, signature lines)")
    text += "\n"
    lines = text.split("\n")[:-1]
    if len(lines) < 3:
        raise BadNote("a checkpoint has an origin, a tree size and a root hash")
    try:
        size = int(lines[1])
        root = base64.b64decode(lines[2], validate=True)
        assert size >= 0 and str(size) == lines[1] and len(root) == 32
    except Exception:
        raise BadNote("its tree size or root hash is malformed") from None
    if not any(line.startswith(DASH + " ") for line in signatures.splitlines()):
        raise BadNote("it carries no signature line")
    return Checkpoint(lines[0], size, root, tuple(lines[3:]), note), text, signatures


def open_checkpoint(note: str, verifiers: list[Verifier]) -> tuple[Checkpoint, Verifier]:
    """Parses a signed checkpoint and checks a signature by one of `verifiers`; raises BadNote."""
    checkpoint, text, signatures = _parse(note)
    for line in signatures.splitlines():
        if not line.startswith(DASH + " "):
            continue
        name, _, b64 = line[2:].rpartition(" ")
        try:
            raw = base64.b64decode(b64, validate=True)
        except Exception:
            continue
        for verifier in verifiers:
            if verifier.name == name and verifier.id == raw[:4]:
                try:
                    verifier.public.verify(raw[4:], text.encode())
                except InvalidSignature:
                    raise BadNote(f"the signature of {name} does not match the checkpoint's text") from None
                return checkpoint, verifier
    raise BadNote("it is not signed by any key recorded in this ledger")
