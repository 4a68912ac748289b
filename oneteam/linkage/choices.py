"""Choices of the linkage context: stable lowercase values, Chinese labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TargetKind(models.TextChoices):
    ENTITY = "entity", _("市场主体")
    PLACE = "place", _("场所")


class PlanStatus(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    COMBINED = "combined", _("已纳入综合查一次")
    DONE = "done", _("已检查")
    WITHDRAWN = "withdrawn", _("已撤回")


class MaterialKind(models.TextChoices):
    """The five materials of a criminal referral (国务院令第310号 Art. 6)."""

    TRANSFER_LETTER = "transfer_letter", _("涉嫌犯罪案件移送书")
    INVESTIGATION_REPORT = "investigation_report", _("涉嫌犯罪案件情况的调查报告")
    ITEM_LIST = "item_list", _("涉案物品清单")
    APPRAISAL = "appraisal", _("有关检验报告或者鉴定意见")
    OTHER = "other", _("其他有关涉嫌犯罪的材料")


REQUIRED_MATERIALS = tuple(MaterialKind.values)
