"""Keys and signed checkpoints in the C2SP formats."""

from __future__ import annotations

import base64
import os
from datetime import datetime, timezone
from hashlib import sha256

import pytest

from domain.errors import InvalidValue, RuleViolated
from integrity.notes import BadNote, Verifier, checkpoint_text, create_key, load_key, open_checkpoint


def test_keys_round_trip_through_their_files_whatever_their_base64_holds(tmp_path):
    for n in range(40):  # base64 of random keys often holds '+' or '/'
        key = create_key("tj.example/zhaoshang", tmp_path / f"{n}.key")
        assert load_key(tmp_path / f"{n}.key").verifier == key.verifier
        assert Verifier.parse(key.verifier).name == "tj.example/zhaoshang"


def test_a_key_file_is_private_and_never_overwritten(tmp_path):
    path = tmp_path / "ledger.key"
    create_key("ledger", path)
    assert os.stat(path).st_mode & 0o777 == 0o600
    before = path.read_bytes()
    with pytest.raises(RuleViolated, match="never overwritten"):
        create_key("ledger", path)
    assert path.read_bytes() == before


def test_a_file_that_is_not_a_key_is_refused_naming_the_option(tmp_path):
    path = tmp_path / "junk.key"
    path.write_text("hello")
    with pytest.raises(InvalidValue, match="--key .*not a key file"):
        load_key(path)


def test_a_checkpoint_is_a_c2sp_signed_note_with_the_recommended_key_id(tmp_path):
    key = create_key("tj.example/zhaoshang", tmp_path / "k")
    root = sha256(b"x").digest()
    note = key.sign(checkpoint_text(key.name, 42, root, datetime(2021, 10, 6, 1, 0, tzinfo=timezone.utc)))
    lines = note.split("\n")
    assert lines[:5] == ["tj.example/zhaoshang", "42", base64.b64encode(root).decode(), "time 2021-10-06T01:00:00Z", ""]
    assert lines[5].startswith("\u2014 tj.example/zhaoshang ")
    signature = base64.b64decode(lines[5].rsplit(" ", 1)[1])
    assert signature[:4] == sha256(b"tj.example/zhaoshang\n\x01" + key.public).digest()[:4] and len(signature) == 68
    checkpoint, _ = open_checkpoint(note, [Verifier.parse(key.verifier)])
    assert (checkpoint.size, checkpoint.root, checkpoint.time) == (42, root, "2021-10-06T01:00:00Z")


def test_a_changed_checkpoint_or_a_stranger_key_is_refused(tmp_path):
    key, other = create_key("ledger", tmp_path / "a"), create_key("ledger", tmp_path / "b")
    note = key.sign(checkpoint_text("ledger", 42, sha256(b"x").digest(), datetime(2021, 10, 6, tzinfo=timezone.utc)))
    with pytest.raises(BadNote, match="does not match"):
        open_checkpoint(note.replace("\n42\n", "\n43\n"), [Verifier.parse(key.verifier)])
    with pytest.raises(BadNote, match="not signed by any key"):
        open_checkpoint(note, [Verifier.parse(other.verifier)])
