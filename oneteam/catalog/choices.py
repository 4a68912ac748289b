"""Choices of the catalog context: stable lowercase values, Chinese labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CatalogLevel(models.TextChoices):
    PROVINCE = "province", _("省级")
    PREFECTURE = "prefecture", _("地市级")
    COUNTY = "county", _("县市级")


class MatterKind(models.TextChoices):
    PENALTY = "penalty", _("处罚")
    COERCION = "coercion", _("强制")
    INSPECTION = "inspection", _("检查")
    LEVY = "levy", _("征收")
    CONFIRMATION = "confirmation", _("确认")
    OTHER = "other", _("其他")


class TransferScope(models.TextChoices):
    ALL = "all", _("全部")
    PART = "part", _("部分")


class DecisionKind(models.TextChoices):
    GRANT = "grant", _("赋权")
    WITHDRAW = "withdraw", _("收回")
