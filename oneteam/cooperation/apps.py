from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CooperationConfig(AppConfig):
    name = "oneteam.cooperation"
    label = "cooperation"
    verbose_name = _("协作配合")
