"""Scoped reads of the linkage context for pages and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from oneteam.org.choices import BodyKind
from oneteam.workflow import selectors as wf
from oneteam.workflow.models import ProcessDeadline, Transition

from . import conf, flows, planner
from .choices import PlanStatus
from .identifiers import format_inspection_code, normalise_inspection_code
from .models import CombinedInspection, InspectionPlan, InspectionTarget, PlanItem

#: Bodies with the read-only oversight view of every referral.
OVERSIGHT_KINDS = frozenset({BodyKind.PROCURATORATE, BodyKind.GUIDANCE_OFFICE})


def can_oversee(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return bool(user.body_id) and user.body.kind in OVERSIGHT_KINDS


def processes(user, kind: str, *, state: str | None = None) -> QuerySet:
    return wf.processes_of(user, kind, state=state)


# ----- inspections ------------------------------------------------------------------------


def plans_visible(user) -> QuerySet:
    return (InspectionPlan.objects.visible_to(user).select_related("body", "target", "combined__process")
            .prefetch_related(Prefetch("items", queryset=PlanItem.objects.order_by("pk"))))


def target_warnings(target: InspectionTarget, *, window_days: int | None = None) -> list[str]:
    """Warnings that ``target`` is inspected (planned, combined or done) by
    different bodies within the window and not in one combined inspection."""
    window_days = conf.merge_window_days() if window_days is None else window_days
    rows = list(InspectionPlan.objects.filter(target=target).exclude(status=PlanStatus.WITHDRAWN)
                .select_related("body", "combined__lead_body").order_by("planned_from"))
    # Plans in one combined inspection are one visit, by its lead body in its window.
    groups: dict = {}
    for p in rows:
        if p.combined_id:
            c = p.combined
            groups[f"c{c.pk}"] = (c.window_from, c.window_until, c.lead_body)
        else:
            groups[f"p{p.pk}"] = (p.planned_from, p.planned_until, p.body)
    visits = [(target.pk, body, start, end) for start, end, body in groups.values()]
    out = []
    for _t, b1, d1, b2, d2 in planner.repeat_warnings(visits, window_days):
        out.append(_("%(b1)s（%(d1)s）与%(b2)s（%(d2)s）在%(w)d日内分别检查同一对象，建议合并为综合查一次。") % {
            "b1": b1, "d1": d1, "b2": b2, "d2": d2, "w": window_days})
    return out


def warnings_overview(user, *, period_from: dt.date, period_until: dt.date, limit: int = 50) -> list[dict[str, Any]]:
    """Targets with plans by different bodies within the window that are not combined."""
    w = conf.merge_window_days()
    rows = list(InspectionPlan.objects.visible_to(user).filter(
        status=PlanStatus.REGISTERED, planned_until__gte=period_from, planned_from__lte=period_until)
        .values_list("target_id", "body__name", "planned_from", "planned_until"))
    found: dict[int, list] = {}
    for t, b1, d1, b2, d2 in planner.repeat_warnings(rows, w):
        found.setdefault(t, []).append((b1, d1, b2, d2))
    targets = InspectionTarget.objects.in_bulk(list(found)[:limit])
    return [{"target": targets[t], "pairs": found[t]} for t in list(found)[:limit] if t in targets]


def public_inspection(code: str) -> dict[str, Any] | None:
    """What the inspected party may see for an inspection code: inspecting
    bodies, items with their legal basis, the date window and the lead body.
    Never notes, findings, people or internal numbers."""
    canonical = normalise_inspection_code(code)
    if canonical is None:
        return None
    rec = (CombinedInspection.objects.filter(code=canonical).select_related("target", "lead_body", "process")
           .prefetch_related(Prefetch("plans", queryset=InspectionPlan.objects.select_related("body")
                                      .prefetch_related("items").order_by("pk"))).first())
    if rec is None or rec.process.state == "cancelled":
        return None
    items, bodies = [], []
    for plan in rec.plans.all():
        if plan.body.name not in bodies:
            bodies.append(plan.body.name)
        for item in plan.items.all():
            items.append({"body": plan.body.name, "name": item.name, "legal_basis": item.legal_basis,
                          "matter_code": item.matter.code if item.matter_id else ""})
    return {"code": format_inspection_code(rec.code), "target": rec.target.name, "lead_body": rec.lead_body.name,
            "bodies": bodies, "items": items, "window_from": rec.window_from.isoformat(),
            "window_until": rec.window_until.isoformat(), "state": rec.process.state_label}


# ----- referrals: oversight ------------------------------------------------------------


def referral_rows(user) -> QuerySet:
    """Referrals visible to ``user`` with what the oversight table shows."""
    return (wf.processes_of(user, flows.REFERRAL)
            .select_related("linkage_criminalreferral__police_body")
            .prefetch_related(Prefetch("deadlines", queryset=ProcessDeadline.objects.filter(superseded=False)
                                       .order_by("started_at", "pk"), to_attr="all_deadlines")))


def referral_timeliness(user, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Counts for the oversight dashboard, in SQL: referrals by state, and per
    deadline name how many were met, late, are running or are overdue now."""
    now = now or timezone.now()
    base = wf.visible_of_kind(user, flows.REFERRAL)
    by_state = {r["state"]: r["n"] for r in base.values("state").annotate(n=Count("pk"))}
    deadlines = (ProcessDeadline.objects.filter(process__in=base, superseded=False).values("name")
                 .annotate(met=Count("pk", filter=Q(met_on_time=True)),
                           late=Count("pk", filter=Q(met_on_time=False)),
                           running=Count("pk", filter=Q(stopped_at__isnull=True, due_at__gte=now)),
                           overdue=Count("pk", filter=Q(stopped_at__isnull=True, due_at__lt=now))))
    labels = flows.REFERRAL_FLOW.deadline_labels
    order = list(labels)
    rows = sorted(({"name": d["name"], "label": str(labels.get(d["name"], d["name"])), **{k: d[k] for k in (
        "met", "late", "running", "overdue")}} for d in deadlines), key=lambda r: order.index(r["name"])
                  if r["name"] in order else 99)
    states = [{"state": s.name, "label": str(s.label), "n": by_state.get(s.name, 0)}
              for s in flows.REFERRAL_FLOW.states]
    return {"total": sum(by_state.values()), "states": states, "deadlines": rows,
            "pending": sum(by_state.get(s, 0) for s in flows.REFERRAL_PENDING_STATES)}


# ----- court and police support -----------------------------------------------------------


def execution_rows(user, *, state: str | None = None) -> QuerySet:
    return wf.processes_of(user, flows.EXECUTION, state=state).select_related("linkage_executionapplication")


def police_support_rows(user) -> QuerySet:
    """Support requests with the time of the police's answer (accept or decline) and arrival."""
    answered = Transition.objects.filter(process=OuterRef("pk"), action__in=["accept", "decline"]).order_by("seq")
    arrived = Transition.objects.filter(process=OuterRef("pk"), action="arrive").order_by("seq")
    return (wf.processes_of(user, flows.POLICE_SUPPORT).select_related("linkage_policesupportrequest")
            .annotate(answered_at=Subquery(answered.values("at")[:1]), arrived_at=Subquery(arrived.values("at")[:1])))


def minutes_between(a: dt.datetime | None, b: dt.datetime | None) -> int | None:
    if a is None or b is None:
        return None
    return int((b - a).total_seconds() // 60)


def response_summary(user) -> dict[str, Any]:
    """Response figures of police support (counts in SQL; the average from two
    timestamp columns, one row per request)."""
    qs = police_support_rows(user)
    pairs = list(qs.values_list("created_at", "answered_at"))
    answered = [minutes_between(a, b) for a, b in pairs if b is not None]
    deadline = ProcessDeadline.objects.filter(process__in=wf.visible_of_kind(user, flows.POLICE_SUPPORT),
                                              name="response")
    met = deadline.filter(met_on_time=True).count()
    return {"requests": len(pairs), "answered": len(answered), "on_time": met,
            "avg_minutes": round(sum(answered) / len(answered)) if answered else None}
