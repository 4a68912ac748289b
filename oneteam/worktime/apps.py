from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorktimeConfig(AppConfig):
    name = "oneteam.worktime"
    label = "worktime"
    verbose_name = _("工作日历与期限")
