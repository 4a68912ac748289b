"""Settings of the linkage context, each with a documented default.

Override any of them in ``settings.ONETEAM["LINKAGE"]`` (a dict), e.g.
``ONETEAM["LINKAGE"] = {"REFERRAL_DAY_KIND": "working_days"}``. Read through
:func:`get` at call time so tests can override them with ``settings``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from oneteam.worktime.engine import Period, PeriodKind

DEFAULTS: dict[str, Any] = {
    # 国务院令第310号 says "3日" without a working-day clause (unlike 行政处罚法
    # Art. 85 and 行政强制法 Art. 69, which define only *their own* short periods
    # as working days). The general rule for periods (民法典 Art. 200–204;
    # 刑事诉讼法 Art. 105 for the police side) is calendar days, the start day
    # not counted, a last day on a rest day rolling to the next working day;
    # that is PeriodKind.CALENDAR_DAYS. See docs/linkage.md.
    "REFERRAL_DAY_KIND": PeriodKind.CALENDAR_DAYS.value,
    # "3日" periods of 310号: head's decision, police filing decision,
    # reconsideration request, police answer, supervision request, hand-over.
    "REFERRAL_DAYS": 3,
    # "24小时" (head's approval → transfer to police): natural hours.
    "REFERRAL_TRANSFER_HOURS": 24,
    # Inspect once: plans of one target combine when their windows are at most this many days apart.
    "MERGE_WINDOW_DAYS": 30,
    # Police support: the police answer a support request within this many natural hours (local practice).
    "POLICE_SUPPORT_RESPONSE_HOURS": 2,
    # Court (行政强制法 Art. 56–57, periods ≤ 10 days are working days by its Art. 69):
    # acceptance within 5 days, ruling within 7 days of acceptance.
    "COURT_ACCEPTANCE_WORKING_DAYS": 5,
    "COURT_RULING_WORKING_DAYS": 7,
}


def get(name: str) -> Any:
    overrides = getattr(settings, "ONETEAM", {}).get("LINKAGE", {}) or {}
    return overrides.get(name, DEFAULTS[name])


def referral_days() -> Period:
    """The period of each "3日" of 国务院令第310号, in the configured day kind."""
    return Period(PeriodKind(get("REFERRAL_DAY_KIND")), int(get("REFERRAL_DAYS")))


def referral_transfer_period() -> Period:
    return Period(PeriodKind.NATURAL_HOURS, int(get("REFERRAL_TRANSFER_HOURS")))


def merge_window_days() -> int:
    return int(get("MERGE_WINDOW_DAYS"))
