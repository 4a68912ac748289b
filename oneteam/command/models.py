"""Coordinated command: leads (events) from every channel, the categories and
their filing/closing standards, external systems, duplicate suggestions and
grid patrols (M3, M4). The closed loop itself is the ``event`` flow on the
workflow kernel (``flows.py``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oneteam.core.memo import Memo
from oneteam.org.models import ScopedQuerySet
from oneteam.workflow.models import FollowsProcessQuerySet, Process, ProcessRecord
from oneteam.worktime.engine import Period, PeriodKind

from .choices import Channel, DissuasionOutcome, Level, Urgency

PERIOD_KINDS = [(k.value, k.value) for k in PeriodKind]


class EventCategory(models.Model):
    """A kind of lead (e.g. 占道经营) with its filing and closing standards
    (立结案标准): the conditions a dispatcher must confirm to file and to close,
    and the response and handling times for normal and urgent leads. Maps to
    catalog matters by code; the first is the one routed."""

    code = models.CharField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    field = models.CharField(_("领域"), max_length=40, blank=True)
    matter_codes = models.JSONField(_("对应执法事项代码"), default=list, blank=True)
    level = models.CharField(_("指挥层级"), max_length=20, choices=Level.choices, default=Level.TOWNSHIP)
    filing_conditions = models.JSONField(_("立案条件"), default=list, blank=True)
    closing_conditions = models.JSONField(_("结案条件"), default=list, blank=True)
    dispatch_kind = models.CharField(_("派遣时限类型"), max_length=20, choices=PERIOD_KINDS,
                                     default=PeriodKind.WORKING_HOURS)
    dispatch_amount = models.PositiveIntegerField(_("派遣时限"), default=2)
    respond_kind = models.CharField(_("响应时限类型"), max_length=20, choices=PERIOD_KINDS,
                                    default=PeriodKind.WORKING_HOURS)
    respond_amount = models.PositiveIntegerField(_("响应时限"), default=2)
    handle_kind = models.CharField(_("处置时限类型"), max_length=20, choices=PERIOD_KINDS,
                                   default=PeriodKind.WORKING_DAYS)
    handle_amount = models.PositiveIntegerField(_("处置时限"), default=3)
    urgent_respond_kind = models.CharField(_("紧急响应时限类型"), max_length=20, choices=PERIOD_KINDS,
                                           default=PeriodKind.NATURAL_HOURS)
    urgent_respond_amount = models.PositiveIntegerField(_("紧急响应时限"), default=1)
    urgent_handle_kind = models.CharField(_("紧急处置时限类型"), max_length=20, choices=PERIOD_KINDS,
                                          default=PeriodKind.NATURAL_HOURS)
    urgent_handle_amount = models.PositiveIntegerField(_("紧急处置时限"), default=4)
    verify_kind = models.CharField(_("核查时限类型"), max_length=20, choices=PERIOD_KINDS,
                                   default=PeriodKind.WORKING_DAYS)
    verify_amount = models.PositiveIntegerField(_("核查时限"), default=1)
    open311_code = models.CharField(_("Open311服务代码"), max_length=40, blank=True)
    keywords = models.CharField(_("关键词"), max_length=200, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("事件类别")
        verbose_name_plural = _("事件类别")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def service_code(self) -> str:
        return self.open311_code or self.code

    def period(self, which: str, urgency: str = Urgency.NORMAL) -> Period:
        """``which`` is dispatch / respond / handle / verify."""
        prefix = f"urgent_{which}" if urgency == Urgency.URGENT and which in ("respond", "handle") else which
        return Period(PeriodKind(getattr(self, f"{prefix}_kind")), getattr(self, f"{prefix}_amount"))


class ExternalSystem(models.Model):
    """A system that files and follows leads through the API or Open311
    (12345 hotline, 四平台 …). Its key is shown once and stored hashed."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    body = models.ForeignKey("org.Body", verbose_name=_("代表单位"), on_delete=models.PROTECT,
                             related_name="external_systems")
    channel = models.CharField(_("渠道"), max_length=30, choices=Channel.choices, default=Channel.EXTERNAL_SYSTEM)
    key_prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("外部系统")
        verbose_name_plural = _("外部系统")

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return f"ot_{secrets.token_urlsafe(8)[:8]}_{secrets.token_urlsafe(24)}"

    @classmethod
    def authenticate(cls, key: str | None) -> ExternalSystem | None:
        if not key or not key.startswith("ot_") or key.count("_") < 2:
            return None
        prefix, digest = key[:11], cls.hash_key(key)

        def compute():
            found = cls.objects.filter(key_prefix=prefix, active=True).select_related("body").first()
            return found if found is not None and secrets.compare_digest(found.key_hash, digest) else None

        # Only valid keys are kept: wrong ones must not grow the memo.
        return _systems.get(digest, compute, keep=lambda found: found is not None)


#: Systems by key digest: a request authenticates without a query. A key
#: revoked or rotated stops working at once in the process that changed it,
#: and within the memo's ``recheck`` (5 s) in other server processes.
_systems = Memo("command.external_systems", watch=["command.ExternalSystem", "org.Body"])


#: The wall's complete past days for users who see every lead (per-process
#: counts by day, channel, category and heat-map cell: ``command.selectors``).
#: Dropped when a lead reported before today is reclassified, moved or placed
#: (:meth:`Event.save`) and by bulk loads (``generate-city``).
reported_days = Memo("command.reported_days")


class EventQuerySet(FollowsProcessQuerySet):
    def reported_since(self, since):
        """Leads reported at or after ``since``. Every lead's process is of
        kind ``event``; saying so lets the range walk the process index
        ``workflow_process_kind_created`` instead of sorting the city."""
        return self.filter(process__kind="event", process__created_at__gte=since)


class Event(ProcessRecord):
    """A lead (事件/线索) found through any channel: where, what, who reported it,
    and where it was routed. Its state is the kernel process's state."""

    channel = models.CharField(_("来源渠道"), max_length=30, choices=Channel.choices)
    # No single-column indexes where a composite one leads with the column
    # (township_cat, cat_point) or nothing looks rows up by it: every index is
    # a page written per lead (docs/command.md, "What a lead costs").
    category = models.ForeignKey(EventCategory, verbose_name=_("类别"), on_delete=models.PROTECT,
                                 related_name="events", db_index=False)
    matter_code = models.CharField(_("执法事项代码"), max_length=12, blank=True)
    description = models.TextField(_("描述"), max_length=2000)
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    occurred_at = models.DateTimeField(_("发现时间"), default=timezone.now)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    township = models.ForeignKey("org.Township", verbose_name=_("乡镇(街道)"), on_delete=models.PROTECT,
                                 related_name="events", db_index=False)
    village = models.ForeignKey("org.Village", verbose_name=_("村(社区)"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="events")
    grid = models.ForeignKey("org.Grid", verbose_name=_("网格"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="events")
    reporter_name = models.CharField(_("报告人"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    reporter_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("报告人账号"), null=True,
                                      blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    external_system = models.ForeignKey(ExternalSystem, verbose_name=_("外部系统"), null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="events")
    external_id = models.CharField(_("外部编号"), max_length=100, blank=True)
    #: "user:<id>" or "system:<id>": whose idempotency key this is.
    idempotency_source = models.CharField(_("幂等来源"), max_length=40, blank=True)
    idempotency_key = models.CharField(_("幂等键"), max_length=100, blank=True)
    proposed_body = models.ForeignKey("org.Body", verbose_name=_("建议承办单位"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+", db_index=False)
    proposal_reasons = models.JSONField(_("建议理由"), default=list, blank=True)
    handling_body = models.ForeignKey("org.Body", verbose_name=_("承办单位"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    route_reason = models.CharField(_("改派理由"), max_length=500, blank=True)
    dissuaded = models.BooleanField(_("已劝阻"), null=True, blank=True)
    dissuasion_outcome = models.CharField(_("劝阻结果"), max_length=20, choices=DissuasionOutcome.choices,
                                          blank=True)
    coordination_kind = models.CharField(_("协调类型"), max_length=30, blank=True)
    duplicate_of = models.ForeignKey("self", verbose_name=_("重复于"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="duplicates")
    result = models.TextField(_("处置结果"), blank=True)
    #: Field check (现场核查) before closing: asked of the lead's village (社区) grid officers,
    #: answered with photos and a verdict (``request_check`` / ``report_check``).
    check_requested_at = models.DateTimeField(_("派发现场核查时间"), null=True, blank=True)
    checked_at = models.DateTimeField(_("现场核查反馈时间"), null=True, blank=True)
    check_passed = models.BooleanField(_("现场核查通过"), null=True, blank=True)

    objects = EventQuerySet.as_manager()

    # The one constraint (idempotency) is checked by ``report_event`` before
    # the insert and enforced by the database for racing retries.
    validate_constraints_in_kernel = False

    class Meta:
        verbose_name = _("事件")
        verbose_name_plural = _("事件")
        constraints = [
            models.UniqueConstraint(fields=["idempotency_source", "idempotency_key"],
                                    condition=~Q(idempotency_key=""), name="command_event_idempotency"),
        ]
        indexes = [
            models.Index(fields=["township", "category"], name="command_event_township_cat"),
            models.Index(fields=["category", "lng", "lat"], name="command_event_cat_point"),
        ]

    def __str__(self) -> str:
        return f"{self.process.number} {self.category}"

    #: The fields a lead is counted under on the wall (:data:`reported_days`).
    COUNTED = ("category_id", "township_id", "channel", "lng", "lat")

    @classmethod
    def from_db(cls, db, field_names, values):
        event = super().from_db(db, field_names, values)
        event._counted_as = event._counted()
        return event

    def _counted(self) -> dict:
        return {name: self.__dict__[name] for name in self.COUNTED if name in self.__dict__}  # deferred: absent

    def save(self, *args, **kwargs) -> None:
        # A new lead is today's (its process is created with it); one read from
        # the database is compared with what it was read as.
        loaded = getattr(self, "_counted_as", None)
        super().save(*args, **kwargs)
        counted = self._counted()
        if loaded is not None and {k: counted.get(k) for k in loaded} != loaded and self._reported_before_today():
            reported_days.changed()
        self._counted_as = counted

    def _reported_before_today(self) -> bool:
        midnight = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
        return Process.objects.filter(pk=self.process_id, created_at__lt=midnight).exists()

    @property
    def has_point(self) -> bool:
        return self.lng is not None and self.lat is not None

    @property
    def check_pending(self) -> bool:
        """A field check was asked for and not yet answered."""
        return self.check_requested_at is not None and self.checked_at is None


class DuplicateSuggestion(models.Model):
    """A possible duplicate found at intake: an open lead of the same category
    nearby within the time window. The dispatcher merges or keeps."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("待判断")
        MERGED = "merged", _("已合并")
        KEPT = "kept", _("非重复")

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="duplicate_suggestions")
    candidate = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+")
    distance_m = models.FloatField(_("距离(米)"))
    decision = models.CharField(_("判断"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("疑似重复")
        verbose_name_plural = _("疑似重复")
        ordering = ["distance_m"]

    def __str__(self) -> str:
        return f"{self.event_id}≈{self.candidate_id}"


class PatrolQuerySet(ScopedQuerySet):
    def for_scope(self, scope):
        return self.filter(Q(officer__body__in=scope.body_ids) | Q(grid__village__township__in=scope.township_ids))


class Patrol(models.Model):
    """A grid officer's patrol: start, route points (lng, lat, time), end."""

    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patrols")
    grid = models.ForeignKey("org.Grid", null=True, blank=True, on_delete=models.PROTECT, related_name="patrols")
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    route = models.JSONField(_("轨迹"), default=list, blank=True)
    distance_m = models.FloatField(_("里程(米)"), default=0)

    objects = PatrolQuerySet.as_manager()

    class Meta:
        verbose_name = _("巡查")
        verbose_name_plural = _("巡查")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["officer"], condition=Q(ended_at__isnull=True),
                                    name="command_patrol_one_open_per_officer"),
        ]

    def __str__(self) -> str:
        return f"{self.officer} {self.started_at:%Y-%m-%d %H:%M}"
