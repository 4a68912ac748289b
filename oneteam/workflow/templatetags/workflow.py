"""Template helpers for workflow pages and the header bell."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from oneteam.org.choices import Role

from ..declare import (
    Action,
    ExtendDeadline,
    Flow,
    PartyRole,
    PauseDeadline,
    ResumeDeadline,
    StartDeadline,
    StopDeadline,
)

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """Unread notification count of the current user (one COUNT query, cached per request)."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    from ..context_processors import unread_count

    return unread_count(request, user)


@register.filter
def state_label(flow: Flow, name: str) -> str:
    return flow.state_label(name)


@register.filter
def party_label(value: str) -> str:
    return str(PartyRole(value).label) if value in PartyRole.values else value


@register.filter
def role_label(value: str) -> str:
    return str(Role(value).label) if value in Role.values else value


@register.filter
def requirements(action: Action) -> str:
    r = action.requires
    out = []
    if action.needs_reason:
        out.append(_("理由"))
    if r.fields:
        out.append(_("字段：%(fields)s") % {"fields": _("、").join(r.fields)})
    if r.attachments:
        out.append(_("附件≥%(n)s") % {"n": r.attachments})
    if r.certified_officers:
        out.append(_("持证执法人员≥%(n)s") % {"n": r.certified_officers})
    return _("；").join(out) or "—"


@register.filter
def deadline_ops(action: Action, flow: Flow) -> str:
    out = []
    for op in action.deadlines:
        label = flow.deadline_label(op.name)
        if isinstance(op, StartDeadline):
            out.append(_("起算%(label)s") % {"label": label} if callable(op.period) else
                       _("起算%(label)s（%(period)s）") % {"label": label, "period": op.period})
        elif isinstance(op, StopDeadline):
            out.append(_("停止%(label)s") % {"label": label})
        elif isinstance(op, PauseDeadline):
            out.append(_("中止%(label)s") % {"label": label})
        elif isinstance(op, ResumeDeadline):
            out.append(_("恢复%(label)s") % {"label": label})
        elif isinstance(op, ExtendDeadline):
            out.append(_("延长%(label)s") % {"label": label} if callable(op.period) else
                       _("延长%(label)s（%(period)s，最多%(n)s次）") % {"label": label, "period": op.period,
                                                                   "n": op.max_times})
    return _("；").join(out) or "—"


@register.filter
def dict_items(value) -> list:
    """``dict.items()`` for templates; ``value.items`` would look up a key named "items" first."""
    return list(value.items()) if isinstance(value, dict) else []
