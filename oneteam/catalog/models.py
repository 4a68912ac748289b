"""Enforcement matters, their catalogs and versions, discretion benchmarks,
empowerment decisions and competence overrides (M2.1–M2.3, M5.2).

Dates rule everything here: a catalog version is in force from its date until
the next version of the same catalog; an empowerment is in force from its
grant's date until a withdrawal takes effect. Nothing is edited in place, so
any past date can be answered exactly as it stood.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oneteam.core.access import scope_for
from oneteam.workflow.models import FollowsProcessQuerySet, ProcessRecord

from .choices import CatalogLevel, DecisionKind, MatterKind, TransferScope

MATTER_CODE_RE = r"^[0-9]{12}$"


class StaffQuerySet(models.QuerySet):
    """Catalogs, matters and published decisions are public to every active
    staff member (the county publishes them, 条例 Art. 9); anonymous users see nothing."""

    def visible_to(self, user) -> models.QuerySet:
        return self.none() if scope_for(user).nothing else self.all()


class Catalog(models.Model):
    """An enforcement-matter catalog (执法事项目录), e.g. 浙江省综合行政执法事项统一目录.
    Its content lives in dated :class:`CatalogVersion` records."""

    code = models.CharField(_("目录代码"), max_length=40, unique=True)
    name = models.CharField(_("目录名称"), max_length=200, unique=True)
    level = models.CharField(_("层级"), max_length=20, choices=CatalogLevel.choices)
    #: Matters of this catalog may be proposed for empowerment to a township
    #: (the township guidance catalog and the extension catalog).
    township_selectable = models.BooleanField(_("可供乡镇选择赋权"), default=False)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = StaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("执法事项目录")
        verbose_name_plural = _("执法事项目录")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class CatalogVersionQuerySet(StaffQuerySet):
    def in_force(self, on: dt.date) -> models.QuerySet:
        """The version of each catalog in force on ``on``: the latest one whose
        date is not after ``on``."""
        latest = (
            CatalogVersion.objects.filter(catalog=OuterRef("catalog"), effective_from__lte=on)
            .order_by("-effective_from")
            .values("pk")[:1]
        )
        return self.filter(effective_from__lte=on, pk=Subquery(latest))


class CatalogVersion(models.Model):
    """One published edition of a catalog (条例 Art. 10: catalogs are adjusted
    over time). It supersedes the previous version from ``effective_from``;
    the previous one stays readable for dates before that."""

    catalog = models.ForeignKey(Catalog, on_delete=models.PROTECT, related_name="versions")
    label = models.CharField(_("版本"), max_length=50)
    effective_from = models.DateField(_("生效日期"))
    source = models.CharField(_("发布文件"), max_length=200, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    imported_at = models.DateTimeField(_("导入时间"), default=timezone.now)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    file_sha256 = models.CharField(_("导入文件SHA-256"), max_length=64, blank=True)

    objects = CatalogVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("目录版本")
        verbose_name_plural = _("目录版本")
        ordering = ["catalog__order", "catalog__code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["catalog", "effective_from"], name="catalog_catalogversion_one_per_day"),
            models.UniqueConstraint(fields=["catalog", "label"], name="catalog_catalogversion_unique_label"),
        ]

    def __str__(self) -> str:
        return f"{self.catalog.name}（{self.label}）"


class Matter(models.Model):
    """An enforcement matter (执法事项) identified by its 12-digit code across
    catalog versions. What it says (name, basis, department, discretion) is in
    :class:`MatterEntry`, one per version that lists it; ``name`` here is the
    latest known name, kept for search and lists."""

    code = models.CharField(_("事项编码"), max_length=12, unique=True)
    name = models.CharField(_("事项名称"), max_length=300)

    objects = StaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("执法事项")
        verbose_name_plural = _("执法事项")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=MATTER_CODE_RE), name="catalog_matter_code_12_digits"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class MatterEntryQuerySet(StaffQuerySet):
    def in_force(self, on: dt.date) -> models.QuerySet:
        return self.filter(version__in=CatalogVersion.objects.in_force(on))


class MatterEntry(models.Model):
    """A matter as listed in one catalog version: what it is, its legal basis,
    the original competent department (原业务主管部门), how much of it is
    transferred, where responsibility ends, and its discretion benchmark."""

    version = models.ForeignKey(CatalogVersion, on_delete=models.PROTECT, related_name="entries")
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="entries")
    name = models.CharField(_("事项名称"), max_length=300)
    kind = models.CharField(_("事项类型"), max_length=20, choices=MatterKind.choices)
    field = models.CharField(_("执法领域"), max_length=40)
    legal_basis = models.TextField(_("法律依据"))
    #: Article citations, one per line (e.g. "《城乡规划法》第六十四条").
    articles = models.TextField(_("条款依据"), blank=True)
    department = models.ForeignKey("org.Body", verbose_name=_("原业务主管部门"), on_delete=models.PROTECT,
                                   related_name="catalog_entries")
    transfer_scope = models.CharField(_("划转范围"), max_length=10, choices=TransferScope.choices,
                                      default=TransferScope.ALL)
    boundary = models.TextField(_("职责边界"), blank=True)

    objects = MatterEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("目录事项")
        verbose_name_plural = _("目录事项")
        ordering = ["version", "matter__code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "matter"], name="catalog_matterentry_once_per_version"),
        ]
        indexes = [models.Index(fields=["matter", "version"], name="catalog_entry_matter_idx")]

    def __str__(self) -> str:
        return f"{self.name}（{self.matter.code}）"

    @property
    def article_list(self) -> list[str]:
        return [line.strip() for line in self.articles.splitlines() if line.strip()]


class DiscretionTier(models.Model):
    """One tier of a matter's discretion benchmark (行政执法裁量基准, M5.2): the
    circumstances that place a case in the tier and the fine range for it.
    A decision outside the range needs a recorded reason (cases app)."""

    entry = models.ForeignKey(MatterEntry, on_delete=models.CASCADE, related_name="tiers")
    order = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("裁量档次"), max_length=20)
    fine_min = models.DecimalField(_("罚款下限(元)"), max_digits=14, decimal_places=2, null=True, blank=True)
    fine_max = models.DecimalField(_("罚款上限(元)"), max_digits=14, decimal_places=2, null=True, blank=True)
    circumstances = models.TextField(_("适用情形"))

    class Meta:
        verbose_name = _("裁量档次")
        verbose_name_plural = _("裁量基准")
        ordering = ["entry", "order"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "order"], name="catalog_discretiontier_unique_order"),
            models.CheckConstraint(
                condition=Q(fine_min__isnull=True) | Q(fine_max__isnull=True) | Q(fine_max__gte=F("fine_min")),
                name="catalog_discretiontier_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.fine_min is not None and self.fine_max is not None and self.fine_max < self.fine_min:
            raise ValidationError({"fine_max": _("罚款上限不能低于下限。")})


# --------------------------------------------------------------------------
# Empowerment
# --------------------------------------------------------------------------


class EmpowermentDecision(models.Model):
    """A published decision of the city government that grants (赋权) matters
    to a township or withdraws them, from ``effective_from``. When it comes
    with a change of the township's enforcement mode ("成熟一个、赋权一个"),
    ``mode_decision`` links the two."""

    township = models.ForeignKey("org.Township", verbose_name=_("乡镇(街道)"), on_delete=models.PROTECT,
                                 related_name="empowerment_decisions")
    kind = models.CharField(_("类型"), max_length=10, choices=DecisionKind.choices)
    decision_no = models.CharField(_("决定文号"), max_length=100)
    title = models.CharField(_("决定标题"), max_length=200, blank=True)
    effective_from = models.DateField(_("生效日期"))
    mode_decision = models.ForeignKey("org.ModeDecision", verbose_name=_("随附执法模式决定"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="empowerment_decisions")
    is_demo = models.BooleanField(_("演示数据"), default=False)
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    objects = StaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("赋权决定")
        verbose_name_plural = _("赋权决定")
        ordering = ["-effective_from", "-recorded_at"]
        constraints = [
            models.UniqueConstraint(fields=["township", "kind", "decision_no"],
                                    name="catalog_empowermentdecision_unique_no"),
        ]

    def __str__(self) -> str:
        return f"{self.township} {self.get_kind_display()} {self.decision_no}"


class EmpowermentQuerySet(StaffQuerySet):
    def active_on(self, on: dt.date) -> models.QuerySet:
        return self.filter(effective_from__lte=on).filter(Q(withdrawn_from__isnull=True) | Q(withdrawn_from__gt=on))


class Empowerment(models.Model):
    """One matter empowered to one township: in force from its grant until a
    withdrawal takes effect. A township's power list (权力清单) on a date is
    derived from these rows and the catalogs in force; it is never typed."""

    township = models.ForeignKey("org.Township", on_delete=models.PROTECT, related_name="empowerments")
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="empowerments")
    granted_by = models.ForeignKey(EmpowermentDecision, on_delete=models.PROTECT, related_name="granted")
    effective_from = models.DateField(_("生效日期"))
    withdrawn_by = models.ForeignKey(EmpowermentDecision, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="withdrawn")
    withdrawn_from = models.DateField(_("收回日期"), null=True, blank=True)

    objects = EmpowermentQuerySet.as_manager()

    class Meta:
        verbose_name = _("赋权事项")
        verbose_name_plural = _("赋权事项")
        ordering = ["township", "matter__code", "effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(withdrawn_by__isnull=True) & Q(withdrawn_from__isnull=True))
                | (Q(withdrawn_by__isnull=False) & Q(withdrawn_from__gte=F("effective_from"))),
                name="catalog_empowerment_withdrawal_consistent",
            ),
            # At most one open (not withdrawn) empowerment per township and matter.
            models.UniqueConstraint(fields=["township", "matter"], condition=Q(withdrawn_from__isnull=True),
                                    name="catalog_empowerment_one_open"),
        ]
        indexes = [models.Index(fields=["township", "effective_from"], name="catalog_empowerment_tsp_idx")]

    def __str__(self) -> str:
        return f"{self.township} · {self.matter}"

    def is_active_on(self, on: dt.date) -> bool:
        return self.effective_from <= on and (self.withdrawn_from is None or self.withdrawn_from > on)


class CompetenceRuleQuerySet(StaffQuerySet):
    def valid_on(self, on: dt.date) -> models.QuerySet:
        return self.filter(valid_from__lte=on).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))


class CompetenceRule(models.Model):
    """An explicit override of the competence resolver for one matter (in one
    township or everywhere) over a date range, e.g. a dispute ruling by the
    leading group (M7.6). The resolver consults these first and cites ``source``."""

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="competence_rules")
    township = models.ForeignKey("org.Township", verbose_name=_("乡镇(街道)"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="competence_rules",
                                 help_text=_("留空表示全市适用"))
    body = models.ForeignKey("org.Body", verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    source = models.CharField(_("依据"), max_length=200)
    reason = models.TextField(_("说明"), blank=True)
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    objects = CompetenceRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("管辖特别规则")
        verbose_name_plural = _("管辖特别规则")
        ordering = ["matter", "-valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                                   name="catalog_competencerule_valid_range"),
        ]

    def __str__(self) -> str:
        return f"{self.matter.code} → {self.body}（{self.source}）"



# --------------------------------------------------------------------------
# Empowerment requests (on the workflow kernel)
# --------------------------------------------------------------------------


class EmpowermentRequest(ProcessRecord):
    """A township's request to be empowered with matters (or to have matters
    withdrawn), carried through the approval flow declared in
    :mod:`oneteam.catalog.flows`: township proposes → guidance office and
    staffing office review → city government approves with decision number
    and effective date → guidance office publishes. Publishing creates the
    :class:`EmpowermentDecision` and the :class:`Empowerment` rows."""

    township = models.ForeignKey("org.Township", verbose_name=_("乡镇(街道)"), on_delete=models.PROTECT,
                                 related_name="empowerment_requests")
    kind = models.CharField(_("类型"), max_length=10, choices=DecisionKind.choices, default=DecisionKind.GRANT)
    #: The 12-digit codes of the matters proposed (kept as data so the ledger records them verbatim).
    matter_codes = models.JSONField(_("事项编码"), default=list)
    #: A dispatched township asking for empowerment is upgraded to 派驻+赋权 on the same date.
    upgrade_mode = models.BooleanField(_("同时调整为派驻+赋权模式"), default=False)
    note = models.TextField(_("申请说明"), blank=True)
    decision_no = models.CharField(_("决定文号"), max_length=100, blank=True)
    effective_from = models.DateField(_("生效日期"), null=True, blank=True)
    decision = models.OneToOneField(EmpowermentDecision, verbose_name=_("公布的决定"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="request")

    objects = FollowsProcessQuerySet.as_manager()

    class Meta:
        verbose_name = _("赋权申请")
        verbose_name_plural = _("赋权申请")

    def __str__(self) -> str:
        return _("%(t)s %(k)s（%(n)d项）") % {"t": self.township, "k": self.get_kind_display(),
                                            "n": len(self.matter_codes)}

    def clean(self) -> None:
        codes = self.matter_codes
        if not isinstance(codes, list) or not codes:
            raise ValidationError({"matter_codes": _("请至少选择一个执法事项。")})
        bad = [c for c in codes if not (isinstance(c, str) and len(c) == 12 and c.isdigit())]
        if bad:
            raise ValidationError({"matter_codes": _("事项编码须为12位数字：%(c)s") % {"c": "、".join(map(str, bad))}})
        if len(set(codes)) != len(codes):
            raise ValidationError({"matter_codes": _("事项重复。")})

    @property
    def matter_count(self) -> int:
        return len(self.matter_codes)

    def matters(self) -> models.QuerySet:
        return Matter.objects.filter(code__in=self.matter_codes).order_by("code")

    @property
    def state_label(self) -> str:
        return self.process.state_label

    def get_absolute_url(self) -> str:
        return self.process.get_absolute_url()
