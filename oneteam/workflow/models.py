"""The workflow kernel's records: one ``Process`` table for every kind of flow,
its parties, transitions, deadlines, comments, attachments and notifications.

One concrete table for every kind keeps the inbox and the metrics a single
query over all mechanisms; each mechanism adds its own fields in a
:class:`ProcessRecord` subclass (one row per process, same primary key).
Nothing here is ever deleted: foreign keys are ``PROTECT`` and names of
actors and bodies are copied onto the rows that record what they did.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oneteam.core.access import Scope
from oneteam.org.models import ScopedQuerySet

from .declare import PartyRole, Satisfaction, get_flow

# --------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------


class ProcessQuerySet(ScopedQuerySet):
    """Access: a body sees a process it is (or was) a party of, directly or
    through a body under it; township-bound staff also see every process of
    their township; citywide bodies and admins see everything."""

    def for_scope(self, scope: Scope) -> models.QuerySet:
        # The processes the body takes part in as one uncorrelated set, which
        # the database reads once (SQLite an ephemeral table, PostgreSQL a
        # hashed subplan, or a semi-join) and, after the township's own rows,
        # only for rows outside it. A correlated EXISTS was probed once per
        # row: at 10⁶ leads 1.6 s for a township's list, 4 s for a
        # department's and 7.6 s for its wall on SQLite (docs/workflow.md).
        taking_part = Q(pk__in=self._taking_part(scope))
        if scope.township_ids:
            return self.filter(Q(township_id__in=scope.township_ids) | taking_part)
        return self.filter(taking_part)

    def keys_for_scope(self, scope: Scope):
        """The keys of the processes in ``scope``, as a subquery for the
        records that follow their process (leads, attachments, requests).
        Without a township it is the party set itself: wrapped in a query of
        the process table, each of its keys (36,000 for a department at 10⁶
        leads) was looked up there first."""
        if scope.township_ids:
            return self.for_scope(scope).values("pk")
        return self._taking_part(scope)

    @staticmethod
    def _taking_part(scope: Scope):
        """The keys of the processes the bodies of ``scope`` take (or took) part in."""
        return Party.objects.filter(body_id__in=scope.body_ids).order_by().values("process_id")

    def of_kind(self, *kinds: str) -> models.QuerySet:
        return self.filter(kind__in=kinds)

    def open(self) -> models.QuerySet:
        return self.filter(closed_at__isnull=True)


class FollowsProcessQuerySet(ScopedQuerySet):
    """Records that follow their process for access (a lead, an attachment,
    an empowerment request): visible where the process is — its parties, the
    township's own staff, citywide bodies. A reader who sees everything gets
    no filter (``visible_to``); the others filter by
    :meth:`ProcessQuerySet.keys_for_scope`."""

    def for_scope(self, scope: Scope) -> models.QuerySet:
        return self.filter(process__in=Process.objects.keys_for_scope(scope))


class Process(models.Model):
    """One thing sent from one body to another that moves through the states of
    its flow (an event to handle, a collaboration request, a case transfer …).
    ``state`` changes only through :func:`oneteam.workflow.services.perform`."""

    # Single-column indexes are left out where a composite one leads with the
    # column (kind_state; the unique keys of parties, transitions) or nothing
    # looks rows up by it: each is a page written per start (intake's hot path).
    kind = models.CharField(_("类型"), max_length=40)
    number = models.CharField(_("编号"), max_length=40, unique=True)
    title = models.CharField(_("标题"), max_length=200)
    state = models.CharField(_("状态"), max_length=40, db_index=True)
    #: Bumped by every action; a stale ``expected_version`` is a conflict.
    version = models.PositiveIntegerField(_("版本"), default=1)
    township = models.ForeignKey(
        "org.Township",
        verbose_name=_("所属乡镇"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="processes",
    )
    initiator_body = models.ForeignKey(
        "org.Body",
        verbose_name=_("发起单位"),
        on_delete=models.PROTECT,
        related_name="initiated_processes",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    created_by_name = models.CharField(_("发起人姓名"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("发起时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    #: The earliest due time of its running clocks (deadlines neither stopped
    #: nor paused); None when none runs. Kept by the kernel whenever a clock
    #: starts, stops, pauses, resumes or is extended (:func:`~.services.sync_next_due`),
    #: so a command room orders and counts its open leads without reading the
    #: deadline table once per lead.
    next_due = models.DateTimeField(_("最近到期"), null=True, blank=True)
    #: Set by an action with ``counts_as="satisfaction"`` so metrics read it in SQL.
    satisfaction = models.CharField(_("满意度"), max_length=20, choices=Satisfaction.choices, blank=True)
    #: Free data given at start (kept for the record; mechanism fields live on the record model).
    data = models.JSONField(_("附加数据"), default=dict, blank=True)

    objects = ProcessQuerySet.as_manager()

    class Meta:
        verbose_name = _("流程事项")
        verbose_name_plural = _("流程事项")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["kind", "state"], name="workflow_process_kind_state"),
            # A flow's list, newest first, and the ranges of one kind by
            # creation (metrics, the wall, Open311's GET): a walk of the index.
            # It replaced one on created_at alone, which SQLite passed over for
            # kind_state and then sorted every lead of the city (0.5 s at 10⁶).
            models.Index(fields=["kind", "created_at", "id"], name="workflow_process_kind_created"),
            # Command rooms list one township's open processes (a few of many
            # thousands), the next due first: a walk of the index, not a sort.
            models.Index(fields=["township", "kind", "next_due"], condition=Q(closed_at__isnull=True),
                         name="workflow_process_open_township"),
            # The city centre's room: every township's open processes, the next due first.
            models.Index(fields=["kind", "next_due", "id"], condition=Q(closed_at__isnull=True),
                         name="workflow_process_open_due"),
            # Closing times of closed processes only: a plain index on closed_at
            # made SQLite's statistics (one row per value) take "closed_at IS NULL"
            # for one row and walk every open process of the city for one township.
            models.Index(fields=["closed_at"], condition=Q(closed_at__isnull=False),
                         name="workflow_process_closed"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("workflow:detail", kwargs={"route": self.flow.route, "pk": self.pk})

    @property
    def flow(self):
        return get_flow(self.kind)

    @property
    def state_label(self) -> str:
        return self.flow.state_label(self.state)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def refresh_from_db(self, *args, **kwargs) -> None:
        super().refresh_from_db(*args, **kwargs)
        self.__dict__.pop("_record_cache", None)

    @property
    def record(self):
        """The mechanism's own row (a :class:`ProcessRecord`), or None."""
        if not hasattr(self, "_record_cache"):
            model = self.flow.get_model()
            self._record_cache = model.objects.filter(process=self).first() if model else None
        return self._record_cache


#: The most pressing first: the earliest running clock (``Process.next_due``),
#: processes with none running (finished, suspended) last, then by key.
MOST_PRESSING = (models.F("next_due").asc(nulls_last=True), "pk")


class ProcessRecord(models.Model):
    """Base of every mechanism's own model: one row per process, sharing its
    primary key. Subclasses add fields; they must not add a state or status
    field (the process's state is the only one)."""

    process = models.OneToOneField(
        Process,
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="%(app_label)s_%(class)s",
    )

    #: Whether the kernel checks the model's constraints (a query each) before
    #: saving the record. A mechanism whose service already guarantees them and
    #: handles the database's ``IntegrityError`` may switch it off.
    validate_constraints_in_kernel = True

    class Meta:
        abstract = True


class NumberSequence(models.Model):
    """The last number issued per kind and year (locked while issuing)."""

    kind = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="workflow_numbersequence_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.year} #{self.last}"


class Party(models.Model):
    """A body taking part in a process as initiator, assignee, copied body or
    supervisor. Removing a party deactivates it: it keeps read access to
    what it once took part in, but no longer acts or receives notices."""

    process = models.ForeignKey(Process, on_delete=models.PROTECT, related_name="parties", db_index=False)
    body = models.ForeignKey("org.Body", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+",
                             db_index=False)
    role = models.CharField(_("角色"), max_length=20, choices=PartyRole.choices)
    active = models.BooleanField(_("有效"), default=True)
    added_at = models.DateTimeField(_("加入时间"), default=timezone.now)
    removed_at = models.DateTimeField(_("移除时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("参与单位")
        verbose_name_plural = _("参与单位")
        ordering = ["process", "role", "added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["process", "body", "role"], name="workflow_party_unique"),
        ]
        # A body's parties by role, with their processes in the index itself: the
        # inbox's "is the user's body an active party in this role" reads it
        # alone (at 10⁶ leads a township room is a party of ~40,000 processes,
        # whose rows it otherwise fetched from the table on every inbox page).
        indexes = [models.Index(fields=["body", "role", "active", "process"], name="workflow_party_body_role")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.body}"


class Transition(models.Model):
    """One action taken on a process (including its start): who, from which
    body, when, from which state to which, with the reason and data given and
    the ledger entry that records it."""

    # Kept although (process, seq) is unique: without statistics SQLite prefers the body index over
    # that composite for "process = ? AND body = ?" (the roll-ups' rebuild, 31 s at 10⁶ leads with
    # this index, had not finished after 20 minutes without it).
    process = models.ForeignKey(Process, on_delete=models.PROTECT, related_name="transitions")
    seq = models.PositiveIntegerField(_("序号"))
    action = models.CharField(_("操作"), max_length=40)
    action_label = models.CharField(_("操作名称"), max_length=100, blank=True)
    counts_as = models.CharField(_("统计口径"), max_length=20, blank=True)
    from_state = models.CharField(_("原状态"), max_length=40, blank=True)
    to_state = models.CharField(_("新状态"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=150)
    body = models.ForeignKey(
        "org.Body", verbose_name=_("单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    body_name = models.CharField(_("单位名称"), max_length=200, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    reason = models.TextField(_("理由"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)
    officers = models.JSONField(_("执法人员"), default=list, blank=True)
    ledger_seq = models.BigIntegerField(_("记录序号"), null=True, blank=True)

    class Meta:
        verbose_name = _("流转记录")
        verbose_name_plural = _("流转记录")
        ordering = ["process", "seq"]
        constraints = [models.UniqueConstraint(fields=["process", "seq"], name="workflow_transition_seq_unique")]

    def __str__(self) -> str:
        return f"{self.process_id}#{self.seq} {self.action}"


class ProcessDeadline(models.Model):
    """A deadline of a process (response, handling, reply …) as set by an
    action. ``due_at`` and its ``explanation`` are stored whenever the deadline
    is set, paused, resumed or extended, so no metric ever recomputes a
    calendar. A restarted deadline (e.g. handling after rework) is a new row;
    at most one row per name is open."""

    process = models.ForeignKey(Process, on_delete=models.PROTECT, related_name="deadlines")
    name = models.CharField(_("期限"), max_length=40)
    period_kind = models.CharField(_("期限类型"), max_length=30)
    period_amount = models.PositiveIntegerField(_("期限长度"))
    started_at = models.DateTimeField(_("起算时间"))
    due_at = models.DateTimeField(_("到期时间"), db_index=True)
    explanation = models.JSONField(_("期限说明"), default=dict, blank=True)
    pauses = models.JSONField(_("中止记录"), default=list, blank=True)
    paused_since = models.DateTimeField(_("中止自"), null=True, blank=True)
    pause_reason = models.CharField(_("中止原因"), max_length=500, blank=True)
    extensions = models.JSONField(_("延期记录"), default=list, blank=True)
    extension_count = models.PositiveSmallIntegerField(_("延期次数"), default=0)
    stopped_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    #: True/False once stopped by an action; None while open or when superseded.
    met_on_time = models.BooleanField(_("按期"), null=True, blank=True)
    superseded = models.BooleanField(_("被重新起算"), default=False)
    started_by = models.ForeignKey(Transition, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   db_index=False)

    class Meta:
        verbose_name = _("期限")
        verbose_name_plural = _("期限")
        ordering = ["process", "started_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["process", "name"],
                condition=Q(stopped_at__isnull=True),
                name="workflow_processdeadline_one_open_per_name",
            ),
        ]
        indexes = [
            # Running clocks by name and due time ("overdue now" starts here). Partial:
            # with "stopped_at" as a column, SQLite's statistics (about one row per
            # value) made "stopped_at IS NULL" look selective, and look-ups of a
            # few processes' clocks walked every running clock of the city.
            models.Index(fields=["name", "due_at"], condition=Q(stopped_at__isnull=True),
                         name="workflow_deadline_open"),
        ]

    def __str__(self) -> str:
        return f"{self.process_id} {self.name} {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.stopped_at is None

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None

    def label(self) -> str:
        return self.process.flow.deadline_label(self.name)


class Comment(models.Model):
    """A comment on a process by a member of a party body (no state change)."""

    process = models.ForeignKey(Process, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_name = models.CharField(_("作者"), max_length=150)
    body_name = models.CharField(_("单位"), max_length=200, blank=True)
    text = models.TextField(_("内容"))
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("意见")
        verbose_name_plural = _("意见")
        ordering = ["process", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author_name}: {self.text[:30]}"


# --------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------


class Blob(models.Model):
    """File content stored once by its SHA-256 under ``MEDIA_ROOT/blobs/ab/cd/<sha>``
    (content-addressed, deduplicated, never deleted)."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, primary_key=True)
    size = models.BigIntegerField(_("大小"))
    content_type = models.CharField(_("类型"), max_length=100)
    created_at = models.DateTimeField(_("首次上传"), default=timezone.now)

    class Meta:
        verbose_name = _("文件内容")
        verbose_name_plural = _("文件内容")

    def __str__(self) -> str:
        return self.sha256

    @property
    def relative_path(self) -> str:
        return f"blobs/{self.sha256[:2]}/{self.sha256[2:4]}/{self.sha256}"

    @property
    def path(self) -> Path:
        return Path(settings.MEDIA_ROOT) / self.relative_path


class AttachmentQuerySet(FollowsProcessQuerySet):
    def visible_to(self, user) -> models.QuerySet:
        # An uploader always sees their own files, including ones not yet attached.
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return (super().visible_to(user) | self.filter(uploaded_by=user)).distinct()


class Attachment(models.Model):
    """A file as uploaded by someone: original name and time kept. Uploaded
    first (``process`` empty), then attached to a process by an action."""

    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="attachments")
    process = models.ForeignKey(Process, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments")
    transition = models.ForeignKey(
        Transition, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    original_name = models.CharField(_("文件名"), max_length=255)
    #: The uploading user; empty for a file an external system sent (then ``uploaded_by_name``/``_body`` say who).
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_by_name = models.CharField(_("上传者"), max_length=150, blank=True)
    uploaded_by_body = models.ForeignKey("org.Body", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    ledger_seq = models.BigIntegerField(_("记录序号"), null=True, blank=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def sha256(self) -> str:
        return self.blob_id


# --------------------------------------------------------------------------
# Notifications
# --------------------------------------------------------------------------


class Notification(models.Model):
    """An in-app notice to one user about a process."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications",
                             db_index=False)  # workflow_notification_unread leads with it
    process = models.ForeignKey(Process, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    verb = models.CharField(_("事件"), max_length=60)
    text = models.CharField(_("内容"), max_length=500)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="workflow_notification_unread")]

    def __str__(self) -> str:
        return self.text


class ChannelKind(models.TextChoices):
    WEBHOOK = "webhook", _("通用Webhook")
    DINGTALK = "dingtalk", _("钉钉/浙政钉机器人")


class BodyChannel(models.Model):
    """An outbound channel configured for a body (e.g. its DingTalk robot):
    notices to the body are also posted there."""

    body = models.ForeignKey("org.Body", on_delete=models.PROTECT, related_name="channels")
    name = models.CharField(_("名称"), max_length=100, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=ChannelKind.choices, default=ChannelKind.WEBHOOK)
    url = models.URLField(_("地址"), max_length=500)
    secret = models.CharField(_("签名密钥"), max_length=200, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("外发渠道")
        verbose_name_plural = _("外发渠道")

    def __str__(self) -> str:
        return f"{self.body} {self.get_kind_display()}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    DELIVERED = "delivered", _("已送达")
    FAILED = "failed", _("失败")


class Delivery(models.Model):
    """One message to one channel, with every attempt's outcome. Retried with
    exponential backoff by ``oneteam deliver-notifications`` until delivered
    or out of attempts."""

    channel = models.ForeignKey(BodyChannel, on_delete=models.PROTECT, related_name="deliveries")
    process = models.ForeignKey(Process, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    verb = models.CharField(_("事件"), max_length=60)
    payload = models.JSONField(_("内容"), default=dict)
    status = models.CharField(
        _("状态"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("下次尝试"), default=timezone.now, db_index=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("外发记录")
        verbose_name_plural = _("外发记录")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.channel} {self.verb} {self.status}"
