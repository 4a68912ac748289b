"""Every write to the full-process record, and the checks staff may run on it.

Every service that changes state elsewhere calls :func:`append` inside its own
transaction. Checkpoints (:func:`make_checkpoint`) are made by
``oneteam ledger-checkpoint``, the demo loader or a periodic job.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oneteam.core import rows
from oneteam.core.errors import InvalidInput, NotPermitted

from . import keys
from .access import may_read_ledger
from .chain import GENESIS_HASH, canonical, checkpoint_document, entry_fields, entry_hash, normalise_payload
from .merkle import Frontier, leaf_hash
from .models import LedgerCheckpoint, LedgerEntry, LedgerHead
from .offline_verify import checkpoint_statement
from .verification import LedgerBroken, VerifyReport, verify_ledger

logger = logging.getLogger(__name__)

__all__ = [
    "GENESIS_HASH",
    "LedgerBroken",
    "append",
    "canonical",
    "checkpoint_document",
    "do_verify",
    "entry_fields",
    "entry_hash",
    "history",
    "history_for",
    "make_checkpoint",
    "parse_object_ref",
    "require_ledger_reader",
]

#: Name recorded when no person acted. Stored data, hashed: deliberately not translated.
SYSTEM_ACTOR_NAME = "系统"


# ---------------------------------------------------------------------------
# Appending
# ---------------------------------------------------------------------------



#: The record's own clock, bound at import: a demo or test that replays past
#: dates by replacing ``timezone.now`` cannot backdate the full-process record.
_record_clock = timezone.now

def _object_ref(obj: models.Model | None, object_type: str | None, object_id: Any) -> tuple[str, str]:
    if obj is not None:
        return obj._meta.label_lower, str(obj.pk)
    if object_type is None:
        raise ValueError("append() needs obj or object_type")
    return object_type, str(object_id if object_id is not None else "")


_SQL: dict[str, dict[str, str]] = {}


def _sql(connection) -> dict[str, str]:
    """The head's two statements, built once per backend. Appends are on
    every write path, so they skip the ORM's query compilation (measured:
    about three quarters of an append's cost); the entry itself goes in
    through :func:`oneteam.core.rows.insert` for the same reason."""
    if connection.vendor not in _SQL:
        head = connection.ops.quote_name(LedgerHead._meta.db_table)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        _SQL[connection.vendor] = {
            "lock": f"SELECT seq, hash FROM {head} WHERE id = 1{lock}",
            "advance": f"UPDATE {head} SET seq = %s, hash = %s WHERE id = 1",
        }
    return _SQL[connection.vendor]


def _lock_head(cursor, sql: dict[str, str]) -> tuple[int, str]:
    """Lock and return the chain's tip ``(seq, hash)``. Migration 0003 creates
    the row; if it is missing anyway (a test database after ``flush``, or
    someone deleted it), it is rebuilt from the last entry with an insert that
    ignores conflicts, so two appenders racing here still end up queueing on
    the same row."""
    cursor.execute(sql["lock"])
    row = cursor.fetchone()
    if row is not None:
        return row
    last = LedgerEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    if last is not None:
        logger.warning("ledger head row missing; rebuilt from entry #%s", last[0])
    seq, hash_ = last or (0, GENESIS_HASH)
    LedgerHead.objects.bulk_create([LedgerHead(pk=1, seq=seq, hash=hash_)], ignore_conflicts=True)
    cursor.execute(sql["lock"])
    return cursor.fetchone()


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
    system); ``body`` defaults to the actor's body. ``payload`` must be a JSON
    object; dates and other non-JSON values are stored as strings.

    Appends are serialised by the lock on :class:`LedgerHead` (PostgreSQL) or
    by SQLite's single writer, so sequence numbers have no gaps and every
    entry's ``prev_hash`` is its predecessor's hash.
    """
    return append_many([{"action": action, "actor": actor, "obj": obj, "object_type": object_type,
                         "object_id": object_id, "body": body, "payload": payload}])[0]


def append_many(items: Sequence[dict[str, Any]]) -> list[LedgerEntry]:
    """Append several entries, in order, under one lock of the head: each item
    holds :func:`append`'s keyword arguments (``action`` included). One insert
    for all entries; the chain is the same as from one ``append`` per item.
    Used by the kernel when it starts several processes in one transaction."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("ledger.append() must be called inside transaction.atomic()")
    prepared = []
    for item in items:
        actor, body = item.get("actor"), item.get("body")
        object_type, object_id = _object_ref(item.get("obj"), item.get("object_type"), item.get("object_id"))
        if body is None and actor is not None:
            body = getattr(actor, "body", None)
        # Round trip first so the stored payload is exactly what the hash saw.
        prepared.append((item["action"], actor, body, object_type, object_id, normalise_payload(item.get("payload"))))
    if not prepared:
        return []
    sql = _sql(connection)
    entries = []
    with connection.cursor() as cursor:
        seq, prev_hash = _lock_head(cursor, sql)
        for action, actor, body, object_type, object_id, payload in prepared:
            seq += 1
            entry = LedgerEntry(
                seq=seq,
                recorded_at=_record_clock(),
                actor_id=getattr(actor, "pk", None),
                actor_name=(actor.get_full_name() or actor.get_username()) if actor is not None
                else SYSTEM_ACTOR_NAME,
                body_id=getattr(body, "pk", None),
                body_name=str(body) if body is not None else "",
                object_type=object_type,
                object_id=object_id,
                action=action,
                payload=payload,
                prev_hash=prev_hash,
            )
            entry.hash = prev_hash = entry_hash(entry)
            entries.append(entry)
        rows.insert(entries)
        cursor.execute(sql["advance"], [entries[-1].seq, entries[-1].hash])
    return entries


def history(obj: models.Model):
    """Entries about one object, oldest first."""
    return history_for(obj._meta.label_lower, obj.pk)


def history_for(object_type: str, object_id: Any):
    return LedgerEntry.objects.filter(object_type=object_type, object_id=str(object_id)).order_by("seq")


def parse_object_ref(ref: str) -> tuple[str, str]:
    """``"org.township:5"`` → ``("org.township", "5")``."""
    object_type, sep, object_id = (ref or "").strip().partition(":")
    if not sep or not object_type or not object_id or "." not in object_type:
        raise InvalidInput(_("对象应写作“应用.模型:编号”，例如 org.township:5。"), code="bad_object_ref")
    return object_type.strip().lower(), object_id.strip()


# ---------------------------------------------------------------------------
# Checkpoints
# ---------------------------------------------------------------------------


def ledger_origin() -> str:
    """Names this installation's ledger inside every signed checkpoint."""
    return str(getattr(settings, "ONETEAM", {}).get("LEDGER_ORIGIN") or "oneteam")


def make_checkpoint(*, force: bool = False) -> tuple[LedgerCheckpoint, bool]:
    """Sign the Merkle root of every committed entry.

    Preconditions: none; the signing key is created on first use. If the latest
    checkpoint already covers every entry, it is returned unchanged
    (``created=False``) unless ``force``. Only entries after the previous
    checkpoint are read (its stored frontier carries the rest); their sequence
    numbers and links are checked on the way, and a broken chain is refused
    with :class:`LedgerBroken` rather than signed.

    Reading happens outside any transaction, so appends are never blocked:
    entries up to the committed tip are immutable. Returns ``(checkpoint, created)``.
    """
    key = keys.signing_key()
    tip = LedgerEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    size, head_hash = tip or (0, GENESIS_HASH)
    base = LedgerCheckpoint.objects.filter(tree_size__lte=size).order_by("-tree_size", "-id").first()
    if base is not None and base.tree_size == size and not force:
        return base, False

    frontier, prev_seq, prev_hash = Frontier(), 0, GENESIS_HASH
    if base is not None:
        try:
            frontier = Frontier(base.tree_size, [bytes.fromhex(h) for h in base.frontier])
            prev_seq, prev_hash = base.tree_size, base.head_hash
        except ValueError:
            frontier = Frontier()
    rows = (
        LedgerEntry.objects.filter(seq__gt=prev_seq, seq__lte=size)
        .order_by("seq")
        .values_list("seq", "prev_hash", "hash")
        .iterator(chunk_size=5000)
    )
    for seq, entry_prev, entry_hash_ in rows:
        if seq != prev_seq + 1:
            raise LedgerBroken(_("第 %(seq)s 条缺失，不能签署检查点；请运行 verify-ledger。") % {"seq": prev_seq + 1})
        if entry_prev != prev_hash:
            raise LedgerBroken(
                _("第 %(seq)s 条与前一条链接不符，不能签署检查点；请运行 verify-ledger。") % {"seq": seq}
            )
        frontier.append(leaf_hash(entry_hash_))
        prev_seq, prev_hash = seq, entry_hash_
    if prev_seq != size:
        raise LedgerBroken(_("第 %(seq)s 条缺失，不能签署检查点；请运行 verify-ledger。") % {"seq": prev_seq + 1})

    created_at = _record_clock()
    checkpoint = LedgerCheckpoint(
        tree_size=size,
        root=frontier.root().hex(),
        head_hash=head_hash,
        created_at=created_at,
        origin=ledger_origin(),
        public_key=key.public_hex,
        key_id=key.key_id,
        frontier=[h.hex() for h in frontier.hashes()],
    )
    checkpoint.signature = key.sign(checkpoint_statement(checkpoint_document(checkpoint, signed=False)))
    with transaction.atomic():
        checkpoint.save()
    logger.info("ledger checkpoint %s: %s entries, root %s", checkpoint.pk, size, checkpoint.root)
    return checkpoint, True


# ---------------------------------------------------------------------------
# Checks staff may run
# ---------------------------------------------------------------------------


def require_ledger_reader(user) -> None:
    """Refuse anyone but administrators and supervisors (see :mod:`.access`)."""
    if not may_read_ledger(user):
        raise NotPermitted(_("只有系统管理员和指导办督查人员可以查看和核验全过程记录。"))


def do_verify(*, actor) -> VerifyReport:
    """Recompute the chain and every checkpoint (the "verify now" button).

    Preconditions: ``actor`` is an administrator or supervisor. Changes
    nothing and records nothing in the ledger (a check is not a change);
    the outcome is logged."""
    require_ledger_reader(actor)
    report = verify_ledger()
    log = logger.info if report.ok else logger.error
    log("ledger verified by user %s: %s", getattr(actor, "pk", None), report.summary())
    return report
