"""Roll-ups of the kernel's raw rows for the metrics pages (M3.5).

Two tables, both derived: they can be dropped and rebuilt from the kernel's
processes, parties, transitions and deadlines at any time
(:func:`oneteam.oversight.rollups.rebuild`), which is also the proof that they
are right. They are kept current inside the transaction of every kernel
action (:func:`oneteam.oversight.rollups.on_transition`).

- :class:`UnitFact`: what one process counts for one body that is (or was)
  its assignee — one row per assignee party, with 0/1 flags.
- :class:`UnitDayStats`: the sum of those flags per local day (the day the
  process was created), flow kind, assignee body and township. Metrics over a
  year read a few tens of thousands of these rows instead of scanning every
  transition.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

#: The counters of a fact and of a day's roll-up, in this order everywhere
#: (SQL column lists, deltas, exports).
COUNTERS = (
    "dispatched", "returned", "responded", "responded_on_time", "handled", "handled_on_time",
    "reworked", "closed", "closed_on_time", "visits", "satisfied",
)

COUNTER_LABELS = {
    "dispatched": _("派遣数"),
    "returned": _("回退数"),
    "responded": _("签收数"),
    "responded_on_time": _("按时签收数"),
    "handled": _("处置数"),
    "handled_on_time": _("按期处置数"),
    "reworked": _("返工数"),
    "closed": _("结案数"),
    "closed_on_time": _("按期结案数"),
    "visits": _("回访数"),
    "satisfied": _("满意数"),
    "overdue_now": _("当前超期"),
}


def _counter(label) -> models.IntegerField:
    # Not Positive…: the upsert inserts a (possibly negative) delta, and the
    # CHECK would be tested on that candidate row before the conflict resolves.
    return models.IntegerField(label, default=0)


class UnitFact(models.Model):
    """What one process counts for one assignee body (flags are 0 or 1).

    ``day`` is the local date the process was created (the cohort: a lead
    reported in March counts in March, whenever it is closed); ``township_id``
    is the process's township (0 when it has none). Derived from the kernel's
    rows; see ``docs/metrics.md`` for the exact convention of each flag."""

    # Looked up through the unique (process, body) and body_day: no indexes of their own.
    process = models.ForeignKey("workflow.Process", on_delete=models.CASCADE, related_name="+", db_index=False)
    body = models.ForeignKey("org.Body", on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField(_("类型"), max_length=40)
    day = models.DateField(_("日期"))
    #: The process's township, 0 when none (a plain column so it can be part of the upsert key).
    township_id = models.BigIntegerField(_("乡镇"), default=0)
    dispatched = models.PositiveSmallIntegerField(default=1)
    returned = models.PositiveSmallIntegerField(default=0)
    responded = models.PositiveSmallIntegerField(default=0)
    responded_on_time = models.PositiveSmallIntegerField(default=0)
    handled = models.PositiveSmallIntegerField(default=0)
    handled_on_time = models.PositiveSmallIntegerField(default=0)
    reworked = models.PositiveSmallIntegerField(default=0)
    closed = models.PositiveSmallIntegerField(default=0)
    closed_on_time = models.PositiveSmallIntegerField(default=0)
    visits = models.PositiveSmallIntegerField(default=0)
    satisfied = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("单位计数明细")
        verbose_name_plural = _("单位计数明细")
        constraints = [models.UniqueConstraint(fields=["process", "body"], name="oversight_unitfact_unique")]
        indexes = [
            models.Index(fields=["body", "kind", "day"], name="oversight_unitfact_body_day"),
            models.Index(fields=["township_id", "kind", "day"], name="oversight_unitfact_town_day"),
            models.Index(fields=["day"], name="oversight_unitfact_day"),
        ]

    def __str__(self) -> str:
        return f"{self.process_id}@{self.body_id}"


class UnitDayStats(models.Model):
    """Per local day, flow kind, assignee body and township: the sums of the
    :class:`UnitFact` flags of the processes created that day. Updated with
    ``n = n + delta`` in the same transaction as each kernel action."""

    day = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=40)
    body = models.ForeignKey("org.Body", verbose_name=_("承办单位"), on_delete=models.CASCADE, related_name="+")
    township_id = models.BigIntegerField(_("乡镇"), default=0)
    dispatched = _counter(_("派遣数"))
    returned = _counter(_("回退数"))
    responded = _counter(_("签收数"))
    responded_on_time = _counter(_("按时签收数"))
    handled = _counter(_("处置数"))
    handled_on_time = _counter(_("按期处置数"))
    reworked = _counter(_("返工数"))
    closed = _counter(_("结案数"))
    closed_on_time = _counter(_("按期结案数"))
    visits = _counter(_("回访数"))
    satisfied = _counter(_("满意数"))

    class Meta:
        verbose_name = _("单位日统计")
        verbose_name_plural = _("单位日统计")
        constraints = [
            models.UniqueConstraint(fields=["day", "kind", "body", "township_id"], name="oversight_unitdaystats_key"),
        ]
        indexes = [models.Index(fields=["kind", "day"], name="oversight_stats_kind_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.body_id}"
