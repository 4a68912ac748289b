"""``{% load worktime %}{% deadline_badge deadline %}``: a deadline's status
with its explanation on hover (``title``) and on click (``data-toggle-explain``,
handled by the base layout's ``oneteam.js``). ``deadline`` is an
:class:`~oneteam.worktime.engine.Deadline` or its ``to_dict()`` (e.g. stored in
a JSONField); ``now`` defaults to the current time."""

from __future__ import annotations

import datetime as dt
import itertools

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from oneteam.worktime import engine, services

register = template.Library()
_ids = itertools.count(1)


@register.inclusion_tag("worktime/partials/deadline_badge.html")
def deadline_badge(deadline, now: dt.datetime | None = None, expanded: bool = False) -> dict:
    """``expanded`` shows the explanation open (it still toggles on click)."""
    if not deadline:
        return {"deadline": None}
    if isinstance(deadline, engine.Deadline):
        due = deadline.due
        due_display = services.due_text(due, deadline.period.kind)
        lines = deadline.explanation.lines()
        warnings = list(deadline.warnings)
        suspended = deadline.suspended
    else:
        due = dt.datetime.fromisoformat(deadline["due"])
        due_display = services.due_text(due, deadline["kind"]) if deadline.get("kind") else deadline["due"]
        lines = list(deadline.get("explanation") or [deadline.get("rule", "")])
        warnings = list(deadline.get("warnings") or [])
        suspended = bool(deadline.get("suspended"))
    status = services.get_calendar().status(due, now or timezone.now())
    label, level = services.status_text(status), status.level
    if suspended:
        label, level = _("期限中止中"), "warn"
    if warnings:
        label = f"{label} ⚠"
    title = "\n".join([*lines, *warnings])
    return {
        "deadline": True,
        "label": label,
        "level": level,
        "due_display": due_display,
        "lines": lines,
        "warnings": warnings,
        "title": title,
        "box_id": f"deadline-explain-{next(_ids)}",
        "expanded": expanded,
    }


@register.simple_tag
def weekday_names() -> list[str]:
    return [_("一"), _("二"), _("三"), _("四"), _("五"), _("六"), _("日")]
