from django.db import models
from django.utils.translation import gettext_lazy as _


class CollaborationKind(models.TextChoices):
    """What a township asks a department for (policy §三(二)2)."""

    DETERMINATION = "determination", _("认定")
    APPRAISAL = "appraisal", _("技术鉴定")
    OPINION = "opinion", _("提供咨询意见")
    MATERIALS = "materials", _("提供资料")


class EscalationCause(models.TextChoices):
    """Why a collaboration request went on to a Wenzhou-level department."""

    DEPARTMENT_REQUEST = "department_request", _("部门提请（专业性、及时性较强或复杂疑难）")
    DEPARTMENT_OVERDUE = "department_overdue", _("部门逾期未答复")
    DEPARTMENT_REFUSED = "department_refused", _("部门拒绝协作")


class ShareCategory(models.TextChoices):
    """What a department shares with townships (policy §三(二)1)."""

    LAW = "law", _("法律法规规章")
    STANDARD = "standard", _("管理标准")
    INTERPRETATION = "interpretation", _("司法解释与规范性文件")
    APPROVAL = "approval", _("行政审批基础材料")
    UPDATE = "update", _("执法动态")
