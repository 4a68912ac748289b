"""RFC 6962 / RFC 9162 Merkle tree hashing over the ledger, in one streaming pass.

The tree over ``n`` leaves splits at the largest power of two smaller than
``n``. Read left to right, such a tree is a list of perfect subtrees whose
sizes are the binary digits of ``n`` (largest first), folded from the right.
:class:`Frontier` keeps exactly that list, so the root after any number of
leaves costs O(log n) and memory stays O(log n): verification and checkpoints
stream the ledger once, however long it is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from .offline_verify import leaf_hash, node_hash

EMPTY_ROOT = hashlib.sha256(b"").digest()

__all__ = ["EMPTY_ROOT", "Frontier", "inclusion_paths", "leaf_hash", "node_hash", "root_of"]


class Frontier:
    """The right edge of a growing tree: the roots of its perfect subtrees."""

    def __init__(self, size: int = 0, hashes: Iterable[bytes] = ()) -> None:
        self.size = size
        # (subtree size, subtree root), sizes strictly decreasing.
        self._stack: list[tuple[int, bytes]] = []
        hashes = list(hashes)
        sizes = [1 << bit for bit in reversed(range(size.bit_length())) if size >> bit & 1]
        if len(sizes) != len(hashes):
            raise ValueError("frontier does not match tree size")
        self._stack = list(zip(sizes, hashes, strict=True))

    def append(self, leaf: bytes) -> None:
        """Add one leaf hash (already ``leaf_hash``-ed)."""
        node, width = leaf, 1
        while self._stack and self._stack[-1][0] == width:
            left_width, left = self._stack.pop()
            node = node_hash(left, node)
            width += left_width
        self._stack.append((width, node))
        self.size += 1

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        node = self._stack[-1][1]
        for _width, left in reversed(self._stack[:-1]):
            node = node_hash(left, node)
        return node

    def hashes(self) -> list[bytes]:
        return [h for _w, h in self._stack]


def root_of(leaves: Iterable[bytes]) -> bytes:
    frontier = Frontier()
    for leaf in leaves:
        frontier.append(leaf)
    return frontier.root()


def inclusion_paths(leaves: Iterable[bytes], targets: Iterable[int]) -> tuple[bytes, int, dict[int, list[bytes]]]:
    """Audit paths (RFC 9162 §2.1.3.1, leaf's sibling first) for the leaf
    indices in ``targets``, computed while streaming all leaves once.

    Returns ``(root, tree_size, {index: path})``. Each subtree carries the set
    of target indices inside it; whenever two subtrees are joined, each target
    on one side gets the other side's root as its next path element.
    """
    wanted = set(targets)
    paths: dict[int, list[bytes]] = {i: [] for i in wanted}
    stack: list[tuple[int, bytes, list[int]]] = []  # (width, root, targets inside)

    def join(left: tuple[int, bytes, list[int]], right: tuple[int, bytes, list[int]]) -> tuple[int, bytes, list[int]]:
        for i in left[2]:
            paths[i].append(right[1])
        for i in right[2]:
            paths[i].append(left[1])
        return left[0] + right[0], node_hash(left[1], right[1]), left[2] + right[2]

    size = 0
    for leaf in leaves:
        node = (1, leaf, [size] if size in wanted else [])
        while stack and stack[-1][0] == node[0]:
            node = join(stack.pop(), node)
        stack.append(node)
        size += 1
    missing = wanted - set(range(size))
    if missing:
        raise ValueError(f"leaf indices beyond the tree: {sorted(missing)}")
    if not stack:
        return EMPTY_ROOT, 0, paths
    node = stack[-1]
    for left in reversed(stack[:-1]):
        node = join(left, node)
    return node[1], size, paths
