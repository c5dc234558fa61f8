"""RFC 6962 trees against the reference vectors of transparency-dev/merkle, and proofs of any size."""

from __future__ import annotations

from hashlib import sha256

from hypothesis import given, settings, strategies as st

from domain import merkle

H = bytes.fromhex
INPUTS = [H(""), H("00"), H("10"), H("2021"), H("3031"), H("40414243"), H("5051525354555657"),
          H("606162636465666768696a6b6c6d6e6f")]
LEAVES = [merkle.leaf_hash(d) for d in INPUTS]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION = {  # (1-based leaf, tree size): audit path
    (1, 8): ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    (6, 8): ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
    (3, 3): ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    (2, 5): ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"],
}
CONSISTENCY = {
    (1, 8): INCLUSION[(1, 8)],
    (6, 8): ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
    (2, 5): ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"],
    (6, 7): ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
             "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
}


def test_the_empty_tree_hashes_to_the_sha256_of_nothing():
    assert merkle.root([]) == sha256(b"").digest()


def test_roots_match_the_rfc6962_reference_vectors():
    for size in range(1, 9):
        assert merkle.root(LEAVES[:size]).hex() == ROOTS[size - 1]


def test_inclusion_proofs_match_the_reference_vectors_and_verify():
    for (leaf, size), path in INCLUSION.items():
        proof = merkle.inclusion_proof(leaf - 1, LEAVES[:size])
        assert [p.hex() for p in proof] == path
        assert merkle.verify_inclusion(leaf - 1, size, LEAVES[leaf - 1], proof, H(ROOTS[size - 1]))


def test_consistency_proofs_match_the_reference_vectors_and_verify():
    for (old, new), path in CONSISTENCY.items():
        proof = merkle.consistency_proof(old, LEAVES[:new])
        assert [p.hex() for p in proof] == path
        assert merkle.verify_consistency(old, new, H(ROOTS[old - 1]), H(ROOTS[new - 1]), proof)


def test_a_corrupted_inclusion_proof_fails():
    proof = merkle.inclusion_proof(5, LEAVES)
    root = H(ROOTS[7])
    assert not merkle.verify_inclusion(4, 8, LEAVES[5], proof, root)
    assert not merkle.verify_inclusion(5, 16, LEAVES[5], proof, root)
    assert not merkle.verify_inclusion(5, 8, LEAVES[4], proof, root)
    assert not merkle.verify_inclusion(5, 8, LEAVES[5], proof[:-1], root)
    assert not merkle.verify_inclusion(5, 8, LEAVES[5], proof + [root], root)
    flipped = [bytes([proof[0][0] ^ 8]) + proof[0][1:]] + proof[1:]
    assert not merkle.verify_inclusion(5, 8, LEAVES[5], flipped, root)


def test_a_corrupted_consistency_proof_fails():
    proof = merkle.consistency_proof(6, LEAVES)
    old, new = H(ROOTS[5]), H(ROOTS[7])
    assert not merkle.verify_consistency(5, 8, old, new, proof)
    assert not merkle.verify_consistency(6, 8, new, old, proof)
    assert not merkle.verify_consistency(6, 8, old, new, proof[:-1])
    assert not merkle.verify_consistency(6, 8, old, new, [])
    assert not merkle.verify_consistency(8, 6, new, old, proof)


leaf_lists = st.lists(st.binary(max_size=8), min_size=1, max_size=70).map(
    lambda data: [merkle.leaf_hash(d) for d in data])


@settings(max_examples=150, deadline=None)
@given(leaf_lists, st.data())
def test_every_leaf_of_any_tree_has_a_verifying_inclusion_proof(leaves, data):
    index = data.draw(st.integers(0, len(leaves) - 1))
    root = merkle.root(leaves)
    proof = merkle.inclusion_proof(index, leaves)
    assert merkle.verify_inclusion(index, len(leaves), leaves[index], proof, root)
    other = data.draw(st.integers(0, len(leaves) - 1))
    if leaves[other] != leaves[index]:
        assert not merkle.verify_inclusion(index, len(leaves), leaves[other], proof, root)


@settings(max_examples=150, deadline=None)
@given(leaf_lists, st.data())
def test_any_prefix_is_proved_consistent_and_a_changed_prefix_is_not(leaves, data):
    old = data.draw(st.integers(1, len(leaves)))
    proof = merkle.consistency_proof(old, leaves)
    old_root, new_root = merkle.root(leaves[:old]), merkle.root(leaves)
    assert merkle.verify_consistency(old, len(leaves), old_root, new_root, proof)
    changed = list(leaves)
    changed[data.draw(st.integers(0, old - 1))] = merkle.leaf_hash(b"rewritten")
    if changed != leaves:
        assert not merkle.verify_consistency(old, len(leaves), merkle.root(changed[:old]), new_root, proof)


@given(leaf_lists)
def test_the_streaming_root_equals_the_recursive_definition(leaves):
    def mth(d):
        if len(d) == 1:
            return d[0]
        k = 1 << ((len(d) - 1).bit_length() - 1)
        return merkle.node_hash(mth(d[:k]), mth(d[k:]))
    assert merkle.root(leaves) == merkle.root_of(iter(leaves)) == mth(leaves)


@given(leaf_lists, st.lists(st.integers(0, 80), max_size=6))
def test_prefix_roots_equal_the_roots_of_the_prefixes(leaves, sizes):
    found = merkle.prefix_roots(leaves, sizes)
    assert found == {s: merkle.root(leaves[:s]) for s in sizes if s <= len(leaves)}
