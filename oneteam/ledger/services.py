"""Appending to the full-process record. Every service that changes state calls
:func:`append` inside its own transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .models import LedgerEntry, LedgerHead

GENESIS_HASH = "0" * 64


def canonical(data: dict[str, Any]) -> bytes:
    """Canonical JSON: sorted keys, no whitespace, UTF-8, non-ASCII kept."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def entry_fields(entry: LedgerEntry) -> dict[str, Any]:
    """The fields an entry's hash commits to, in a form an offline verifier can rebuild."""
    return {
        "seq": entry.seq,
        "recorded_at": entry.recorded_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
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


def entry_hash(entry: LedgerEntry) -> str:
    return hashlib.sha256(canonical(entry_fields(entry))).hexdigest()


def _object_ref(obj: models.Model | None, object_type: str | None, object_id: Any) -> tuple[str, str]:
    if obj is not None:
        return obj._meta.label_lower, str(obj.pk)
    if object_type is None:
        raise ValueError("append() needs obj or object_type")
    return object_type, str(object_id if object_id is not None else "")


def append(
    action: str,
    *,
    actor=None,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: Any = None,
    body=None,
    payload: dict[str, Any] | None = None,
) -> LedgerEntry:
    """Append one entry to the chain.

    Must run inside the caller's transaction so the record and the change it
    records commit or roll back together. ``actor`` is a user (or None for the
    system); ``body`` defaults to the actor's body.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger.append() must be called inside transaction.atomic()")
    object_type, object_id = _object_ref(obj, object_type, object_id)
    if body is None and actor is not None:
        body = getattr(actor, "body", None)
    # JSON round trip so the stored payload equals what the hash saw.
    payload = json.loads(canonical(payload or {}))
    head, _ = LedgerHead.objects.select_for_update().get_or_create(pk=1)
    entry = LedgerEntry(
        seq=head.seq + 1,
        recorded_at=timezone.now(),
        actor_id=getattr(actor, "pk", None),
        actor_name=(actor.get_full_name() or actor.get_username()) if actor is not None else "系统",
        body_id=getattr(body, "pk", None),
        body_name=str(body) if body is not None else "",
        object_type=object_type,
        object_id=object_id,
        action=action,
        payload=payload,
        prev_hash=head.hash,
    )
    entry.hash = entry_hash(entry)
    entry.save(force_insert=True)
    LedgerHead.objects.filter(pk=1).update(seq=entry.seq, hash=entry.hash)
    return entry


def history(obj: models.Model):
    """Entries about one object, oldest first."""
    return LedgerEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("seq")
