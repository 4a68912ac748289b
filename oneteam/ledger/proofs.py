"""Inclusion proofs: one object's entries, provable offline against a signed checkpoint.

The proof document carries each entry's fields and hash, its leaf index and
audit path, and the signed checkpoint. ``offline_verify.py`` (standard library
plus ``cryptography``) checks it without OneTeam or its database.

An inclusion proof shows that the entries it carries are in the record; it
cannot show that no other entry about the object exists. A full export with
the checkpoint shows that.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from oneteam.core.errors import InvalidInput

from .chain import checkpoint_document, entry_fields, entry_hash, format_time
from .merkle import inclusion_paths, leaf_hash
from .models import LedgerCheckpoint, LedgerEntry
from .offline_verify import PROOF_TYPE
from .services import make_checkpoint
from .verification import LedgerBroken


def inclusion_proof(object_type: str, object_id: str, *, new_checkpoint: bool = True) -> dict[str, Any]:
    """Build the proof for every entry about ``object_type:object_id``.

    If the latest checkpoint does not cover the object's newest entry, a new
    checkpoint is signed first (unless ``new_checkpoint=False``, in which case
    the newer entries are listed as ``uncovered_seqs``). Refuses with
    :class:`LedgerBroken` if an entry does not match its hash or the entries no
    longer give the checkpoint's root: a proof of a broken record is no proof.
    """
    entries = list(LedgerEntry.objects.filter(object_type=object_type, object_id=object_id).order_by("seq"))
    if not entries:
        raise InvalidInput(
            _("全过程记录中没有关于 %(obj)s 的条目。") % {"obj": f"{object_type}:{object_id}"}, code="no_entries"
        )
    checkpoint = LedgerCheckpoint.objects.order_by("-tree_size", "-id").first()
    if new_checkpoint and (checkpoint is None or checkpoint.tree_size < entries[-1].seq):
        checkpoint, _created = make_checkpoint()
    if checkpoint is None:
        raise InvalidInput(_("还没有检查点，请先运行 ledger-checkpoint。"), code="no_checkpoint")

    covered = [e for e in entries if e.seq <= checkpoint.tree_size]
    for entry in covered:
        if entry_hash(entry) != entry.hash:
            raise LedgerBroken(
                _("第 %(seq)s 条的内容与其哈希不符，不能出具证明；请运行 verify-ledger。") % {"seq": entry.seq}
            )
    leaves = (
        leaf_hash(h)
        for h in LedgerEntry.objects.filter(seq__lte=checkpoint.tree_size)
        .order_by("seq")
        .values_list("hash", flat=True)
        .iterator(chunk_size=5000)
    )
    root, size, paths = inclusion_paths(leaves, [e.seq - 1 for e in covered])
    if size != checkpoint.tree_size or root.hex() != checkpoint.root:
        raise LedgerBroken(
            _("记录与检查点 %(id)s 不一致，不能出具证明；请运行 verify-ledger。") % {"id": checkpoint.pk}
        )
    return {
        "type": PROOF_TYPE,
        "object": {"type": object_type, "id": object_id},
        "generated_at": format_time(timezone.now()),
        "checkpoint": checkpoint_document(checkpoint),
        "entries": [
            {
                "entry": {**entry_fields(e), "hash": e.hash},
                "leaf_index": e.seq - 1,
                "audit_path": [p.hex() for p in paths[e.seq - 1]],
            }
            for e in covered
        ],
        "uncovered_seqs": [e.seq for e in entries if e.seq > checkpoint.tree_size],
    }
