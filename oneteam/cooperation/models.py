"""Records of the cooperation mechanisms (M7.1–M7.3, M7.6).

Collaboration requests, case transfers and disputes are flows on the workflow
kernel: each has one :class:`~oneteam.workflow.models.Process` (state,
parties, deadlines, timeline) and one record row here with its own fields.
Information sharing is not a flow: an item, its deliveries to townships and
read receipts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oneteam.core.access import Scope
from oneteam.org.models import ScopedQuerySet
from oneteam.workflow.models import ProcessRecord

from .choices import CollaborationKind, EscalationCause, ShareCategory


class CollaborationRequest(ProcessRecord):
    """执法协作申请: a township enforcement team asks a competent department for
    a determination, technical appraisal, expert opinion or materials needed in
    a case; the department replies within 5 working days of receipt (+5 once
    when complex). It may go on to a Wenzhou-level department; the process and
    its history stay the same, only the assignee changes."""

    request_kind = models.CharField(_("协作类型"), max_length=20, choices=CollaborationKind.choices)
    matter = models.ForeignKey("catalog.Matter", verbose_name=_("执法事项"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    case_summary = models.TextField(_("案情简要"))
    question = models.TextField(_("协作请求内容"))
    reply = models.TextField(_("答复意见"), blank=True)
    escalation_cause = models.CharField(_("提请原因"), max_length=30, choices=EscalationCause.choices, blank=True)
    escalated_from = models.ForeignKey("org.Body", verbose_name=_("原承办部门"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    escalated_at = models.DateTimeField(_("提请时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("执法协作申请")
        verbose_name_plural = _("执法协作申请")

    def __str__(self) -> str:
        return f"{self.process.number} {self.get_request_kind_display()}"


class CaseTransfer(ProcessRecord):
    """案件移送抄告: a case (evidence ready for filing) sent in the name of a
    department or a township to a body at the same level, never in the name
    of an internal unit; the guidance office receives a copy of the evidence;
    the receiver's acceptance recognises the evidence (证据互认) and it shares
    the result (结果互通). Four checklist items are each confirmed by a named
    officer of the sender before it can be sent."""

    receiver = models.ForeignKey("org.Body", verbose_name=_("接收单位"), on_delete=models.PROTECT, related_name="+")
    issuer_name = models.CharField(_("移送机关(落款)"), max_length=100)
    letter_number = models.CharField(_("移送函文号"), max_length=60, blank=True)
    matter = models.ForeignKey("catalog.Matter", verbose_name=_("执法事项"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    party_name = models.CharField(_("当事人"), max_length=200, blank=True)
    facts = models.TextField(_("违法事实"))
    legal_basis = models.TextField(_("移送依据"), blank=True)
    facts_clear_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("确认“违法事实基本清楚”"),
                                       null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    evidence_standard_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("确认“证据材料符合立案标准”"),
                                             null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    procedure_lawful_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("确认“程序合法”"),
                                            null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    formalities_complete_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("确认“手续完备”"),
                                                null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    letter = models.ForeignKey("workflow.Attachment", verbose_name=_("移送函"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    #: [{sha256, name, recognised_by, recognised_at}] written when the receiver accepts.
    recognised_evidence = models.JSONField(_("互认证据"), default=list, blank=True)
    result = models.TextField(_("处理结果"), blank=True)

    CHECKLIST = (
        ("facts_clear_by", _("违法事实基本清楚")),
        ("evidence_standard_by", _("证据材料符合立案标准")),
        ("procedure_lawful_by", _("程序合法")),
        ("formalities_complete_by", _("手续完备")),
    )

    class Meta:
        verbose_name = _("案件移送")
        verbose_name_plural = _("案件移送")

    def __str__(self) -> str:
        return f"{self.process.number} → {self.receiver}"

    def missing_checklist(self) -> list[str]:
        return [str(label) for name, label in self.CHECKLIST if getattr(self, f"{name}_id") is None]


class Dispute(ProcessRecord):
    """执法争议: parties disagree about who is responsible for a lead (a kernel
    process) or for a matter in a township. Negotiation → coordination by the
    guidance office with the staffing office and the justice bureau → ruling
    by the leading group. An interim responsible body holds the lead
    meanwhile (no supervision vacuum); the outcome names the responsible body,
    which takes over the lead and may become a competence rule."""

    subject = models.ForeignKey("workflow.Process", verbose_name=_("争议线索/事件"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="disputes")
    matter = models.ForeignKey("catalog.Matter", verbose_name=_("执法事项"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    question = models.TextField(_("争议焦点"))
    interim_body = models.ForeignKey("org.Body", verbose_name=_("过渡期责任单位"), on_delete=models.PROTECT,
                                     related_name="+")
    resolved_body = models.ForeignKey("org.Body", verbose_name=_("确定的责任单位"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    resolution = models.TextField(_("处理结果"), blank=True)
    resolved_stage = models.CharField(_("解决阶段"), max_length=20, blank=True)
    rule = models.ForeignKey("catalog.CompetenceRule", verbose_name=_("形成的管辖规则"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("执法争议")
        verbose_name_plural = _("执法争议")

    def __str__(self) -> str:
        return f"{self.process.number} {self.question[:30]}"


class LetterTemplate(models.Model):
    """A replacement .docx template for transfer letters uploaded by an admin
    (the newest active one is used; without one the built-in layout is)."""

    attachment = models.ForeignKey("workflow.Attachment", verbose_name=_("模板文件"), on_delete=models.PROTECT,
                                   related_name="+")
    note = models.CharField(_("说明"), max_length=200, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("移送函模板")
        verbose_name_plural = _("移送函模板")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.attachment.original_name} ({self.uploaded_at:%Y-%m-%d})"


class SharedItemQuerySet(ScopedQuerySet):
    """A body sees what it published; a township's staff see items delivered to
    their township; citywide bodies see everything."""

    def for_scope(self, scope: Scope) -> models.QuerySet:
        q = Q(publisher_id__in=scope.body_ids)
        if scope.township_ids:
            q |= Q(Exists(ShareReceipt.objects.filter(item=OuterRef("pk"), township_id__in=scope.township_ids)))
        return self.filter(q)


class SharedItem(models.Model):
    """信息共享: a law, standard, interpretation, approval material or
    enforcement update a department pushes to all townships or chosen ones
    (policy §三(二)1). Delivered as one :class:`ShareReceipt` per township."""

    publisher = models.ForeignKey("org.Body", verbose_name=_("发布单位"), on_delete=models.PROTECT,
                                  related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发布人"), on_delete=models.PROTECT,
                               related_name="+")
    author_name = models.CharField(_("发布人姓名"), max_length=150)
    category = models.CharField(_("类别"), max_length=20, choices=ShareCategory.choices)
    title = models.CharField(_("标题"), max_length=200)
    document_no = models.CharField(_("文号"), max_length=100, blank=True)
    content = models.TextField(_("内容"))
    field = models.CharField(_("执法领域"), max_length=40, blank=True, db_index=True)
    matter = models.ForeignKey("catalog.Matter", verbose_name=_("执法事项"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    to_all = models.BooleanField(_("发送全部乡镇(街道)"), default=False)
    attachments = models.ManyToManyField("workflow.Attachment", verbose_name=_("附件"), blank=True, related_name="+")
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now, db_index=True)

    objects = SharedItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("共享信息")
        verbose_name_plural = _("共享信息")
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class ShareReceipt(models.Model):
    """Delivery of a shared item to one township, with its first reading
    (回执: who in the township read it first, and when)."""

    item = models.ForeignKey(SharedItem, on_delete=models.PROTECT, related_name="receipts")
    township = models.ForeignKey("org.Township", verbose_name=_("乡镇(街道)"), on_delete=models.PROTECT,
                                 related_name="+")
    delivered_at = models.DateTimeField(_("送达时间"), default=timezone.now)
    first_read_at = models.DateTimeField(_("首次阅读时间"), null=True, blank=True)
    first_read_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("首次阅读人"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    first_read_by_name = models.CharField(_("首次阅读人姓名"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("送达回执")
        verbose_name_plural = _("送达回执")
        ordering = ["item", "township__code"]
        constraints = [models.UniqueConstraint(fields=["item", "township"], name="cooperation_sharereceipt_unique")]

    def __str__(self) -> str:
        return f"{self.item} → {self.township}"


class ShareRead(models.Model):
    """One user's reading of a shared item (their inbox's read mark)."""

    item = models.ForeignKey(SharedItem, on_delete=models.PROTECT, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    read_at = models.DateTimeField(_("阅读时间"), default=timezone.now)

    class Meta:
        verbose_name = _("阅读记录")
        verbose_name_plural = _("阅读记录")
        constraints = [models.UniqueConstraint(fields=["item", "user"], name="cooperation_shareread_unique")]

    def __str__(self) -> str:
        return f"{self.user} {self.item}"
