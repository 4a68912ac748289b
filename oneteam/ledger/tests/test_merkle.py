"""The Merkle tree is RFC 6962's: checked against the Certificate Transparency
test vectors and a literal recursive implementation of the RFC."""

import hashlib

import pytest

from oneteam.ledger.merkle import EMPTY_ROOT, Frontier, inclusion_paths, root_of
from oneteam.ledger.offline_verify import node_hash, root_from_inclusion_path

# certificate-transparency merkle test vectors (leaf inputs, roots of sizes 0..8).
CT_LEAVES = [
    bytes.fromhex(h)
    for h in ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def raw_leaf(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def rfc_mth(leaves: list[bytes]) -> bytes:
    """MTH exactly as RFC 6962 §2.1 writes it (leaves already leaf-hashed)."""
    n = len(leaves)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaves[0]
    k = 1 << ((n - 1).bit_length() - 1)  # largest power of two smaller than n
    return node_hash(rfc_mth(leaves[:k]), rfc_mth(leaves[k:]))


def rfc_path(m: int, leaves: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]) exactly as RFC 6962 §2.1.1 writes it."""
    n = len(leaves)
    if n == 1:
        return []
    k = 1 << ((n - 1).bit_length() - 1)
    if m < k:
        return [*rfc_path(m, leaves[:k]), rfc_mth(leaves[k:])]
    return [*rfc_path(m - k, leaves[k:]), rfc_mth(leaves[:k])]


def test_root_of_ct_vectors_matches_published_roots():
    for size, expected in enumerate(CT_ROOTS):
        assert root_of(raw_leaf(d) for d in CT_LEAVES[:size]).hex() == expected


def test_inclusion_paths_ct_vector_leaf_5_of_8_matches_published_path():
    root, size, paths = inclusion_paths((raw_leaf(d) for d in CT_LEAVES), [5])
    assert (root.hex(), size) == (CT_ROOTS[8], 8)
    assert [p.hex() for p in paths[5]] == [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ]


def test_inclusion_paths_every_leaf_every_size_match_rfc_and_verify():
    leaves = [raw_leaf(str(i).encode()) for i in range(40)]
    for n in range(1, 41):
        root, _size, paths = inclusion_paths(leaves[:n], range(n))
        assert root == rfc_mth(leaves[:n])
        for m in range(n):
            assert paths[m] == rfc_path(m, leaves[:n])
            assert root_from_inclusion_path(leaves[m], m, n, paths[m]) == root


def test_root_from_inclusion_path_wrong_index_size_or_path_does_not_give_root():
    leaves = [raw_leaf(bytes([i])) for i in range(11)]
    root, _size, paths = inclusion_paths(leaves, [6])
    assert root_from_inclusion_path(leaves[6], 7, 11, paths[6]) != root
    assert root_from_inclusion_path(leaves[6], 6, 8, paths[6]) is None  # a tree of 8 has a 3-step path
    assert root_from_inclusion_path(leaves[6], 6, 11, paths[6][:-1]) is None
    assert root_from_inclusion_path(leaves[6], 6, 11, [*paths[6], root]) is None
    assert root_from_inclusion_path(leaves[6], 11, 11, paths[6]) is None


def test_frontier_restored_from_saved_hashes_continues_to_same_root():
    leaves = [raw_leaf(str(i).encode()) for i in range(29)]
    for cut in range(29):
        first = Frontier()
        for leaf in leaves[:cut]:
            first.append(leaf)
        resumed = Frontier(cut, first.hashes())
        for leaf in leaves[cut:]:
            resumed.append(leaf)
        assert resumed.root() == rfc_mth(leaves)


def test_frontier_hashes_not_matching_size_raises():
    with pytest.raises(ValueError):
        Frontier(5, [EMPTY_ROOT])
