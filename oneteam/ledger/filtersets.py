"""One filter set for the staff page and the API list (NetBox style)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from oneteam.core.errors import InvalidInput

from .models import LedgerEntry
from .services import parse_object_ref


class LedgerEntryFilterSet(django_filters.FilterSet):
    object = django_filters.CharFilter(
        label=_("对象"), method="filter_object", help_text=_("写作“应用.模型:编号”，例如 org.township:5")
    )
    object_type = django_filters.CharFilter(label=_("对象类型"))
    object_id = django_filters.CharFilter(label=_("对象ID"))
    action = django_filters.CharFilter(label=_("动作"))
    actor_id = django_filters.NumberFilter(label=_("操作人ID"))
    before = django_filters.NumberFilter(label=_("早于序号"), field_name="seq", lookup_expr="lt")

    class Meta:
        model = LedgerEntry
        fields = ["object", "object_type", "object_id", "action", "actor_id", "before"]

    def filter_object(self, queryset, name, value):
        try:
            object_type, object_id = parse_object_ref(value)
        except InvalidInput:
            return queryset.none()
        return queryset.filter(object_type=object_type, object_id=object_id)
