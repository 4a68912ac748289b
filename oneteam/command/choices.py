from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    GRID_PATROL = "grid_patrol", _("网格巡查")
    FOUR_PLATFORMS = "four_platforms", _("基层治理四平台")
    HOTLINE = "hotline", _("12345热线/群众投诉")
    DEPARTMENT_REFERRAL = "department_referral", _("部门移送")
    INSPECTION = "inspection", _("检查发现")
    STAFF_DISCOVERY = "staff_discovery", _("执法人员发现")
    EXTERNAL_SYSTEM = "external_system", _("外部系统")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")


class CoordinationKind(models.TextChoices):
    ASSISTANCE = "assistance", _("执法协助")
    EMERGENCY = "emergency", _("紧急协同")
    JOINT_SUPERVISION = "joint_supervision", _("配合监管")
    LEAD_TRANSFER = "lead_transfer", _("线索移送")
    DISPUTE = "dispute", _("争议处置")


class CheckVerdict(models.TextChoices):
    """The answer of a field check (``report_check``)."""

    PASSED = "passed", _("处置到位，核查通过")
    FAILED = "failed", _("处置不到位，建议返工")


class DissuasionOutcome(models.TextChoices):
    STOPPED = "stopped", _("劝阻有效，已停止")
    CONTINUING = "continuing", _("劝阻无效，仍在继续")
    NOT_PRESENT = "not_present", _("当事人不在场")


class Level(models.TextChoices):
    """Which command level dispatches a category."""

    TOWNSHIP = "township", _("乡镇指挥室")
    CITY = "city", _("市指挥中心")
