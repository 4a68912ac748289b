"""The three cooperation flows on the workflow kernel: collaboration requests
(M7.2), case transfers with copy (M7.3) and enforcement disputes (M7.6).

States and transitions are data; the handlers below enforce what a
declaration cannot say (who may escalate, the transfer checklist, which body
coordinates or rules). Every state change goes through
:func:`oneteam.workflow.services.perform`.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oneteam.core.errors import InvalidInput
from oneteam.org.choices import BodyKind, BodyLevel, Role
from oneteam.org.models import Body
from oneteam.org.services import require_certified_officers
from oneteam.workflow.declare import (
    Action,
    CountsAs,
    ExtendDeadline,
    Flow,
    PartyRole,
    Requires,
    StartDeadline,
    State,
    StopDeadline,
    register,
)
from oneteam.workflow.models import Attachment, ProcessDeadline

from . import conf, rules
from .choices import EscalationCause

TOWNSHIP_ROLES = (Role.ENFORCEMENT_OFFICER, Role.BODY_HEAD)
DEPARTMENT_ROLES = (Role.DEPARTMENT_HANDLER, Role.BODY_HEAD)
SENDER_ROLES = (Role.ENFORCEMENT_OFFICER, Role.BODY_HEAD, Role.DEPARTMENT_HANDLER)


def _period(key: str):
    return lambda ctx: conf.working_days(key)


def body_from(value) -> Body:
    """A body from an id or a code given in an action's data."""
    text = str(value or "").strip()
    body = None
    if text.isdigit():
        body = Body.objects.filter(pk=int(text)).first()
    if body is None and text:
        body = Body.objects.filter(code=text).first()
    if body is None or not body.is_active:
        raise InvalidInput(_("单位不存在或已停用：%(b)s") % {"b": text or _("（空）")}, code="body_unknown")
    return body


def _actor_is(ctx, role: str) -> bool:
    return bool(ctx.actor and any(p.body_id == ctx.actor.body_id for p in ctx.parties(role)))


# ==========================================================================
# 执法协作申请
# ==========================================================================


def _on_escalate(ctx) -> None:
    """Forward to a Wenzhou-level department. The department may do so for a
    specialised, urgent, complex or difficult matter; the township only after
    the department's failure (refused, or its reply deadline passed), which is
    recorded. The request keeps its number and history; the assignee changes."""
    target = body_from(ctx.data.get("escalate_to"))
    rules.check_escalation_target(target)
    current = [p.body for p in ctx.parties(PartyRole.ASSIGNEE)]
    if any(b.level == BodyLevel.PREFECTURE for b in current):
        raise InvalidInput(_("该申请已提请温州市部门，不能再次提请。"), code="already_escalated")
    if _actor_is(ctx, PartyRole.ASSIGNEE):
        cause = EscalationCause.DEPARTMENT_REQUEST
    elif ctx.process.state == "refused":
        cause = EscalationCause.DEPARTMENT_REFUSED
    else:
        overdue = ProcessDeadline.objects.filter(process=ctx.process, name="handling", stopped_at__isnull=True,
                                                 paused_since__isnull=True, due_at__lt=ctx.now).exists()
        if not overdue:
            raise InvalidInput(_("部门尚在答复期限内且未拒绝，乡镇(街道)不能自行提请温州市部门；"
                                 "可由部门提请，或在部门逾期、拒绝后提请。"), code="department_not_failed")
        cause = EscalationCause.DEPARTMENT_OVERDUE
    record = ctx.record
    record.escalation_cause = cause
    record.escalated_from = current[0] if current else None
    record.escalated_at = ctx.now
    ctx.replace_assignees([target])
    ctx.data["escalate_to"] = target.code
    ctx.data["escalated_to_name"] = target.name
    ctx.data["cause"] = str(EscalationCause(cause).label)


COLLABORATION = Flow(
    kind="collaboration",
    label=gettext_lazy("执法协作申请"),
    route="collaboration-requests",
    model="cooperation.CollaborationRequest",
    number_prefix="XZ",
    description=gettext_lazy("乡镇(街道)综合行政执法队通过平台向业务主管部门申请认定、技术鉴定、咨询意见或资料；部门自收到之日起"
                             "5个工作日内答复，情况复杂的可延长5个工作日一次；可提请温州市相关部门协作。"),
    states=[
        State("submitted", gettext_lazy("已送达待签收")),
        State("received", gettext_lazy("已签收办理中")),
        State("refused", gettext_lazy("部门拒绝协作")),
        State("replied", gettext_lazy("已答复"), terminal=True),
        State("closed", gettext_lazy("已办结"), terminal=True),
        State("withdrawn", gettext_lazy("已撤回"), terminal=True),
    ],
    initial="submitted",
    start_roles=TOWNSHIP_ROLES,
    # Receipt is automatic on delivery through the platform: the reply clock
    # starts when the request is sent (policy: "自收到协同指挥平台交办的…申请后").
    start_deadlines=[
        StartDeadline("response", _period("COLLABORATION_RECEIPT_DAYS")),
        StartDeadline("handling", _period("COLLABORATION_REPLY_DAYS")),
    ],
    deadline_labels={"response": gettext_lazy("签收期限"), "handling": gettext_lazy("答复期限")},
    actions=[
        Action("receive", gettext_lazy("签收"), source=["submitted"], target="received", roles=DEPARTMENT_ROLES,
               counts_as=CountsAs.RESPONSE, deadlines=[StopDeadline("response")]),
        Action("extend", gettext_lazy("延期答复"), source=["received"], target="received", roles=DEPARTMENT_ROLES,
               style="secondary", help_text=gettext_lazy("情况复杂的，可延长一次，须说明理由。"),
               deadlines=[ExtendDeadline("handling", _period("COLLABORATION_EXTENSION_DAYS"),
                                         max_times=int(conf.get("COLLABORATION_MAX_EXTENSIONS")))]),
        Action("reply", gettext_lazy("答复"),
               source=["submitted", "received"], target="replied", roles=DEPARTMENT_ROLES,
               requires=Requires(fields=["reply"]), counts_as=CountsAs.HANDLING,
               deadlines=[StopDeadline("response"), StopDeadline("handling")]),
        Action("refuse", gettext_lazy("拒绝协作"),
               source=["submitted", "received"], target="refused", roles=DEPARTMENT_ROLES,
               requires=Requires(reason=True), style="danger",
               deadlines=[StopDeadline("response"), StopDeadline("handling")]),
        Action("escalate", gettext_lazy("提请温州市部门协作"),
               source=["submitted", "received", "refused"], target="submitted",
               parties=[PartyRole.ASSIGNEE, PartyRole.INITIATOR],
               roles=(*DEPARTMENT_ROLES, Role.ENFORCEMENT_OFFICER),
               requires=Requires(reason=True, fields=["escalate_to"]), handler=_on_escalate, style="secondary",
               help_text=gettext_lazy("填写温州市部门的单位代码（如 WZ-SCJG）。乡镇(街道)仅可在部门逾期或拒绝后提请。"),
               deadlines=[StopDeadline("response"), StopDeadline("handling"),
                          StartDeadline("response", _period("COLLABORATION_RECEIPT_DAYS")),
                          StartDeadline("handling", _period("COLLABORATION_REPLY_DAYS"))]),
        Action("close", gettext_lazy("办结"), source=["refused"], target="closed", parties=[PartyRole.INITIATOR],
               roles=TOWNSHIP_ROLES, requires=Requires(reason=True), style="secondary"),
        Action("withdraw", gettext_lazy("撤回"), source=["submitted", "received"], target="withdrawn",
               parties=[PartyRole.INITIATOR], roles=TOWNSHIP_ROLES, requires=Requires(reason=True), style="danger",
               deadlines=[StopDeadline("response"), StopDeadline("handling")]),
    ],
)


# ==========================================================================
# 案件移送抄告
# ==========================================================================

CHECKLIST_ITEMS = {
    "facts_clear": "facts_clear_by",
    "evidence_standard": "evidence_standard_by",
    "procedure_lawful": "procedure_lawful_by",
    "formalities_complete": "formalities_complete_by",
}


def parse_items(value) -> list[str]:
    if isinstance(value, (list, tuple)):
        names = [str(v).strip() for v in value]
    else:
        names = [v.strip() for v in str(value or "").replace("，", ",").split(",")]
    names = [n for n in names if n]
    if names == ["all"]:
        return list(CHECKLIST_ITEMS)
    unknown = [n for n in names if n not in CHECKLIST_ITEMS]
    if unknown or not names:
        raise InvalidInput(_("未知的移送条件：%(n)s（可选：%(all)s 或 all）") % {
            "n": "、".join(unknown) or _("（空）"), "all": ", ".join(CHECKLIST_ITEMS)}, code="checklist_unknown")
    return names


def _on_confirm(ctx) -> None:
    """The actor confirms checklist items in their own name: they must work in
    the sender body and hold a valid enforcement certificate."""
    require_certified_officers([ctx.actor], on=timezone.localdate(ctx.now), minimum=1)
    items = parse_items(ctx.data.get("checklist"))
    for name in items:
        setattr(ctx.record, CHECKLIST_ITEMS[name], ctx.actor)
    ctx.data["checklist"] = items
    ctx.data["confirmed_by"] = str(ctx.actor)


def evidence_of(process, *, exclude=None):
    qs = Attachment.objects.filter(process=process).select_related("blob").order_by("uploaded_at", "pk")
    if exclude:
        qs = qs.exclude(blob_id__in=exclude)
    return list(qs)


def _on_send(ctx) -> None:
    """Check the legal sender and the same-level pair, the four conditions and
    the evidence; make the receiver an assignee and the guidance office a copied
    party; number and generate the transfer letter (.docx)."""
    from . import letter

    record = ctx.record
    sender = ctx.process.initiator_body
    rules.check_transfer_pair(sender, record.receiver)
    missing = record.missing_checklist()
    if missing:
        raise InvalidInput(_("移送条件未全部确认：%(m)s。每项须由持证执法人员确认后方可移送。")
                           % {"m": "、".join(missing)}, code="checklist_incomplete", detail={"missing": missing})
    evidence = evidence_of(ctx.process, exclude=[record.letter.blob_id] if record.letter_id else None)
    if not evidence:
        raise InvalidInput(_("请先上传证据材料，再移送。"), code="evidence_required")
    ctx.add_party(record.receiver, PartyRole.ASSIGNEE)
    ctx.add_party(rules.guidance_office(sender.city_id), PartyRole.COPIED)
    if not record.letter_number:
        record.letter_number = letter.letter_number(ctx.process, sender, ctx.now)
    att = letter.issue(ctx.process, record, actor=ctx.actor, evidence=evidence, now=ctx.now)
    record.letter = att
    attach = getattr(ctx, "attach", None)  # kernel feature requested: bind a generated file to this transition
    if attach is not None:
        attach(att)
    ctx.data["letter_number"] = record.letter_number
    ctx.data["letter_sha256"] = att.blob_id
    ctx.data["evidence"] = [a.blob_id for a in evidence]


def _on_accept(ctx) -> None:
    """Accepting the transfer recognises the sender's evidence (证据互认)."""
    record = ctx.record
    skip = [record.letter.blob_id] if record.letter_id else None
    receiver = ctx.actor.body
    record.recognised_evidence = [
        {"sha256": a.blob_id, "name": a.original_name, "recognised_by": receiver.name,
         "recognised_at": ctx.now.isoformat()}
        for a in evidence_of(ctx.process, exclude=skip)
    ]
    ctx.data["recognised_evidence"] = len(record.recognised_evidence)


CASE_TRANSFER = Flow(
    kind="case_transfer",
    label=gettext_lazy("案件移送抄告"),
    route="case-transfers",
    model="cooperation.CaseTransfer",
    number_prefix="YS",
    description=gettext_lazy("同级移送，以部门或乡镇(街道)名义进行；违法事实基本清楚、证据材料符合立案标准、程序合法、手续完备；"
                             "证据材料同时抄送市综合行政执法指导办公室；证据互认、结果互通。"),
    states=[
        State("drafted", gettext_lazy("草拟")),
        State("sent", gettext_lazy("已移送待签收")),
        State("received", gettext_lazy("已签收")),
        State("accepted", gettext_lazy("已受理")),
        State("returned", gettext_lazy("已退回")),
        State("shared", gettext_lazy("结果已反馈"), terminal=True),
        State("withdrawn", gettext_lazy("已撤回"), terminal=True),
    ],
    initial="drafted",
    start_roles=SENDER_ROLES,
    deadline_labels={"response": gettext_lazy("签收期限"), "decision": gettext_lazy("受理期限")},
    actions=[
        Action("add_evidence", gettext_lazy("上传证据材料"), source=["drafted"], target="drafted",
               parties=[PartyRole.INITIATOR], roles=SENDER_ROLES, requires=Requires(attachments=1),
               style="secondary"),
        Action("confirm", gettext_lazy("确认移送条件"),
               source=["drafted"], target="drafted", parties=[PartyRole.INITIATOR],
               roles=SENDER_ROLES, requires=Requires(fields=["checklist"]), handler=_on_confirm,
               style="secondary",
               help_text=gettext_lazy("以本人名义确认，填写 facts_clear, evidence_standard, procedure_lawful, "
                                      "formalities_complete 之一或多项，或 all。")),
        Action("send", gettext_lazy("移送"), source=["drafted"], target="sent", parties=[PartyRole.INITIATOR],
               roles=SENDER_ROLES, handler=_on_send,
               help_text=gettext_lazy("自动生成移送函，并抄送市综合行政执法指导办公室。"),
               deadlines=[StartDeadline("response", _period("TRANSFER_RECEIPT_DAYS")),
                          StartDeadline("decision", _period("TRANSFER_DECISION_DAYS"))]),
        Action("receive", gettext_lazy("签收"), source=["sent"], target="received", roles=SENDER_ROLES,
               counts_as=CountsAs.RESPONSE, deadlines=[StopDeadline("response")]),
        Action("accept", gettext_lazy("受理"), source=["sent", "received"], target="accepted", roles=SENDER_ROLES,
               handler=_on_accept, help_text=gettext_lazy("受理即认可移送单位的证据材料（证据互认）。"),
               deadlines=[StopDeadline("response"), StopDeadline("decision")]),
        Action("return_case", gettext_lazy("退回"), source=["sent", "received"], target="returned", roles=SENDER_ROLES,
               requires=Requires(reason=True), style="danger",
               deadlines=[StopDeadline("response"), StopDeadline("decision")]),
        Action("revise", gettext_lazy("补正后重新办理"),
               source=["returned"], target="drafted", parties=[PartyRole.INITIATOR],
               roles=SENDER_ROLES, requires=Requires(reason=True), style="secondary"),
        Action("report_result", gettext_lazy("反馈处理结果"), source=["accepted"], target="shared", roles=SENDER_ROLES,
               requires=Requires(fields=["result"]), counts_as=CountsAs.HANDLING),
        Action("withdraw", gettext_lazy("撤回"), source=["drafted", "returned"], target="withdrawn",
               parties=[PartyRole.INITIATOR], roles=SENDER_ROLES, requires=Requires(reason=True), style="danger"),
    ],
)


# ==========================================================================
# 执法争议
# ==========================================================================


def _require_body_kind(ctx, kind: str) -> None:
    body = ctx.actor.body if ctx.actor else None
    if body is None or body.kind != kind:
        raise InvalidInput(_("该环节只能由%(k)s办理。") % {"k": BodyKind(kind).label}, code="wrong_body")


def _resolver(stage: str, *, body_kind: str | None = None):
    def handler(ctx) -> None:
        from . import services

        if body_kind:
            _require_body_kind(ctx, body_kind)
        services.resolve_dispute(ctx, stage=stage)

    handler.__name__ = f"_resolve_{stage}"
    return handler


def _on_fail_negotiation(ctx) -> None:
    """Coordination: the guidance office leads, with the staffing office and the justice bureau."""
    city_id = ctx.process.initiator_body.city_id
    ctx.add_party(rules.staffing_office(city_id), PartyRole.COPIED)
    ctx.add_party(rules.justice_bureau(city_id), PartyRole.COPIED)


def _on_refer(ctx) -> None:
    _require_body_kind(ctx, BodyKind.GUIDANCE_OFFICE)
    ctx.add_party(rules.leading_group(ctx.process.initiator_body.city_id), PartyRole.SUPERVISOR)


DISPUTE_PARTIES = (PartyRole.INITIATOR, PartyRole.ASSIGNEE)

DISPUTE = Flow(
    kind="dispute",
    label=gettext_lazy("执法争议"),
    route="enforcement-disputes",
    model="cooperation.Dispute",
    number_prefix="ZY",
    description=gettext_lazy("争议方协商；协商不成由市综合行政执法指导办公室牵头，会同市委编办、市司法局协调；协调不成报领导小组裁定。"
                             "协调期间争议方均应依法履职，由过渡期责任单位承接，不得形成监管真空。"),
    states=[
        State("negotiating", gettext_lazy("协商中")),
        State("coordinating", gettext_lazy("指导办协调中")),
        State("ruling", gettext_lazy("待领导小组裁定")),
        State("settled", gettext_lazy("协商解决"), terminal=True),
        State("coordinated", gettext_lazy("协调解决"), terminal=True),
        State("ruled", gettext_lazy("已裁定"), terminal=True),
        State("withdrawn", gettext_lazy("已撤回"), terminal=True),
    ],
    initial="negotiating",
    start_deadlines=[StartDeadline("negotiation", _period("DISPUTE_NEGOTIATION_DAYS"))],
    deadline_labels={"negotiation": gettext_lazy("协商期限"), "coordination": gettext_lazy("协调期限"),
                     "ruling": gettext_lazy("裁定期限")},
    actions=[
        Action("agree", gettext_lazy("协商一致"), source=["negotiating"], target="settled", parties=DISPUTE_PARTIES,
               requires=Requires(fields=["responsible_body", "resolution"]), handler=_resolver("negotiation"),
               help_text=gettext_lazy("责任单位填写单位代码或编号。"), deadlines=[StopDeadline("negotiation")]),
        Action("fail_negotiation", gettext_lazy("协商不成，提请协调"), source=["negotiating"], target="coordinating",
               parties=DISPUTE_PARTIES, requires=Requires(reason=True), handler=_on_fail_negotiation,
               style="secondary",
               deadlines=[StopDeadline("negotiation"), StartDeadline("coordination",
                                                                     _period("DISPUTE_COORDINATION_DAYS"))]),
        Action("coordinate", gettext_lazy("协调一致"), source=["coordinating"], target="coordinated",
               parties=[PartyRole.SUPERVISOR], roles=[Role.SUPERVISOR, Role.BODY_HEAD],
               requires=Requires(fields=["responsible_body", "resolution"]),
               handler=_resolver("coordination", body_kind=BodyKind.GUIDANCE_OFFICE),
               deadlines=[StopDeadline("coordination")]),
        Action("refer", gettext_lazy("协调不成，报领导小组裁定"), source=["coordinating"], target="ruling",
               parties=[PartyRole.SUPERVISOR], roles=[Role.SUPERVISOR, Role.BODY_HEAD],
               requires=Requires(reason=True), handler=_on_refer, style="secondary",
               deadlines=[StopDeadline("coordination"), StartDeadline("ruling", _period("DISPUTE_RULING_DAYS"))]),
        Action("rule", gettext_lazy("裁定"), source=["ruling"], target="ruled", parties=[PartyRole.SUPERVISOR],
               roles=[Role.BODY_HEAD, Role.SUPERVISOR], requires=Requires(fields=["responsible_body", "resolution"]),
               handler=_resolver("ruling", body_kind=BodyKind.LEADING_GROUP),
               help_text=gettext_lazy("可填写 make_rule=1 与 rule_source（裁定文号），形成此后适用的管辖规则。"),
               deadlines=[StopDeadline("ruling")]),
        Action("withdraw", gettext_lazy("撤回"),
               source=["negotiating"], target="withdrawn", parties=[PartyRole.INITIATOR],
               requires=Requires(reason=True), style="danger", deadlines=[StopDeadline("negotiation")]),
    ],
)

FLOWS = (COLLABORATION, CASE_TRANSFER, DISPUTE)

for _flow in FLOWS:
    register(_flow)

__all__ = ["CASE_TRANSFER", "CHECKLIST_ITEMS", "COLLABORATION", "DISPUTE", "FLOWS", "body_from"]
