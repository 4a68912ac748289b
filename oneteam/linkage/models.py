"""Records of joint enforcement, inspect-once planning and administrative–
criminal linkage (M7.4, M7.5).

Mechanisms that move between bodies are kernel processes; their own fields
live in :class:`~oneteam.workflow.models.ProcessRecord` subclasses here (the
process's ``state`` is the only status). Inspection targets and plans are plain
records; a combined inspection (综合查一次) is a process that plans point to.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oneteam.core.access import Scope
from oneteam.org.models import ScopedQuerySet
from oneteam.workflow.models import Process, ProcessRecord

from .choices import PlanStatus, TargetKind
from .identifiers import validate_credit_code

# --------------------------------------------------------------------------
# Joint enforcement (联合执法)
# --------------------------------------------------------------------------


class JointOperation(ProcessRecord):
    """A joint enforcement operation (联合执法): the initiator's plan — targets,
    date and place, each participant's duties (:class:`JointTask`) — launched
    as one task on the platform. ``proposed_by_guidance`` marks one the
    guidance office proposed and staffed (统一调配执法力量)."""

    targets = models.TextField(_("检查对象"))
    place = models.CharField(_("地点"), max_length=200)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    plan = models.TextField(_("工作方案"))
    lead_body = models.ForeignKey("org.Body", verbose_name=_("牵头单位"), on_delete=models.PROTECT,
                                  related_name="+")
    proposed_by_guidance = models.BooleanField(_("指导办建议"), default=False)
    summary = models.TextField(_("行动总结"), blank=True)

    class Meta:
        verbose_name = _("联合执法")
        verbose_name_plural = _("联合执法")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                   name="linkage_jointoperation_dates_ordered"),
        ]

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("结束日期不能早于开始日期。")})


class JointTask(models.Model):
    """One participant's part in a joint operation: its duties and the forces
    allocated, when it accepted, and the result it reported."""

    operation = models.ForeignKey(JointOperation, on_delete=models.PROTECT, related_name="tasks")
    body = models.ForeignKey("org.Body", verbose_name=_("参与单位"), on_delete=models.PROTECT, related_name="+")
    duties = models.TextField(_("职责分工"))
    forces = models.PositiveSmallIntegerField(_("调配人数"), default=0)
    accepted_at = models.DateTimeField(_("接受时间"), null=True, blank=True)
    accepted_by_name = models.CharField(_("接受人"), max_length=150, blank=True)
    result = models.TextField(_("执法结果"), blank=True)
    result_at = models.DateTimeField(_("结果报送时间"), null=True, blank=True)
    result_by_name = models.CharField(_("报送人"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("联合执法分工")
        verbose_name_plural = _("联合执法分工")
        ordering = ["operation", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["operation", "body"], name="linkage_jointtask_one_per_body"),
        ]

    def __str__(self) -> str:
        return f"{self.body}：{self.duties[:30]}"


# --------------------------------------------------------------------------
# One-thing bundles and inspect once (一件事 / 综合查一次)
# --------------------------------------------------------------------------


class StaffQuerySet(ScopedQuerySet):
    """Inspection targets and plans are county-wide planning data: every staff
    member with a body sees them (bodies must see each other's plans to combine
    them); anonymous users and accounts without a body see nothing."""

    def for_scope(self, scope: Scope) -> models.QuerySet:
        return self.all()


class InspectionTarget(models.Model):
    """What is inspected: a market entity identified by its 统一社会信用代码
    (checked against GB 32100's check character), or a place."""

    kind = models.CharField(_("对象类型"), max_length=10, choices=TargetKind.choices, default=TargetKind.ENTITY)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, validators=[validate_credit_code])
    name = models.CharField(_("名称"), max_length=200)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    township = models.ForeignKey("org.Township", verbose_name=_("所在乡镇"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    industry = models.CharField(_("行业"), max_length=40, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    objects = StaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查对象")
        verbose_name_plural = _("检查对象")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["credit_code"], condition=~Q(credit_code=""),
                                    name="linkage_inspectiontarget_unique_credit_code"),
            models.CheckConstraint(condition=~Q(kind="entity") | ~Q(credit_code=""),
                                   name="linkage_inspectiontarget_entity_has_code"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.credit_code}）" if self.credit_code else self.name

    def clean(self) -> None:
        if self.kind == TargetKind.ENTITY and not self.credit_code:
            raise ValidationError({"credit_code": _("市场主体须填写统一社会信用代码。")})


class CombinedInspection(ProcessRecord):
    """A combined inspection (综合查一次): one visit to one target by a lead
    body, covering the check items of several bodies' plans (each item stays
    attributable to its plan and body). ``code`` is the inspection code the
    inspected party looks up on the public side."""

    code = models.CharField(_("检查码"), max_length=10, unique=True)
    target = models.ForeignKey(InspectionTarget, verbose_name=_("检查对象"), on_delete=models.PROTECT,
                               related_name="combined_inspections")
    lead_body = models.ForeignKey("org.Body", verbose_name=_("牵头单位"), on_delete=models.PROTECT, related_name="+")
    window_from = models.DateField(_("检查时间自"))
    window_until = models.DateField(_("检查时间至"))
    findings = models.TextField(_("检查结果"), blank=True)
    #: Internal note, never shown on the public side.
    note = models.TextField(_("内部备注"), blank=True)

    class Meta:
        verbose_name = _("综合查一次")
        verbose_name_plural = _("综合查一次")

    def __str__(self) -> str:
        return f"{self.code} {self.target}"


class InspectionPlan(models.Model):
    """A body's planned inspection of one target within a date window
    (e.g. a quarter's 双随机 spot check), with its check items. Registered
    plans of different bodies (or several of one body) on the same target are
    combined into one visit (:class:`CombinedInspection`)."""

    body = models.ForeignKey("org.Body", verbose_name=_("计划单位"), on_delete=models.PROTECT, related_name="+")
    target = models.ForeignKey(InspectionTarget, verbose_name=_("检查对象"), on_delete=models.PROTECT,
                               related_name="plans")
    title = models.CharField(_("检查任务"), max_length=200)
    planned_from = models.DateField(_("计划检查自"))
    planned_until = models.DateField(_("计划检查至"))
    status = models.CharField(_("状态"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.REGISTERED)
    combined = models.ForeignKey(CombinedInspection, verbose_name=_("综合查一次"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="plans")
    note = models.TextField(_("内部备注"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    objects = StaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查计划")
        verbose_name_plural = _("检查计划")
        ordering = ["planned_from", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(planned_until__gte=models.F("planned_from")),
                                   name="linkage_inspectionplan_window_ordered"),
        ]
        indexes = [models.Index(fields=["target", "planned_from"], name="linkage_plan_target_from"),
                   models.Index(fields=["status", "planned_from"], name="linkage_plan_status_from")]

    def __str__(self) -> str:
        return f"{self.body} {self.title}"

    def clean(self) -> None:
        if self.planned_from and self.planned_until and self.planned_until < self.planned_from:
            raise ValidationError({"planned_until": _("计划结束日期不能早于开始日期。")})


class PlanItem(models.Model):
    """A check item of a plan: a catalog matter (with its legal basis as it
    stood when registered) or a free item with its basis."""

    plan = models.ForeignKey(InspectionPlan, on_delete=models.PROTECT, related_name="items")
    matter = models.ForeignKey("catalog.Matter", verbose_name=_("执法事项"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("检查事项"), max_length=300)
    legal_basis = models.TextField(_("法律依据"))

    class Meta:
        verbose_name = _("检查事项")
        verbose_name_plural = _("检查事项")
        ordering = ["plan", "pk"]

    def __str__(self) -> str:
        return self.name


# --------------------------------------------------------------------------
# Administrative–criminal linkage (行刑衔接)
# --------------------------------------------------------------------------


class CriminalReferral(ProcessRecord):
    """A referral of a suspected crime to the same-level police (国务院令第310号).
    ``case_number`` names the administrative case it comes from (a penalty on
    that case is blocked while the referral is pending, see
    :func:`oneteam.linkage.services.assert_penalty_allowed`). The five required
    materials are the attachments of its ``add_material`` actions, each tagged
    with its :class:`~oneteam.linkage.choices.MaterialKind`."""

    case_number = models.CharField(_("行政案件编号"), max_length=60, db_index=True)
    source_process = models.ForeignKey(Process, verbose_name=_("来源事项"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    suspect = models.CharField(_("涉嫌单位或个人"), max_length=200)
    suspected_offence = models.CharField(_("涉嫌罪名"), max_length=200)
    facts = models.TextField(_("涉嫌犯罪事实"))
    police_body = models.ForeignKey("org.Body", verbose_name=_("接收公安机关"), on_delete=models.PROTECT,
                                    related_name="+")
    report_summary = models.TextField(_("移送报告"), blank=True)
    police_case_number = models.CharField(_("公安立案编号"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("涉嫌犯罪案件移送")
        verbose_name_plural = _("涉嫌犯罪案件移送")


class ExecutionApplication(ProcessRecord):
    """An application by a township to the court for compulsory execution of an
    administrative decision (申请人民法院强制执行, 行政强制法 Art. 53–57)."""

    case_number = models.CharField(_("行政案件编号"), max_length=60)
    decision_no = models.CharField(_("行政决定文号"), max_length=100)
    respondent = models.CharField(_("被执行人"), max_length=200)
    obligation = models.TextField(_("应履行义务"))
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    demand_served_on = models.DateField(_("催告书送达日期"))
    ruling_no = models.CharField(_("裁定书文号"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("强制执行申请")
        verbose_name_plural = _("强制执行申请")


class PoliceSupportRequest(ProcessRecord):
    """A request for police support of an enforcement operation (警力保障), whose
    response time is measured by the kernel's ``response`` deadline."""

    operation = models.CharField(_("执法行动"), max_length=200)
    place = models.CharField(_("地点"), max_length=200)
    scheduled_at = models.DateTimeField(_("行动时间"))
    officers_needed = models.PositiveSmallIntegerField(_("需警力（人）"), default=2)
    risk = models.TextField(_("风险情况"), blank=True)

    class Meta:
        verbose_name = _("警力支援请求")
        verbose_name_plural = _("警力支援请求")
