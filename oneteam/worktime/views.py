"""Calendar pages (placeholder until the full pages land)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from . import services


def missing_year_banner(request) -> list[dict]:
    """A warning on staff pages while the current or next year's holidays are not loaded."""
    years = services.missing_years(timezone.localdate())
    return [{"level": "warning",
             "message": _("%(year)s年节假日安排未导入,涉及该年的期限暂按普通周末计算。") % {"year": y}}
            for y in years]
