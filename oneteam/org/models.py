"""Organisation and jurisdiction: divisions, bodies, people and the township
enforcement mode history (M1.1–M1.4, M8.1)."""

from __future__ import annotations

import datetime as dt
from functools import cached_property

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oneteam.core.access import Scope, scope_for

from .choices import (
    BodyKind,
    BodyLevel,
    EnforcementMode,
    LegalQualificationKind,
    Role,
    TownshipKind,
    VillageKind,
)

# --------------------------------------------------------------------------
# Scoped querysets: the single place where "who may see what" is decided.
# --------------------------------------------------------------------------


class ScopedQuerySet(models.QuerySet):
    """A queryset with ``visible_to(user)``. Subclasses say how a scope applies
    to their rows by overriding :meth:`for_scope`."""

    def visible_to(self, user) -> models.QuerySet:
        scope = scope_for(user)
        if scope.nothing:
            return self.none()
        if scope.everything:
            return self.all()
        return self.for_scope(scope)

    def for_scope(self, scope: Scope) -> models.QuerySet:  # pragma: no cover - every subclass overrides
        raise NotImplementedError(f"{type(self).__name__} must define for_scope()")


class DivisionQuerySet(ScopedQuerySet):
    """Divisions (townships, villages, grids) reached through ``township_path``."""

    township_path = "township"

    def for_scope(self, scope: Scope) -> models.QuerySet:
        if scope.all_divisions:
            return self.all()
        return self.filter(**{f"{self.township_path}__in": scope.township_ids})


class TownshipQuerySet(DivisionQuerySet):
    township_path = "pk"


class VillageQuerySet(DivisionQuerySet):
    township_path = "township"


class GridQuerySet(DivisionQuerySet):
    township_path = "village__township"


class ModeDecisionQuerySet(DivisionQuerySet):
    township_path = "township"


# --------------------------------------------------------------------------
# Divisions
# --------------------------------------------------------------------------


class City(models.Model):
    """A county-level city (县级市) or county: the unit that owns one OneTeam
    installation's divisions, bodies and catalogs."""

    code = models.CharField(_("区划代码"), max_length=6, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    prefecture = models.CharField(_("所属地市"), max_length=50, blank=True)
    outline = models.JSONField(_("市域轮廓(GeoJSON)"), null=True, blank=True)
    centre_lng = models.FloatField(_("中心经度"), default=0)
    centre_lat = models.FloatField(_("中心纬度"), default=0)
    #: Bumped whenever grids change, so every process rebuilds its point index.
    grids_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("县(市)")
        verbose_name_plural = _("县(市)")

    def __str__(self) -> str:
        return self.name


class Township(models.Model):
    """A township-level unit (镇 / 街道 / 乡 / 功能区管委会), the level that holds
    one enforcement team under the reform."""

    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="townships")
    code = models.CharField(_("统计用区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    kind = models.CharField(_("类型"), max_length=20, choices=TownshipKind.choices)
    seat_lng = models.FloatField(_("驻地经度"), null=True, blank=True)
    seat_lat = models.FloatField(_("驻地纬度"), null=True, blank=True)
    is_synthetic_geometry = models.BooleanField(_("示意边界(演示数据)"), default=False)

    objects = TownshipQuerySet.as_manager()

    class Meta:
        verbose_name = _("乡镇(街道)")
        verbose_name_plural = _("乡镇(街道)")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{12}$"), name="org_township_code_12_digits"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def short_code(self) -> str:
        """The 3-digit township part of the statistical code."""
        return self.code[6:9]

    def mode_on(self, on: dt.date | None = None) -> ModeDecision | None:
        return mode_on(self, on)


class Village(models.Model):
    """A village or community (村 / 社区): the middle of the three management levels."""

    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="villages")
    code = models.CharField(_("代码"), max_length=15, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    kind = models.CharField(_("类型"), max_length=20, choices=VillageKind.choices, default=VillageKind.VILLAGE)
    is_synthetic = models.BooleanField(_("演示数据"), default=False)

    objects = VillageQuerySet.as_manager()

    class Meta:
        verbose_name = _("村(社区)")
        verbose_name_plural = _("村(社区)")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.township.name}{self.name}"


class Grid(models.Model):
    """A grid (网格): a polygon, the smallest management unit, with a grid chief
    (网格责任人) and grid officers (网格员). ``geometry`` is a GeoJSON Polygon or
    MultiPolygon in WGS84; ``min_/max_`` columns are its bounding box for SQL
    pre-filtering."""

    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="grids")
    code = models.CharField(_("网格编码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    geometry = models.JSONField(_("边界(GeoJSON)"))
    min_lng = models.FloatField(default=0)
    min_lat = models.FloatField(default=0)
    max_lng = models.FloatField(default=0)
    max_lat = models.FloatField(default=0)
    chief = models.ForeignKey(
        "User", verbose_name=_("网格责任人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="grids_led",
    )
    officers = models.ManyToManyField("User", verbose_name=_("网格员"), blank=True, related_name="grids_patrolled")
    is_synthetic = models.BooleanField(_("演示数据"), default=False)

    objects = GridQuerySet.as_manager()

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def township(self) -> Township:
        return self.village.township


class ModeDecision(models.Model):
    """A decision setting a township's enforcement mode from a date (派驻,
    派驻+赋权, or 1+X served by a hub town). History is the list of decisions;
    a change is a new decision, never an edit."""

    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="mode_decisions")
    mode = models.CharField(_("执法模式"), max_length=20, choices=EnforcementMode.choices)
    hub = models.ForeignKey(
        Township, verbose_name=_("辐射中心镇"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="served_by_decisions",
    )
    effective_from = models.DateField(_("生效日期"))
    decision_no = models.CharField(_("决定文号"), max_length=100)
    decision_title = models.CharField(_("决定标题"), max_length=200, blank=True)
    note = models.TextField(_("说明"), blank=True)
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    recorded_by = models.ForeignKey(
        "User", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )

    objects = ModeDecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("执法模式决定")
        verbose_name_plural = _("执法模式决定")
        ordering = ["township", "effective_from", "recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(mode=EnforcementMode.HUB_SERVED) & Q(hub__isnull=False))
                | (~Q(mode=EnforcementMode.HUB_SERVED) & Q(hub__isnull=True)),
                name="org_modedecision_hub_iff_hub_served",
            ),
            models.UniqueConstraint(fields=["township", "effective_from"], name="org_modedecision_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.township} {self.get_mode_display()} ({self.effective_from})"

    def clean(self) -> None:
        if self.mode == EnforcementMode.HUB_SERVED and not self.hub_id:
            raise ValidationError({"hub": _("1+X辐射模式必须指定辐射中心镇。")})
        if self.mode != EnforcementMode.HUB_SERVED and self.hub_id:
            raise ValidationError({"hub": _("只有1+X辐射模式才能指定辐射中心镇。")})
        if self.hub_id and self.hub_id == self.township_id:
            raise ValidationError({"hub": _("辐射中心镇不能是本乡镇。")})

    @property
    def label(self) -> str:
        if self.mode == EnforcementMode.HUB_SERVED and self.hub_id:
            return f"{self.get_mode_display()}（{self.hub.name}）"
        return str(self.get_mode_display())


def mode_on(township: Township, on: dt.date | None = None) -> ModeDecision | None:
    """The mode decision in force for ``township`` on ``on`` (default today),
    or None before the first decision."""
    on = on or timezone.localdate()
    return (
        ModeDecision.objects.filter(township=township, effective_from__lte=on)
        .select_related("hub")
        .order_by("-effective_from", "-recorded_at")
        .first()
    )


# --------------------------------------------------------------------------
# Bodies
# --------------------------------------------------------------------------


class BodyQuerySet(ScopedQuerySet):
    def for_scope(self, scope: Scope) -> models.QuerySet:
        # The directory of government bodies is open to all staff: requests,
        # transfers and disputes are addressed to bodies across the county.
        return self.all()

    def active(self) -> models.QuerySet:
        return self.filter(is_active=True)


class Body(models.Model):
    """A government body that acts in the system: the guidance office, the command
    centre, a township's command room or enforcement team, a competent department
    or its dispatched team, police, procuratorate, court, a Wenzhou-level department…"""

    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="bodies")
    code = models.CharField(_("单位代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    kind = models.CharField(_("类型"), max_length=30, choices=BodyKind.choices)
    level = models.CharField(_("层级"), max_length=20, choices=BodyLevel.choices, default=BodyLevel.CITY)
    township = models.ForeignKey(
        Township, verbose_name=_("所属乡镇"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="bodies",
    )
    village = models.ForeignKey(
        Village, verbose_name=_("所属村(社区)"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="bodies",
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("上级单位"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    field = models.CharField(_("执法领域"), max_length=40, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    is_active = models.BooleanField(_("在用"), default=True)

    objects = BodyQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["level", "kind", "code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind__in=["township_command_room", "enforcement_team", "township_government",
                                       "dispatched_team", "village_committee"])
                | Q(township__isnull=False),
                name="org_body_township_bodies_have_township",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def sees_everything(self) -> bool:
        return self.kind in CITYWIDE_OVERSIGHT_KINDS


#: Bodies whose staff see every township's data (command, guidance, oversight).
CITYWIDE_OVERSIGHT_KINDS = frozenset(
    {
        BodyKind.CITY_GOVERNMENT,
        BodyKind.LEADING_GROUP,
        BodyKind.GUIDANCE_OFFICE,
        BodyKind.COMMAND_CENTRE,
        BodyKind.CASE_REVIEW_CENTRE,
        BodyKind.STAFFING_OFFICE,
        BodyKind.JUSTICE_BUREAU,
    }
)

#: Bodies that sit inside one township.
TOWNSHIP_BOUND_KINDS = frozenset(
    {
        BodyKind.TOWNSHIP_GOVERNMENT,
        BodyKind.TOWNSHIP_COMMAND_ROOM,
        BodyKind.ENFORCEMENT_TEAM,
        BodyKind.DISPATCHED_TEAM,
        BodyKind.VILLAGE_COMMITTEE,
    }
)


# --------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------


class UserQuerySet(ScopedQuerySet):
    def for_scope(self, scope: Scope) -> models.QuerySet:
        q = Q(body__in=scope.body_ids)
        if scope.township_ids:
            q |= Q(body__township__in=scope.township_ids)
        return self.filter(q)


class OneTeamUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A staff account: a person working in one body, with one or more roles.
    Enforcement acts need a valid enforcement certificate (:class:`EnforcementCertificate`)."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    body = models.ForeignKey(
        Body, verbose_name=_("所在单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="staff",
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    is_demo = models.BooleanField(_("演示账号"), default=False)

    objects = OneTeamUserManager()

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name()

    def get_short_name(self) -> str:
        return self.full_name or self.username

    @cached_property
    def role_set(self) -> frozenset[str]:
        if not self.pk:
            return frozenset()
        return frozenset(self.roles.values_list("role", flat=True))

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))

    def valid_certificate(self, on: dt.date | None = None) -> EnforcementCertificate | None:
        """The enforcement certificate valid on ``on`` (default today), if any."""
        on = on or timezone.localdate()
        return self.certificates.valid_on(on).order_by("-valid_until").first()

    def is_certified(self, on: dt.date | None = None) -> bool:
        return self.valid_certificate(on) is not None


class UserRole(models.Model):
    """A role held by a user within their body."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices)

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="org_userrole_unique")]

    def __str__(self) -> str:
        return f"{self.user} {self.get_role_display()}"


class PersonRecordQuerySet(ScopedQuerySet):
    """Records about a person follow the person's visibility."""

    def for_scope(self, scope: Scope) -> models.QuerySet:
        q = Q(user__body__in=scope.body_ids)
        if scope.township_ids:
            q |= Q(user__body__township__in=scope.township_ids)
        return self.filter(q)


class CertificateQuerySet(PersonRecordQuerySet):
    def valid_on(self, on: dt.date) -> models.QuerySet:
        return self.filter(valid_from__lte=on, valid_until__gte=on, revoked_on__isnull=True)

    def expiring(self, within_days: int, on: dt.date | None = None) -> models.QuerySet:
        on = on or timezone.localdate()
        return self.valid_on(on).filter(valid_until__lte=on + dt.timedelta(days=within_days))


class EnforcementCertificate(models.Model):
    """An administrative enforcement certificate (执法证). Only a holder of a
    certificate valid on the day may be named as an officer on an enforcement act."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="certificates")
    number = models.CharField(_("证件号"), max_length=40, unique=True)
    scope = models.CharField(_("执法范围"), max_length=200)
    issued_by = models.CharField(_("发证机关"), max_length=100, blank=True)
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期至"))
    revoked_on = models.DateField(_("注销日期"), null=True, blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("执法证")
        verbose_name_plural = _("执法证")
        ordering = ["user", "-valid_until"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gte=models.F("valid_from")),
                                   name="org_enforcementcertificate_valid_range"),
        ]

    def __str__(self) -> str:
        return f"{self.number}（{self.user}）"

    def clean(self) -> None:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("有效期至不能早于有效期起。")})

    def is_valid_on(self, on: dt.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.valid_from <= on <= self.valid_until and (self.revoked_on is None or self.revoked_on > on)

    def days_left(self, on: dt.date | None = None) -> int:
        on = on or timezone.localdate()
        return (self.valid_until - on).days


class LegalQualification(models.Model):
    """A legal qualification (national legal exam, public lawyer …); a first-time
    legal reviewer needs the national one (行政处罚法 Art. 58)."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="legal_qualifications")
    kind = models.CharField(_("类型"), max_length=30, choices=LegalQualificationKind.choices)
    number = models.CharField(_("证书编号"), max_length=60, blank=True)
    obtained_on = models.DateField(_("取得日期"))

    objects = PersonRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("法律职业资格")
        verbose_name_plural = _("法律职业资格")

    def __str__(self) -> str:
        return f"{self.user} {self.get_kind_display()}"


class TrainingRecord(models.Model):
    """One training attended by a person (M8.1)."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="trainings")
    title = models.CharField(_("培训名称"), max_length=200)
    provider = models.CharField(_("主办单位"), max_length=100, blank=True)
    held_on = models.DateField(_("培训日期"))
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1)
    passed = models.BooleanField(_("考核合格"), default=True)

    objects = PersonRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("培训记录")
        verbose_name_plural = _("培训记录")
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"{self.user} {self.title}"


class Commendation(models.Model):
    """A commendation or qualification encouragement (表彰 / 考证激励, M8.1)."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="commendations")
    title = models.CharField(_("名称"), max_length=200)
    awarded_on = models.DateField(_("日期"))
    awarded_by = models.CharField(_("授予单位"), max_length=100, blank=True)

    objects = PersonRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("表彰奖励")
        verbose_name_plural = _("表彰奖励")
        ordering = ["-awarded_on"]

    def __str__(self) -> str:
        return f"{self.user} {self.title}"


class LoginEvent(models.Model):
    """Every log-in, log-out and failed log-in (kept forever, name copied)."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("登录")
        LOGOUT = "logout", _("退出")
        FAILED = "failed", _("登录失败")
        LOCKED = "locked", _("账号锁定")

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    username = models.CharField(_("用户名"), max_length=150)
    user_id_copy = models.BigIntegerField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("登录记录")
        verbose_name_plural = _("登录记录")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_kind_display()}"
