"""The tamper-evident full-process record (执法全过程记录).

The ledger is self-contained on purpose: it copies the actor's and body's names
and refers to objects by type and id instead of foreign keys, so no deletion or
rename elsewhere can change or cascade into it, and it can be verified from an
export alone.

Rows are append-only. The querysets and ``save()``/``delete()`` below refuse
changes in Python with a clear error; database triggers (migration 0004) refuse
them for any SQL that gets past the ORM.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .access import may_read_ledger


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete a ledger row through the ORM."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model._meta.label} rows are append-only: update() refused")

    def delete(self):
        raise AppendOnlyError(f"{self.model._meta.label} rows are append-only: delete() refused")

    def visible_to(self, user) -> models.QuerySet:
        return self.all() if may_read_ledger(user) else self.none()


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{self._meta.label} rows are append-only: save() of an existing row refused")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{self._meta.label} rows are append-only: delete() refused")


class LedgerHead(models.Model):
    """Singleton row holding the chain's tip (sequence number and hash of the
    last entry). Appenders lock it (``SELECT … FOR UPDATE``), which serialises
    appends on PostgreSQL; SQLite serialises write transactions itself
    (``transaction_mode=IMMEDIATE``). Migration 0003 creates the row, so two
    first-ever appends never race to create it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("记录链头")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


class LedgerEntry(AppendOnlyModel):
    """One fact in the full-process record: an action, upload, decision or
    master-data change, written in the same transaction as the change itself.
    ``hash`` commits to the entry's canonical serialisation and ``prev_hash``."""

    seq = models.BigIntegerField(_("序号"), unique=True)
    recorded_at = models.DateTimeField(_("时间"))
    actor_id = models.BigIntegerField(_("操作人ID"), null=True, blank=True)
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    body_id = models.BigIntegerField(_("单位ID"), null=True, blank=True)
    body_name = models.CharField(_("单位"), max_length=200, blank=True)
    object_type = models.CharField(_("对象类型"), max_length=100)
    object_id = models.CharField(_("对象ID"), max_length=64)
    action = models.CharField(_("动作"), max_length=100)
    payload = models.JSONField(_("内容"), default=dict)
    prev_hash = models.CharField(_("前一条哈希"), max_length=64)
    hash = models.CharField(_("本条哈希"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("全过程记录条目")
        verbose_name_plural = _("全过程记录")
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id", "seq"], name="ledger_entry_object_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(seq__gt=0), name="ledger_ledgerentry_seq_positive"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    @property
    def object_ref(self) -> str:
        return f"{self.object_type}:{self.object_id}"


class LedgerCheckpoint(AppendOnlyModel):
    """A signed statement that the first ``tree_size`` entries have Merkle root
    ``root`` and that the chain's hash at that point is ``head_hash``.

    The signature (Ed25519, key kept outside the database) is over the canonical
    statement (see ``offline_verify.checkpoint_statement``), in which the time
    is written as UTC ISO 8601 with microseconds. A copy exported to another body
    lets it detect any later rewrite of those entries. ``frontier`` is the
    right edge of the tree, so the next checkpoint only hashes newer entries; it
    is a cache, not part of what is signed or trusted."""

    tree_size = models.BigIntegerField(_("覆盖条数"))
    root = models.CharField(_("根哈希"), max_length=64)
    head_hash = models.CharField(_("链头哈希"), max_length=64)
    created_at = models.DateTimeField(_("签署时间"))
    origin = models.CharField(_("来源"), max_length=100)
    public_key = models.CharField(_("签名公钥"), max_length=64)
    key_id = models.CharField(_("公钥指纹"), max_length=16)
    signature = models.CharField(_("签名"), max_length=128)
    frontier = models.JSONField(default=list)

    class Meta:
        verbose_name = _("记录检查点")
        verbose_name_plural = _("记录检查点")
        ordering = ["-tree_size", "-id"]
        indexes = [models.Index(fields=["tree_size"], name="ledger_checkpoint_size_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(tree_size__gte=0), name="ledger_ledgercheckpoint_size_not_negative"),
        ]

    def __str__(self) -> str:
        return f"≤#{self.tree_size} {self.root[:12]}"
