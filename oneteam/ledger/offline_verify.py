"""Offline verification of a OneTeam ledger inclusion proof.

Usage::

    python -m oneteam.ledger.offline_verify proof.json [--public-key KEY.pem]
    python offline_verify.py proof.json          # this file alone works too

Checks, for every entry in the proof, that its fields hash to its recorded
hash, that its audit path leads from its leaf to the checkpoint's Merkle root,
and that the checkpoint is signed by the Ed25519 key in the file (or by the key
given with ``--public-key``, which is what a body holding its own copy of the
public key should do). Exit status 0: all good; 1: a check failed; 2: the file
could not be read.

This file is also the reference implementation of the record's hashing rules
(see docs/ledger.md); the OneTeam application imports its primitives, so the
two cannot drift apart. It uses only the Python standard library and the
``cryptography`` package on purpose: copy it anywhere, it needs no Django and no
database.
"""

from __future__ import annotations

import argparse
import gettext
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

_ = gettext.gettext

CHECKPOINT_TYPE = "oneteam-ledger-checkpoint/v1"
PROOF_TYPE = "oneteam-ledger-proof/v1"
GENESIS_HASH = "0" * 64
#: Fields of an entry that its hash commits to (everything except ``hash`` itself).
ENTRY_FIELDS = (
    "seq",
    "recorded_at",
    "actor_id",
    "actor_name",
    "body_id",
    "body_name",
    "object_type",
    "object_id",
    "action",
    "payload",
    "prev_hash",
)
#: Fields of a checkpoint that its signature commits to.
STATEMENT_FIELDS = ("type", "origin", "tree_size", "root", "head_hash", "created_at")


# ---------------------------------------------------------------------------
# Primitives: the format
# ---------------------------------------------------------------------------


def canonical(value: Any) -> bytes:
    """Canonical JSON: keys sorted by code point, no whitespace, non-ASCII kept
    as UTF-8, no NaN/Infinity. Numbers are written as Python writes them
    (integers in decimal, floats by ``repr``)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def entry_hash(fields: dict[str, Any]) -> str:
    """Hex SHA-256 of the canonical serialisation of an entry's fields."""
    return hashlib.sha256(canonical({name: fields[name] for name in ENTRY_FIELDS})).hexdigest()


def leaf_hash(entry_hash_hex: str) -> bytes:
    """RFC 6962 leaf hash. The leaf input is the entry's 32-byte hash, which
    commits to every field of the entry."""
    return sha256(b"\x00" + bytes.fromhex(entry_hash_hex))


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 6962 interior node hash."""
    return sha256(b"\x01" + left + right)


def checkpoint_statement(checkpoint: dict[str, Any]) -> bytes:
    """The bytes a checkpoint's Ed25519 signature is over."""
    return canonical({name: checkpoint[name] for name in STATEMENT_FIELDS})


def key_id(public_key_hex: str) -> str:
    """Short fingerprint of a raw Ed25519 public key: first 16 hex digits of its SHA-256."""
    return hashlib.sha256(bytes.fromhex(public_key_hex)).hexdigest()[:16]


def root_from_inclusion_path(leaf: bytes, index: int, tree_size: int, path: list[bytes]) -> bytes | None:
    """The root an audit path leads to (RFC 9162 §2.1.3.2), or None if the path
    has the wrong length for ``index`` in a tree of ``tree_size`` leaves."""
    if not 0 <= index < tree_size:
        return None
    fn, sn, r = index, tree_size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        return None
    return r


def verify_signature(public_key_hex: str, signature_hex: str, message: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
        key.verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def load_public_key_hex(text: str) -> str:
    """A raw public key in hex, from PEM (SubjectPublicKeyInfo) or 64 hex digits."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        from cryptography.hazmat.primitives import serialization

        key = serialization.load_pem_public_key(text.encode())
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return raw.hex()
    bytes.fromhex(text)  # raises ValueError on anything else
    return text.lower()


# ---------------------------------------------------------------------------
# Verifying a proof file
# ---------------------------------------------------------------------------


class ProofError(Exception):
    """A check failed; the message says which and why."""


def verify_checkpoint(checkpoint: dict[str, Any], *, pinned_key_hex: str | None = None) -> None:
    if checkpoint.get("type") != CHECKPOINT_TYPE:
        raise ProofError(_("检查点格式不受支持：%s") % checkpoint.get("type"))
    if pinned_key_hex is not None and checkpoint["public_key"].lower() != pinned_key_hex.lower():
        raise ProofError(
            _("检查点的签名公钥（指纹 %(got)s）不是指定的公钥（指纹 %(want)s）。")
            % {"got": key_id(checkpoint["public_key"]), "want": key_id(pinned_key_hex)}
        )
    if checkpoint.get("key_id") and checkpoint["key_id"] != key_id(checkpoint["public_key"]):
        raise ProofError(_("检查点的公钥指纹与公钥不符。"))
    if not verify_signature(checkpoint["public_key"], checkpoint["signature"], checkpoint_statement(checkpoint)):
        raise ProofError(_("检查点签名无效：树规模、根哈希或时间在签名后被改动，或签名不属于该公钥。"))


def verify_proof_entry(item: dict[str, Any], checkpoint: dict[str, Any], obj: dict[str, str] | None) -> None:
    entry = item["entry"]
    seq = entry["seq"]
    recomputed = entry_hash(entry)
    if recomputed != entry["hash"]:
        raise ProofError(
            _("第 %(seq)s 条：内容与其哈希不符（记录 %(got)s…，重新计算 %(want)s…）。")
            % {"seq": seq, "got": entry["hash"][:16], "want": recomputed[:16]}
        )
    if obj is not None and (entry["object_type"], entry["object_id"]) != (obj["type"], obj["id"]):
        raise ProofError(_("第 %(seq)s 条不属于证明所述的对象。") % {"seq": seq})
    index = item["leaf_index"]
    if index != seq - 1:
        raise ProofError(
            _("第 %(seq)s 条的叶子序号应为 %(want)s，文件中为 %(got)s。") % {"seq": seq, "want": seq - 1, "got": index}
        )
    tree_size = checkpoint["tree_size"]
    if seq == tree_size and entry["hash"] != checkpoint["head_hash"]:
        raise ProofError(_("第 %(seq)s 条是检查点的最后一条，但其哈希与检查点记录的链头哈希不符。") % {"seq": seq})
    path = [bytes.fromhex(h) for h in item["audit_path"]]
    root = root_from_inclusion_path(leaf_hash(entry["hash"]), index, tree_size, path)
    if root is None:
        raise ProofError(
            _("第 %(seq)s 条：审计路径长度与其在 %(n)s 条的树中的位置不符。") % {"seq": seq, "n": tree_size}
        )
    if root.hex() != checkpoint["root"]:
        raise ProofError(_("第 %(seq)s 条：审计路径算出的根哈希与检查点的根哈希不符。") % {"seq": seq})


def verify_proof(proof: dict[str, Any], *, pinned_key_hex: str | None = None) -> list[str]:
    """Verify a proof document; returns report lines, raises :class:`ProofError`."""
    if proof.get("type") != PROOF_TYPE:
        raise ProofError(_("证明文件格式不受支持：%s") % proof.get("type"))
    checkpoint = proof["checkpoint"]
    verify_checkpoint(checkpoint, pinned_key_hex=pinned_key_hex)
    obj = proof.get("object")
    items = proof.get("entries", [])
    for item in items:
        verify_proof_entry(item, checkpoint, obj)
    lines = [
        _("检查点：共 %(n)s 条，根哈希 %(root)s，签署于 %(at)s，公钥指纹 %(kid)s。")
        % {
            "n": checkpoint["tree_size"],
            "root": checkpoint["root"],
            "at": checkpoint["created_at"],
            "kid": key_id(checkpoint["public_key"]),
        },
    ]
    if obj is not None:
        lines.append(_("对象：%(type)s:%(id)s") % obj)
    lines.append(_("已核验 %(n)s 条记录：内容、审计路径、根哈希和签名均一致。") % {"n": len(items)})
    uncovered = proof.get("uncovered_seqs") or []
    if uncovered:
        lines.append(_("注意：第 %s 条晚于该检查点，本证明未覆盖。") % "、".join(str(s) for s in uncovered))
    if pinned_key_hex is None:
        lines.append(
            _(
                "注意：签名是用文件自带的公钥核验的。请将上面的公钥指纹与你方保存的公钥比对，"
                "或用 --public-key 指定公钥。"
            )
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=_("离线核验全过程记录的包含证明"))
    parser.add_argument("proof", type=Path, help=_("ledger-proof 导出的 JSON 文件"))
    parser.add_argument("--public-key", type=Path, help=_("你方保存的签名公钥（PEM 或十六进制）"))
    args = parser.parse_args(argv)
    try:
        proof = json.loads(args.proof.read_text(encoding="utf-8"))
        pinned = load_public_key_hex(args.public_key.read_text(encoding="utf-8")) if args.public_key else None
    except (OSError, ValueError) as exc:
        print(_("无法读取：%s") % exc, file=sys.stderr)
        return 2
    try:
        lines = verify_proof(proof, pinned_key_hex=pinned)
    except ProofError as exc:
        print(_("核验失败：%s") % exc)
        return 1
    except (KeyError, TypeError, ValueError) as exc:
        print(_("核验失败：证明文件缺少字段或格式有误（%s）。") % exc)
        return 1
    print(_("核验通过。"))
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
