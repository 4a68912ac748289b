from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeScope(models.TextChoices):
    YEAR = "year", _("全年安排")
    AMENDMENT = "amendment", _("个别日期修正")


class DayKind(models.TextChoices):
    OFF = "off", _("放假")
    WORKING = "working", _("调休上班")
