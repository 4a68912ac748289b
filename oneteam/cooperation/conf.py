"""Configuration of the cooperation mechanisms, with the defaults of the policy
text (瑞政办〔2022〕70号 §三(二)) and of local practice.

Override any key in ``settings.ONETEAM_COOPERATION`` (a dict); missing keys
take the defaults below. Periods are read when a deadline is set, so a change
applies to deadlines started afterwards. ``COLLABORATION_MAX_EXTENSIONS`` is
read when the flow is declared (at start-up).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from oneteam.worktime.engine import Period, PeriodKind

DEFAULTS: dict[str, Any] = {
    # 执法协作申请 (policy §三(二)2): reply within 5 working days of receipt, +5 once if complex.
    "COLLABORATION_REPLY_DAYS": 5,
    "COLLABORATION_EXTENSION_DAYS": 5,
    "COLLABORATION_MAX_EXTENSIONS": 1,
    # Local practice [U]: the department signs for a request within 1 working day (response rate).
    "COLLABORATION_RECEIPT_DAYS": 1,
    # 案件移送 [U]: sign for a transfer within 1 working day, accept or return it within 5.
    "TRANSFER_RECEIPT_DAYS": 1,
    "TRANSFER_DECISION_DAYS": 5,
    # 执法争议 (policy §三(二)6) [U]: negotiation, coordination, ruling.
    "DISPUTE_NEGOTIATION_DAYS": 5,
    "DISPUTE_COORDINATION_DAYS": 10,
    "DISPUTE_RULING_DAYS": 15,
    # Body codes of the county's guidance office, staffing office, justice bureau and
    # leading group; empty = the first active body of that kind.
    "GUIDANCE_OFFICE_CODE": "",
    "STAFFING_OFFICE_CODE": "",
    "JUSTICE_BUREAU_CODE": "",
    "LEADING_GROUP_CODE": "",
}


def get(key: str) -> Any:
    """The configured value of ``key`` (``settings.ONETEAM_COOPERATION`` over :data:`DEFAULTS`)."""
    overrides = getattr(settings, "ONETEAM_COOPERATION", None) or {}
    if key in overrides:
        return overrides[key]
    return DEFAULTS[key]


def working_days(key: str) -> Period:
    return Period(PeriodKind.WORKING_DAYS, int(get(key)))
