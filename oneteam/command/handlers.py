"""Handlers of the event flow's actions (run by the kernel inside its
transaction, after the declared requirements are checked)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from oneteam.core.errors import InvalidInput
from oneteam.org.choices import BodyKind
from oneteam.org.models import Body
from oneteam.workflow.declare import PartyRole
from oneteam.workflow.services import change_parties

from .choices import CheckVerdict, CoordinationKind, Urgency
from .models import DuplicateSuggestion, Event, EventCategory

#: Bodies a lead can be handled by (never an oversight or command body).
HANDLING_KINDS = frozenset({
    BodyKind.ENFORCEMENT_TEAM, BodyKind.DISPATCHED_TEAM, BodyKind.VILLAGE_COMMITTEE, BodyKind.DEPARTMENT,
    BodyKind.TOWNSHIP_GOVERNMENT, BodyKind.POLICE,
})


def _check_conditions(required: list[str], given, what: str) -> list[str]:
    given = [str(c) for c in (given or [])] if isinstance(given, (list, tuple)) else []
    missing = [c for c in required if c not in given]
    if missing:
        raise InvalidInput(_("%(what)s条件未全部满足：%(m)s") % {"what": what, "m": "；".join(missing)},
                           code="conditions_unmet", detail={"missing": missing})
    return given


def file_event(ctx) -> None:
    event: Event = ctx.record
    if code := ctx.data.get("category"):
        category = EventCategory.objects.filter(code=code, active=True).first()
        if category is None:
            raise InvalidInput(_("未知的事件类别：%(c)s") % {"c": code}, code="unknown_category")
        event.category = category
    if urgency := ctx.data.get("urgency"):
        if urgency not in Urgency.values:
            raise InvalidInput(_("紧急程度无效。"), code="bad_urgency")
        event.urgency = urgency
    _check_conditions(event.category.filing_conditions, ctx.data.get("conditions"), _("立案"))


def close_event(ctx) -> None:
    if ctx.record.check_pending:
        raise InvalidInput(_("已派发现场核查，须等网格员反馈后再结案（或返工）。"), code="check_pending")
    _check_conditions(ctx.record.category.closing_conditions, ctx.data.get("conditions"), _("结案"))


def checking_body(event: Event) -> Body | None:
    """Who checks a lead on the spot: the committee of the village (社区) it is
    in, whose grid officers walk it (the first, should there be two)."""
    if event.village_id is None:
        return None
    return (Body.objects.filter(kind=BodyKind.VILLAGE_COMMITTEE, village_id=event.village_id, is_active=True)
            .order_by("pk").first())


def request_check(ctx) -> None:
    """The dispatcher asks the lead's village grid officers to check on the
    spot that the handling was done (处置是否到位): their committee becomes
    the *checker* party, which the kernel lets answer (``report_check``) for
    as long as it is one."""
    event: Event = ctx.record
    if event.check_pending:
        raise InvalidInput(_("已派发现场核查，正在等待网格员反馈。"), code="check_pending")
    body = checking_body(event)
    if body is None:
        raise InvalidInput(_("该事件不在任何村(社区)内，无法派发现场核查。"), code="no_village")
    ctx.add_party(body, PartyRole.CHECKER)
    event.check_requested_at, event.checked_at, event.check_passed = ctx.now, None, None


def _end_check(ctx) -> None:
    """The checker party's part is over (it keeps read access to the lead)."""
    for party in ctx.parties(PartyRole.CHECKER):
        ctx.remove_party(party.body, PartyRole.CHECKER)


def report_check(ctx) -> None:
    """The checker's grid officer answers with photos and a verdict; the
    dispatcher then closes the lead or sends it back."""
    verdict = ctx.data.get("check_verdict")
    if verdict not in CheckVerdict.values:
        raise InvalidInput(_("请选择核查结论。"), code="bad_check_verdict")
    ctx.record.checked_at, ctx.record.check_passed = ctx.now, verdict == CheckVerdict.PASSED
    _end_check(ctx)


def _body(value) -> Body:
    try:
        return Body.objects.get(pk=int(getattr(value, "pk", value)), is_active=True)
    except (Body.DoesNotExist, TypeError, ValueError):
        raise InvalidInput(_("承办单位不存在。"), code="unknown_body") from None


def dispatch_event(ctx) -> None:
    """The dispatcher's choice becomes the only assignee. A township room
    dispatches within its township (or to the resolver's proposal, e.g. the
    hub town's team); the city centre anywhere. A choice other than the
    proposal needs a reason."""
    event: Event = ctx.record
    body = _body(ctx.data.get("body"))
    if body.kind not in HANDLING_KINDS:
        raise InvalidInput(_("“%(b)s”不是处置单位，不能派遣。") % {"b": body}, code="not_handling_body")
    actor_body = getattr(ctx.actor, "body", None)
    is_centre = actor_body is not None and actor_body.kind == BodyKind.COMMAND_CENTRE
    if not is_centre and body.township_id != event.township_id and body.pk != event.proposed_body_id:
        raise InvalidInput(
            _("乡镇指挥室只能派遣本乡镇(街道)的处置力量；需要其他单位处置的，请提请市指挥中心协调。"),
            code="outside_township",
        )
    if event.proposed_body_id and body.pk != event.proposed_body_id and not ctx.reason:
        raise InvalidInput(_("派遣单位与系统建议（%(p)s）不同，请填写理由。") % {"p": event.proposed_body},
                           code="reason_required")
    event.handling_body = body
    event.route_reason = ctx.reason[:500] if body.pk != event.proposed_body_id else ""
    ctx.replace_assignees([body])


def request_coordination(ctx) -> None:
    kind = ctx.data.get("coordination_kind")
    if kind not in CoordinationKind.values:
        raise InvalidInput(_("请选择协调类型。"), code="bad_coordination_kind")
    ctx.record.coordination_kind = kind


def return_assignment(ctx) -> None:
    """The handling body returns the lead to the dispatcher with a reason; it
    keeps read access to what it saw."""
    ctx.record.handling_body = None
    ctx.replace_assignees([])


def rework_event(ctx) -> None:
    """Rework goes back to the same handling body. The field check of this
    round, answered or not, is over (its request and answer stay in the
    timeline): the next report back may be checked anew."""
    ctx.record.check_requested_at = ctx.record.checked_at = ctx.record.check_passed = None
    _end_check(ctx)


def handle_on_spot(ctx) -> None:
    """A certified township cadre handled it on the spot: their own body is the
    handling body (for the record and the metrics)."""
    if ctx.actor is None or ctx.actor.pk not in {o.pk for o in ctx.officers}:
        raise InvalidInput(_("现场处置人须为列明的持证执法人员之一。"), code="actor_not_officer")
    ctx.record.handling_body = ctx.actor.body
    ctx.record.result = str(ctx.data.get("result", ""))[:2000]
    ctx.add_party(ctx.actor.body, PartyRole.ASSIGNEE)


def merge_event(ctx) -> None:
    """Merge into an open lead of the same township: the merged lead's
    reporting bodies are copied on the original, so all get its result."""
    event: Event = ctx.record
    raw = ctx.data.get("duplicate_of")
    original = (Event.objects.select_related("process").filter(process__number=str(raw)).first()
                or Event.objects.select_related("process").filter(pk=int(raw) if str(raw).isdigit() else -1).first())
    if original is None or original.pk == event.pk:
        raise InvalidInput(_("要合并到的事件不存在。"), code="unknown_original")
    if original.township_id != event.township_id:
        raise InvalidInput(_("只能合并到同一乡镇(街道)的事件。"), code="other_township")
    if original.process.is_closed or original.duplicate_of_id:
        raise InvalidInput(_("只能合并到未办结的原始事件。"), code="original_closed")
    event.duplicate_of = original
    # The merged lead's reporting bodies are copied on the original, so all get its result.
    copied = [(p.body, PartyRole.COPIED) for p in ctx.parties(PartyRole.COPIED)]
    changes = change_parties(original.process, actor=ctx.actor, cause=ctx.process.number, add=copied,
                             reason=_("合并重复事件 %(n)s") % {"n": ctx.process.number})
    ctx.data["original_party_changes"] = changes
    DuplicateSuggestion.objects.filter(event=event, candidate=original).update(
        decision=DuplicateSuggestion.Decision.MERGED, decided_at=ctx.now)
