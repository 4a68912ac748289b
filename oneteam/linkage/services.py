"""Every write of the linkage context.

Flow transitions go through the kernel (:func:`oneteam.workflow.services.perform`);
the services here start processes with the mechanism's checks, keep the
non-process records (targets, plans, joint tasks) and write their ledger
entries in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oneteam.core.errors import InvalidInput, NotPermitted
from oneteam.core.i18n import _r
from oneteam.ledger import services as ledger
from oneteam.org.choices import BodyKind, Role
from oneteam.org.models import TOWNSHIP_BOUND_KINDS, Body, User
from oneteam.workflow import services as kernel
from oneteam.workflow.declare import PartyRole
from oneteam.workflow.models import Process

from . import conf, flows, planner
from .choices import MaterialKind, PlanStatus, TargetKind
from .identifiers import new_inspection_code, normalise_credit_code
from .models import (
    CombinedInspection,
    CriminalReferral,
    InspectionPlan,
    InspectionTarget,
    JointTask,
    PlanItem,
)

#: Bodies that may initiate a joint operation (发起联合执法的部门或乡镇(街道), or the guidance office).
JOINT_INITIATOR_KINDS = frozenset({BodyKind.DEPARTMENT, BodyKind.DISPATCHED_TEAM, BodyKind.TOWNSHIP_GOVERNMENT,
                                   BodyKind.TOWNSHIP_COMMAND_ROOM, BodyKind.ENFORCEMENT_TEAM,
                                   BodyKind.GUIDANCE_OFFICE})
#: Bodies that coordinate inspect-once across bodies (may combine any bodies' plans).
COORDINATOR_KINDS = frozenset({BodyKind.GUIDANCE_OFFICE, BodyKind.COMMAND_CENTRE})


def _clean(obj) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        raise InvalidInput(next(iter(detail.values()))[0], code="invalid_record", detail=detail) from exc


def _require_body(actor: User | None) -> Body:
    if actor is None or not actor.body_id:
        raise NotPermitted(_("只有所在单位明确的工作人员可以办理。"), code="no_body")
    return actor.body


def city_body(near: Body, kind: str, *, required: bool = True) -> Body | None:
    """The body of ``kind`` in ``near``'s city (same level: 同级)."""
    body = Body.objects.filter(city_id=near.city_id, kind=kind, is_active=True).order_by("code").first()
    if body is None and required:
        raise InvalidInput(_("本市未登记%(k)s。") % {"k": BodyKind(kind).label}, code="body_missing")
    return body


# --------------------------------------------------------------------------
# Joint enforcement
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Participant:
    body: Body
    duties: str
    forces: int = 0


@transaction.atomic
def do_plan_joint_operation(
    *,
    actor: User,
    title: str,
    targets: str,
    place: str,
    starts_on: dt.date,
    ends_on: dt.date,
    plan: str,
    participants: Sequence[Participant],
    lead_body: Body | None = None,
    launch: bool = False,
) -> Process:
    """Write a joint-operation plan (工作方案) and optionally launch it.

    Preconditions: the actor's body is a department, a township body or the
    guidance office; at least two distinct participating bodies, each with
    duties. When the guidance office proposes (统一调配执法力量) it names the
    lead body among the participants and may allocate forces; otherwise the
    initiator leads. Creates the process (initiator = actor's body, assignees =
    the other participants), one :class:`JointTask` per participant, records
    ``joint_operation.start`` with the tasks; ``launch`` then performs ``launch``.
    """
    body = _require_body(actor)
    if body.kind not in JOINT_INITIATOR_KINDS:
        raise NotPermitted(_("联合执法由业务主管部门、乡镇(街道)或市指导办发起。"), code="initiator_kind")
    seen: dict[int, Participant] = {}
    for p in participants:
        if not (p.duties or "").strip():
            raise InvalidInput(_("请为%(b)s填写职责分工。") % {"b": p.body}, code="duties_required")
        if p.body.pk in seen:
            raise InvalidInput(_("参与单位重复：%(b)s") % {"b": p.body}, code="participant_duplicate")
        seen[p.body.pk] = p
    if len(seen) < 2:
        raise InvalidInput(_("联合执法至少需要两个参与单位。"), code="participants_required")
    guidance = body.kind == BodyKind.GUIDANCE_OFFICE
    if guidance:
        if lead_body is None or lead_body.pk not in seen:
            raise InvalidInput(_("指导办建议联合执法时须在参与单位中明确牵头单位。"), code="lead_required")
    else:
        lead_body = body
    tasks = [{"body_id": p.body.pk, "body": str(p.body), "duties": p.duties.strip(), "forces": p.forces}
             for p in seen.values()]
    process = kernel.start_process(
        flows.JOINT, actor=actor, initiator=body, assignees=[p.body for p in seen.values() if p.body.pk != body.pk],
        title=title, township=_common_township([p.body for p in seen.values()]),
        record_fields={"targets": targets, "place": place, "starts_on": starts_on, "ends_on": ends_on, "plan": plan,
                       "lead_body": lead_body, "proposed_by_guidance": guidance},
        data={"tasks": tasks},
    )
    for p in seen.values():
        JointTask.objects.create(operation=process.record, body=p.body, duties=p.duties.strip(), forces=p.forces)
    if launch:
        kernel.perform(process, "launch", actor=actor)
    return process


def _common_township(bodies: Iterable[Body]):
    townships = {b.township_id for b in bodies if b.township_id}
    if len(townships) == 1:
        from oneteam.org.models import Township

        return Township.objects.get(pk=townships.pop())
    return None


# --------------------------------------------------------------------------
# Inspection targets and plans
# --------------------------------------------------------------------------


@transaction.atomic
def do_register_target(*, actor: User | None, name: str, kind: str = TargetKind.ENTITY, credit_code: str = "",
                       address: str = "", township=None, industry: str = "", is_demo: bool = False
                       ) -> InspectionTarget:
    """Register (or find) an inspection target. A market entity is identified
    by its 统一社会信用代码, which must pass the GB 32100 check; the same code
    returns the existing target. Records ``linkage.target`` when created."""
    if kind == TargetKind.ENTITY:
        try:
            credit_code = normalise_credit_code(credit_code)
        except ValidationError as exc:
            raise InvalidInput(exc.messages[0], code="credit_code_invalid") from exc
        existing = InspectionTarget.objects.filter(credit_code=credit_code).first()
        if existing is not None:
            return existing
    else:
        credit_code = ""
    target = InspectionTarget(kind=kind, credit_code=credit_code, name=(name or "").strip(), address=address,
                              township=township, industry=industry, is_demo=is_demo)
    _clean(target)
    target.save()
    ledger.append("linkage.target", actor=actor, obj=target,
                  payload={"kind": kind, "credit_code": credit_code, "name": target.name})
    return target


@dataclass(frozen=True)
class ItemInput:
    """A check item: a catalog matter (basis taken from the catalog in force)
    or a free item with its basis."""

    matter: Any = None
    name: str = ""
    legal_basis: str = ""


def _resolve_item(item: ItemInput, on: dt.date) -> PlanItem:
    if item.matter is not None:
        from oneteam.catalog.selectors import entry_for

        entry = entry_for(item.matter, on)
        name = item.name or (entry.name if entry else item.matter.name)
        basis = item.legal_basis
        if not basis and entry is not None:
            articles = "；".join(entry.article_list)
            basis = f"{entry.legal_basis} {articles}".strip()
        if not basis:
            raise InvalidInput(_("事项 %(m)s 在%(d)s没有有效的法律依据，请填写。") % {"m": item.matter, "d": on},
                               code="basis_required")
        return PlanItem(matter=item.matter, name=name, legal_basis=basis)
    if not item.name.strip() or not item.legal_basis.strip():
        raise InvalidInput(_("检查事项须有名称和法律依据。"), code="item_incomplete")
    return PlanItem(name=item.name.strip(), legal_basis=item.legal_basis.strip())


@transaction.atomic
def do_register_plan(*, actor: User | None, target: InspectionTarget, title: str, planned_from: dt.date,
                     planned_until: dt.date | None = None, items: Sequence[ItemInput] = (), note: str = "",
                     body: Body | None = None, is_demo: bool = False) -> InspectionPlan:
    """Register ``body``'s (default: the actor's body) plan to inspect
    ``target`` within ``[planned_from, planned_until]`` with its check items
    (at least one). Records ``linkage.plan_register`` with the items."""
    body = body or _require_body(actor)
    if actor is not None and actor.body_id != body.pk:
        raise NotPermitted(_("只能以本单位名义登记检查计划。"), code="not_own_body")
    if not items:
        raise InvalidInput(_("请至少列出一个检查事项。"), code="items_required")
    plan = InspectionPlan(body=body, target=target, title=(title or "").strip(), planned_from=planned_from,
                          planned_until=planned_until or planned_from, note=note, created_by=actor, is_demo=is_demo)
    _clean(plan)
    resolved = [_resolve_item(i, planned_from) for i in items]
    plan.save()
    for item in resolved:
        item.plan = plan
    PlanItem.objects.bulk_create(resolved)
    ledger.append("linkage.plan_register", actor=actor, body=body if actor is None else None, obj=plan, payload={
        "target": target.credit_code or target.name, "title": plan.title, "from": plan.planned_from,
        "until": plan.planned_until, "items": [{"matter": i.matter.code if i.matter else None, "name": i.name}
                                               for i in resolved]})
    return plan


@transaction.atomic
def do_withdraw_plan(plan: InspectionPlan, *, actor: User, reason: str) -> InspectionPlan:
    """Withdraw a registered (not combined) plan of the actor's body; records ``linkage.plan_withdraw``."""
    locked = InspectionPlan.objects.select_for_update().get(pk=plan.pk)
    if actor.body_id != locked.body_id:
        raise NotPermitted(_("只能撤回本单位的检查计划。"), code="not_own_body")
    if locked.status != PlanStatus.REGISTERED:
        raise InvalidInput(_("该计划已纳入综合查一次或已检查，不能撤回。"), code="plan_not_registered")
    if not (reason or "").strip():
        raise InvalidInput(_("请填写撤回理由。"), code="reason_required")
    InspectionPlan.objects.filter(pk=locked.pk).update(status=PlanStatus.WITHDRAWN)
    ledger.append("linkage.plan_withdraw", actor=actor, obj=locked, payload={"reason": reason.strip()})
    locked.refresh_from_db()
    return locked


def plan_refs(plans: Iterable[InspectionPlan]) -> list[planner.PlanRef]:
    """Planner inputs from plan rows (``items`` prefetched or loaded per plan)."""
    return [planner.PlanRef(id=p.pk, body=p.body_id, target=p.target_id, start=p.planned_from, end=p.planned_until,
                            items=tuple(i.name for i in p.items.all())) for p in plans]


def _can_combine(actor: User | None, bodies: set[int]) -> bool:
    if actor is None:
        return True
    if actor.has_role(Role.ADMIN) or actor.is_superuser:
        return True
    return bool(actor.body_id) and (actor.body_id in bodies or actor.body.kind in COORDINATOR_KINDS)


@transaction.atomic
def do_combine(plans: Sequence[InspectionPlan], *, actor: User | None, lead_body: Body | None = None,
               initiator: Body | None = None, window_days: int | None = None, note: str = "") -> Process:
    """Combine plans of one target into one inspection (综合查一次).

    Preconditions: at least two registered plans, all of the same target, one
    visit can serve them all under the merge rule (:mod:`.planner`) with the
    window ``window_days``; the actor's body owns one of them or coordinates
    (guidance office, command centre); ``actor=None`` is the system and then
    ``initiator`` is required. The lead body (default: the planner's choice)
    must be one of the plans' bodies. Starts a ``combined_inspection``
    process with a fresh inspection code (initiator = the combining body,
    assignees = every plan's body), binds the plans to it and records the
    plans and items in ``combined_inspection.start``.
    """
    window_days = conf.merge_window_days() if window_days is None else window_days
    ids = sorted({p.pk for p in plans})
    locked = list(InspectionPlan.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    locked = list(InspectionPlan.objects.filter(pk__in=[p.pk for p in locked]).select_related("body", "target")
                  .prefetch_related("items").order_by("planned_from", "pk"))
    if len(locked) < 2:
        raise InvalidInput(_("综合查一次至少合并两个检查计划。"), code="plans_required")
    if len({p.target_id for p in locked}) != 1:
        raise InvalidInput(_("只能合并同一检查对象的计划。"), code="different_targets")
    if any(p.status != PlanStatus.REGISTERED for p in locked):
        raise InvalidInput(_("有计划已纳入其他综合查一次或已检查、已撤回。"), code="plan_not_registered")
    schedule = planner.plan_schedule(plan_refs(locked), window_days)
    if len(schedule.groups) != 1:
        raise InvalidInput(_("这些计划的检查时间相距超过%(w)d日，不能一次检查完成。") % {"w": window_days},
                           code="not_combinable")
    group = schedule.groups[0]
    bodies = {p.body_id: p.body for p in locked}
    if not _can_combine(actor, set(bodies)):
        raise NotPermitted(_("只有计划所属单位或市指导办、指挥中心可以合并检查计划。"), code="not_permitted")
    lead_body = lead_body or bodies[group.lead()]
    if lead_body.pk not in bodies:
        raise InvalidInput(_("牵头单位须为参与检查的单位之一。"), code="lead_not_participant")
    initiator = actor.body if actor is not None else initiator
    if initiator is None:
        raise InvalidInput(_("系统合并须指明发起单位。"), code="initiator_required")
    code = new_inspection_code()
    while CombinedInspection.objects.filter(code=code).exists():  # pragma: no cover - 31^9 codes
        code = new_inspection_code()
    target = locked[0].target
    process = kernel.start_process(
        flows.COMBINED, actor=actor, initiator=initiator, assignees=list(bodies.values()),
        title=_r("综合查一次：%(t)s") % {"t": target.name}, township=target.township,
        record_fields={"code": code, "target": target, "lead_body": lead_body, "window_from": group.window_from,
                       "window_until": group.window_until, "note": note},
        data={"plans": [{"id": p.pk, "body": str(p.body), "title": p.title,
                         "items": [i.name for i in p.items.all()]} for p in locked],
              "moved": group.moved},
    )
    InspectionPlan.objects.filter(pk__in=ids).update(status=PlanStatus.COMBINED, combined=process.record)
    return process


def merge_proposals(*, period_from: dt.date, period_until: dt.date, window_days: int | None = None,
                    body_ids: Iterable[int] | None = None) -> planner.Schedule:
    """The merged schedule of the registered plans whose window meets the
    period (optionally only targets that ``body_ids`` plan for)."""
    window_days = conf.merge_window_days() if window_days is None else window_days
    qs = InspectionPlan.objects.filter(status=PlanStatus.REGISTERED, planned_until__gte=period_from,
                                       planned_from__lte=period_until)
    if body_ids is not None:
        qs = qs.filter(target__in=InspectionPlan.objects.filter(body_id__in=list(body_ids)).values("target"))
    return planner.plan_schedule(plan_refs(qs.prefetch_related("items")), window_days)


@transaction.atomic
def do_apply_schedule(schedule: planner.Schedule, *, actor: User | None, initiator: Body | None = None) -> int:
    """Combine every multi-plan group of ``schedule``; returns how many were created."""
    created = 0
    for group in schedule.merges:
        plans = list(InspectionPlan.objects.filter(pk__in=[p.id for p in group.plans]))
        do_combine(plans, actor=actor, initiator=initiator, window_days=schedule.window_days)
        created += 1
    return created


# --------------------------------------------------------------------------
# Criminal referral
# --------------------------------------------------------------------------


@transaction.atomic
def do_create_referral(*, actor: User, case_number: str, suspect: str, suspected_offence: str, facts: str,
                       title: str = "", source_process: Process | None = None, police_body: Body | None = None
                       ) -> Process:
    """Open a criminal referral for ``case_number`` (drafting: the team of
    officers writes the report and gathers the five materials).

    The same-level police (default: the police of the initiator's city) is
    recorded and becomes an assignee only on transfer; the procuratorate of the
    city is added as the supervisor party at once (检察院依法实施监督), which
    gives it read access to the whole referral and no action but supervision.
    Refused while another referral of the same case is pending.
    """
    body = _require_body(actor)
    case_number = (case_number or "").strip()
    if not case_number:
        raise InvalidInput(_("请填写行政案件编号。"), code="case_number_required")
    pending = CriminalReferral.objects.filter(
        case_number=case_number, process__state__in=flows.REFERRAL_PENDING_STATES).select_related("process").first()
    if pending is not None:
        raise InvalidInput(_("案件%(c)s已有移送在办（%(n)s）。") % {"c": case_number, "n": pending.process.number},
                           code="referral_pending")
    police_body = police_body or city_body(body, BodyKind.POLICE)
    if police_body.kind != BodyKind.POLICE:
        raise InvalidInput(_("接收单位须为公安机关。"), code="not_police")
    procuratorate = city_body(body, BodyKind.PROCURATORATE, required=False)
    return kernel.start_process(
        flows.REFERRAL, actor=actor, initiator=body, supervisor=procuratorate,
        title=title or _r("涉嫌%(o)s案（%(s)s）") % {"o": suspected_offence, "s": suspect},
        record_fields={"case_number": case_number, "source_process": source_process, "suspect": suspect,
                       "suspected_offence": suspected_offence, "facts": facts, "police_body": police_body},
    )


def do_add_material(process: Process, *, actor: User, kind: str, file, expected_version: int | None = None):
    """Attach one of the five materials (a file, an uploaded attachment or its
    SHA-256) to a referral, tagged with its kind, through the kernel action
    ``add_material`` (drafting) or ``supplement_material`` (approved)."""
    action = "supplement_material" if process.state == "approved" else "add_material"
    return kernel.perform(process, action, actor=actor, data={"material_kind": kind}, attachments=[file],
                          expected_version=expected_version)


def referral_materials(process: Process) -> list[dict[str, Any]]:
    """The referral's materials: kind, label and attachment, in order of upload."""
    from oneteam.workflow.models import Attachment

    out = []
    for att in (Attachment.objects.filter(process=process, transition__action__in=flows.MATERIAL_ACTIONS)
                .select_related("blob", "transition").order_by("pk")):
        kind = (att.transition.data or {}).get("material_kind", "")
        out.append({"kind": kind, "label": MaterialKind(kind).label if kind in MaterialKind.values else kind,
                    "attachment": att})
    return out


def missing_materials(process: Process) -> list[str]:
    present = flows.materials_present(process)
    return [k for k in MaterialKind.values if k not in present]


def assert_penalty_allowed(case_number: str) -> None:
    """Raise ``InvalidInput`` when a penalty decision on ``case_number`` would
    substitute for a criminal referral (国务院令第310号 Art. 11: 不得以行政处罚代替移送).

    Blocked while a referral of the case is pending (being prepared, awaiting
    the head's decision or transfer, with the police, refused but still open to
    reconsideration or supervision, under reconsideration or supervision) and
    once the police have filed it (criminal track). Allowed when there is no
    referral, when the head did not approve the transfer (reasons on record),
    or when the path is exhausted and the case was returned to the body.
    The cases app calls this before every penalty decision.
    """
    case_number = (case_number or "").strip()
    rows = list(CriminalReferral.objects.filter(case_number=case_number).select_related("process")
                .order_by("-process__created_at"))
    for ref in rows:
        state = ref.process.state
        if state in flows.REFERRAL_PENDING_STATES:
            raise InvalidInput(
                _("案件%(c)s涉嫌犯罪已在移送程序中（%(n)s，%(s)s），不得以行政处罚代替移送；"
                  "待公安机关不予立案且复议、检察监督程序终结、案件退回后方可作出处罚决定。") % {
                    "c": case_number, "n": ref.process.number, "s": ref.process.state_label},
                code="referral_pending", detail={"referral": ref.process.number, "state": state})
        if state in flows.REFERRAL_CRIMINAL_STATES:
            raise InvalidInput(
                _("案件%(c)s已由公安机关立案侦查（%(n)s），不得以行政处罚代替刑事追究。") % {
                    "c": case_number, "n": ref.process.number},
                code="referral_filed", detail={"referral": ref.process.number, "state": state})


# --------------------------------------------------------------------------
# Court: compulsory execution applications
# --------------------------------------------------------------------------


@transaction.atomic
def do_apply_execution(*, actor: User, case_number: str, decision_no: str, respondent: str, obligation: str,
                       demand_served_on: dt.date, amount=None, court: Body | None = None) -> Process:
    """A township applies to the court for compulsory execution. Preconditions:
    the actor's body sits in a township; the demand (催告书) was served more
    than 10 working days ago (行政强制法 Art. 54; Art. 69: periods ≤ 10 days are
    working days). Starts ``execution_application`` to the city's court with
    the court's 5-working-day acceptance deadline."""
    body = _require_body(actor)
    if body.kind not in TOWNSHIP_BOUND_KINDS or body.kind == BodyKind.VILLAGE_COMMITTEE:
        raise NotPermitted(_("强制执行申请由乡镇(街道)提出。"), code="not_township")
    from oneteam.worktime.services import get_calendar

    earliest = get_calendar().add_working_days(demand_served_on, 10)
    today = timezone.localdate()
    if today <= earliest:
        raise InvalidInput(_("催告书送达10个工作日后（%(d)s之后）当事人仍未履行的，方可申请。") % {"d": earliest},
                           code="demand_period_running")
    court = court or city_body(body, BodyKind.COURT)
    return kernel.start_process(
        flows.EXECUTION, actor=actor, initiator=body, assignees=[court],
        title=_r("申请强制执行：%(r)s（%(d)s）") % {"r": respondent, "d": decision_no},
        record_fields={"case_number": case_number, "decision_no": decision_no, "respondent": respondent,
                       "obligation": obligation, "amount": amount, "demand_served_on": demand_served_on},
    )


# --------------------------------------------------------------------------
# Police support
# --------------------------------------------------------------------------


@transaction.atomic
def do_request_police_support(*, actor: User, operation: str, place: str, scheduled_at: dt.datetime,
                              officers_needed: int = 2, risk: str = "", police: Body | None = None) -> Process:
    """Ask the city's police for support of an enforcement operation; the
    response deadline (natural hours, configurable) starts at once."""
    body = _require_body(actor)
    police = police or city_body(body, BodyKind.POLICE)
    if scheduled_at < timezone.now() - dt.timedelta(hours=1):
        raise InvalidInput(_("行动时间不能早于现在。"), code="scheduled_in_past")
    return kernel.start_process(
        flows.POLICE_SUPPORT, actor=actor, initiator=body, assignees=[police],
        title=_r("警力支援：%(o)s") % {"o": operation},
        record_fields={"operation": operation, "place": place, "scheduled_at": scheduled_at,
                       "officers_needed": officers_needed, "risk": risk},
    )


__all__ = [
    "ItemInput", "Participant", "PartyRole", "assert_penalty_allowed", "do_add_material", "do_apply_execution",
    "do_apply_schedule", "do_combine", "do_create_referral", "do_plan_joint_operation", "do_register_plan",
    "do_register_target", "do_request_police_support", "do_withdraw_plan", "merge_proposals", "missing_materials",
    "plan_refs", "referral_materials",
]
