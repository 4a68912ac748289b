"""The empowerment approval flow (赋权申请), declared on the workflow kernel.

A township proposes matters (or their withdrawal); the guidance office and
the staffing office review in either order; the city government approves with
a decision number and an effective date; the guidance office publishes, which
creates the :class:`~oneteam.catalog.models.EmpowermentDecision` and the
effectiveness records the power list is derived from. Any reviewer may reject
with a reason; the proposing body may cancel before approval.

Parties: the proposing body is the initiator; the guidance office is the
assignee during review (then the city government while approving, then the
guidance office again to publish); the staffing office takes part as the
co-reviewing ``supervisor`` party until both reviews are in.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from oneteam.core.errors import InvalidInput
from oneteam.org.choices import BodyKind, EnforcementMode, Role
from oneteam.org.models import Body, Township, mode_on
from oneteam.workflow.declare import (
    Action,
    Flow,
    PartyRole,
    Requires,
    StartDeadline,
    State,
    StopDeadline,
    register,
)
from oneteam.worktime.engine import Period, PeriodKind

from .choices import DecisionKind
from .models import Empowerment, Matter

KIND = "empowerment"
#: Review period for the two reviewing offices (a local practice: configuration with a default).
REVIEW_PERIOD = Period(PeriodKind.WORKING_DAYS, 20)


def city_body(township: Township, kind: str) -> Body:
    body = Body.objects.filter(city=township.city_id, kind=kind, is_active=True).order_by("code").first()
    if body is None:
        raise InvalidInput(_("%(c)s 未登记%(k)s，无法办理赋权。") % {"c": township.city, "k": BodyKind(kind).label},
                           code="body_missing")
    return body


def check_withdrawable(township: Township, matters: list[Matter]) -> None:
    open_ = set(Empowerment.objects.filter(township=township, matter__in=matters, withdrawn_from__isnull=True)
                .values_list("matter_id", flat=True))
    missing = [m.code for m in matters if m.pk not in open_]
    if missing:
        raise InvalidInput(_("以下事项未赋权 %(t)s，无需收回：%(c)s") % {"t": township, "c": "、".join(missing)},
                           code="not_empowered")


def _reviews_done(ctx) -> None:
    """Both offices have reviewed: the staffing office leaves, the city government approves."""
    township = ctx.record.township
    for party in ctx.parties(PartyRole.SUPERVISOR):
        ctx.remove_party(party.body, PartyRole.SUPERVISOR)
    ctx.replace_assignees([city_body(township, BodyKind.CITY_GOVERNMENT)])


def _approve(ctx) -> None:
    """The city government approves: the decision number and date are on the
    record (copied by the kernel); the matters must still qualify on that date."""
    from .services import check_proposable

    record = ctx.record
    if not isinstance(record.effective_from, dt.date):
        raise InvalidInput(_("请填写生效日期。"), code="effective_from_required")
    matters = list(record.matters())
    if len(matters) != len(record.matter_codes):
        raise InvalidInput(_("申请中有事项编码不存在。"), code="unknown_matter")
    if record.kind == DecisionKind.GRANT:
        check_proposable(record.township, matters, record.effective_from)
        current = mode_on(record.township, record.effective_from)
        record.upgrade_mode = current is None or current.mode == EnforcementMode.DISPATCHED
    else:
        check_withdrawable(record.township, matters)
    ctx.replace_assignees([city_body(record.township, BodyKind.GUIDANCE_OFFICE)])


def _publish(ctx) -> None:
    """Publish: create the decision and its effectiveness records (and the
    accompanying mode decision for an upgraded township)."""
    from .services import do_grant_empowerment, do_withdraw_empowerment

    record = ctx.record
    matters = list(record.matters())
    title = ctx.process.title
    if record.kind == DecisionKind.GRANT:
        decision = do_grant_empowerment(record.township, matters, actor=ctx.actor, decision_no=record.decision_no,
                                        effective_from=record.effective_from, title=title,
                                        upgrade_mode=record.upgrade_mode)
    else:
        decision = do_withdraw_empowerment(record.township, matters, actor=ctx.actor,
                                           decision_no=record.decision_no, effective_from=record.effective_from,
                                           title=title)
    record.decision = decision


REVIEW_STATES = ["proposed", "awaiting_staffing", "awaiting_guidance"]

FLOW = register(Flow(
    kind=KIND, label=_l("赋权申请"), route="empowerment-requests", model="catalog.EmpowermentRequest",
    number_prefix="FQ",
    description=_l("乡镇(街道)申请赋权或收回执法事项：指导办、编办审核，市政府批准，指导办公布后生效。"),
    states=[
        State("proposed", _l("已提出，待审核")),
        State("awaiting_staffing", _l("指导办已审核，待编办审核")),
        State("awaiting_guidance", _l("编办已审核，待指导办审核")),
        State("reviewed", _l("审核通过，待市政府批准")),
        State("approved", _l("市政府已批准，待公布")),
        State("published", _l("已公布"), terminal=True),
        State("rejected", _l("未通过"), terminal=True),
        State("cancelled", _l("已撤回申请"), terminal=True),
    ],
    initial="proposed",
    start_deadlines=[StartDeadline("review", REVIEW_PERIOD, label=_l("审核期限"))],
    actions=[
        Action("guidance_review", _l("指导办审核通过"), source=["proposed"], target="awaiting_staffing",
               parties=[PartyRole.ASSIGNEE], help_text=_l("市综合行政执法指导办公室审核意见")),
        Action("guidance_review_last", _l("指导办审核通过"), source=["awaiting_guidance"], target="reviewed",
               parties=[PartyRole.ASSIGNEE], handler=_reviews_done, deadlines=[StopDeadline("review")]),
        Action("staffing_review", _l("编办审核通过"), source=["proposed"], target="awaiting_guidance",
               parties=[PartyRole.SUPERVISOR], help_text=_l("市委编办审核意见")),
        Action("staffing_review_last", _l("编办审核通过"), source=["awaiting_staffing"], target="reviewed",
               parties=[PartyRole.SUPERVISOR], handler=_reviews_done, deadlines=[StopDeadline("review")]),
        Action("approve", _l("市政府批准"), source=["reviewed"], target="approved", parties=[PartyRole.ASSIGNEE],
               roles=[Role.BODY_HEAD], requires=Requires(fields=["decision_no", "effective_from"]),
               handler=_approve),
        Action("publish", _l("公布生效"), source=["approved"], target="published", parties=[PartyRole.ASSIGNEE],
               handler=_publish),
        Action("reject", _l("不予通过"), source=[*REVIEW_STATES, "reviewed"], target="rejected",
               parties=[PartyRole.ASSIGNEE, PartyRole.SUPERVISOR], requires=Requires(reason=True),
               deadlines=[StopDeadline("review")], style="danger"),
        Action("cancel", _l("撤回申请"), source=REVIEW_STATES, target="cancelled", parties=[PartyRole.INITIATOR],
               requires=Requires(reason=True), deadlines=[StopDeadline("review")], style="secondary"),
    ],
))
