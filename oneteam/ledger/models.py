"""The tamper-evident full-process record (执法全过程记录).

The ledger is self-contained on purpose: it copies the actor's and body's names
and refers to objects by type and id instead of foreign keys, so no deletion or
rename elsewhere can change or cascade into it, and it can be verified from an
export alone.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerHead(models.Model):
    """Singleton row holding the chain's tip. Appenders lock it, which
    serialises appends on PostgreSQL; SQLite serialises write transactions
    itself (``transaction_mode=IMMEDIATE``)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("记录链头")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


class LedgerEntry(models.Model):
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

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"
