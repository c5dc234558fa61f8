"""RFC 6962 Merkle trees: leaf and node hashes, tree heads, inclusion and consistency proofs.

Standard library only. Indexes are 0-based here (as in the RFC); the ledger's positions are
1-based (position = index + 1). Proof checks follow RFC 9162 §2.1.3.2 and §2.1.4.2.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from hashlib import sha256

EMPTY_ROOT = sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over leaf hashes, level by level: an unpaired last node moves up unchanged, which
    gives the same tree as RFC 6962's split at the largest power of two."""
    if not leaves:
        return EMPTY_ROOT
    level = list(leaves)
    sha = sha256
    while len(level) > 1:
        pairs = iter(level)
        last = [level[-1]] if len(level) % 2 else []
        level = [sha(b"\x01" + left + right).digest() for left, right in zip(pairs, pairs)] + last
    return level[0]


def root_of(leaves: Iterable[bytes]) -> bytes:
    stack: list[tuple[int, bytes]] = []  # (size of the perfect subtree, its hash)
    for leaf in leaves:
        size, value = 1, leaf
        while stack and stack[-1][0] == size:
            left_size, left = stack.pop()
            size, value = size + left_size, node_hash(left, value)
        stack.append((size, value))
    if not stack:
        return EMPTY_ROOT
    value = stack[-1][1]
    for _, left in reversed(stack[:-1]):
        value = node_hash(left, value)
    return value


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of RFC 6962 §2.1.1 for the leaf at 0-based `index`."""
    if not 0 <= index < len(leaves):
        raise ValueError(f"leaf index {index} is outside a tree of size {len(leaves)}")
    return _path(index, leaves)


def _path(m: int, d: Sequence[bytes]) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = _split(n)
    if m < k:
        return _path(m, d[:k]) + [root(d[k:])]
    return _path(m - k, d[k:]) + [root(d[:k])]


def consistency_proof(old_size: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 6962 §2.1.2."""
    n = len(leaves)
    if not 0 <= old_size <= n:
        raise ValueError(f"a tree of size {old_size} cannot be a prefix of one of size {n}")
    if old_size in (0, n):
        return []
    return _subproof(old_size, leaves, True)


def _subproof(m: int, d: Sequence[bytes], complete: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if complete else [root(d)]
    k = _split(n)
    if m <= k:
        return _subproof(m, d[:k], complete) + [root(d[k:])]
    return _subproof(m - k, d[k:], False) + [root(d[:k])]


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes | None:
    """The root an inclusion proof leads to, or None when the proof cannot be one."""
    if not 0 <= index < size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0 or len(p) != 32:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], expected_root: bytes) -> bool:
    return root_from_inclusion(index, size, leaf, proof) == expected_root


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes,
                       proof: Sequence[bytes]) -> bool:
    """True when the tree of `new_size` with `new_root` extends the one of `old_size` with `old_root`."""
    if old_size < 0 or new_size < old_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # an exact power of two: the old root is a node of the new tree
        path.insert(0, old_root)
    if not path or any(len(p) != 32 for p in path):
        return False
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0


def prefix_roots(leaves: Iterable[bytes], sizes: Iterable[int]) -> dict[int, bytes]:
    """The roots of the trees of several sizes of one log, in one pass (for many checkpoints)."""
    wanted = sorted({s for s in sizes if s >= 0})
    found: dict[int, bytes] = {}
    if wanted and wanted[0] == 0:
        found[0] = EMPTY_ROOT
    stack: list[tuple[int, bytes]] = []
    count = 0
    pending = [s for s in wanted if s > 0]
    index = 0
    for leaf in leaves:
        if index >= len(pending):
            break
        size, value = 1, leaf
        while stack and stack[-1][0] == size:
            left_size, left = stack.pop()
            size, value = size + left_size, node_hash(left, value)
        stack.append((size, value))
        count += 1
        while index < len(pending) and pending[index] == count:
            folded = stack[-1][1]
            for _, left in reversed(stack[:-1]):
                folded = node_hash(left, folded)
            found[count] = folded
            index += 1
    return found
