"""What an entry's hash commits to. The byte-level rules live in
:mod:`oneteam.ledger.offline_verify` (the reference implementation shipped to
other bodies); this module maps database rows onto them."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

from .offline_verify import CHECKPOINT_TYPE, ENTRY_FIELDS, GENESIS_HASH
from .offline_verify import entry_hash as _spec_entry_hash

__all__ = [
    "ENTRY_FIELDS",
    "GENESIS_HASH",
    "canonical",
    "checkpoint_document",
    "entry_fields",
    "entry_hash",
    "format_time",
    "normalise_payload",
    "row_fields",
]


def canonical(data: Any) -> bytes:
    """Canonical JSON: sorted keys, no whitespace, UTF-8, non-ASCII kept.

    Same bytes as ``offline_verify.canonical`` for JSON values; values JSON
    cannot hold (dates, decimals …) are written as ``str()`` so callers may pass
    them in payloads."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=str
    ).encode()


def format_time(value: dt.datetime) -> str:
    """Times as hashed and signed: UTC, ISO 8601, microseconds, ``+00:00``."""
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _normalise(value: Any) -> Any:
    """Make a JSON value survive a round trip through any backend unchanged.

    PostgreSQL's jsonb stores numbers as ``numeric``: it drops the sign of -0.0
    and prints 1e+16 back as ``10000000000000000``, which Python reads as an
    int. Writing those the way jsonb will give them back keeps the hash
    computed at append time equal to the hash recomputed on read."""
    if isinstance(value, float):
        if value == 0:
            return 0.0
        if math.isfinite(value) and abs(value) >= 1e16:
            return int(value)
        return value
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return value


def normalise_payload(payload: dict[str, Any] | None) -> dict[str, Any]:
    """The payload exactly as it will be stored and read back (a JSON round trip)."""
    payload = json.loads(canonical(payload or {}))
    if not isinstance(payload, dict):
        raise TypeError("ledger payload must be a JSON object")
    return _normalise(payload)


def entry_fields(entry) -> dict[str, Any]:
    """The fields an entry's hash commits to, in a form an offline verifier can rebuild."""
    return {
        "seq": entry.seq,
        "recorded_at": format_time(entry.recorded_at),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "body_id": entry.body_id,
        "body_name": entry.body_name,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "action": entry.action,
        "payload": entry.payload,
        "prev_hash": entry.prev_hash,
    }


#: Column order of :func:`row_fields` (for ``values_list``), then ``hash``.
ROW_COLUMNS = (*ENTRY_FIELDS, "hash")


def row_fields(row: tuple) -> dict[str, Any]:
    """Like :func:`entry_fields` for a ``values_list(*ROW_COLUMNS)`` row (fast path for verification)."""
    fields = dict(zip(ENTRY_FIELDS, row, strict=False))
    fields["recorded_at"] = format_time(fields["recorded_at"])
    return fields


def entry_hash(entry) -> str:
    return _spec_entry_hash(entry_fields(entry))


def checkpoint_document(checkpoint, *, signed: bool = True) -> dict[str, Any]:
    """The exportable form of a checkpoint: what another body keeps a copy of.
    Without ``signed`` it is the statement the signature is computed over."""
    doc: dict[str, Any] = {
        "type": CHECKPOINT_TYPE,
        "origin": checkpoint.origin,
        "tree_size": checkpoint.tree_size,
        "root": checkpoint.root,
        "head_hash": checkpoint.head_hash,
        "created_at": format_time(checkpoint.created_at),
        "public_key": checkpoint.public_key,
        "key_id": checkpoint.key_id,
    }
    if signed:
        doc["signature"] = checkpoint.signature
    return doc
