"""The core context's one table: generations of the per-process memos."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MemoGeneration(models.Model):
    """How many times the data behind one memo (``oneteam.core.memo``) has
    changed. Every server process compares its memo's generation with this
    row every few seconds and drops the memo when it moved. A cache
    coordination counter, not a record: not in the ledger."""

    name = models.CharField(_("名称"), max_length=60, primary_key=True)
    generation = models.BigIntegerField(_("代数"), default=0)

    class Meta:
        verbose_name = _("缓存代数")
        verbose_name_plural = _("缓存代数")

    def __str__(self) -> str:
        return f"{self.name} #{self.generation}"
