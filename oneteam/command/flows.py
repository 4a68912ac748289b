"""The closed loop of a lead as a flow on the workflow kernel:

discover (intake, ``start``) → file (立案) → dispatch (交办/派遣) → accept (签收)
→ handle → report back (反馈) → verify and close (核查结案) or rework (返工)
→ evaluate (回访评价) → archived.

Parties: the *initiator* is the command room that dispatches (the township's,
or the city command centre for city-level categories); the reporting body
(a village, the 12345 centre, an external system's body …) is *copied* so
it sees the result; the handling body is the *assignee* once dispatched; the
city command centre is the *supervisor* and dispatches coordination requests
(M3.4).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oneteam.org.choices import Role
from oneteam.workflow.declare import (
    Action,
    CancelDeadline,
    CountsAs,
    Field,
    Flow,
    PartyRole,
    PauseDeadline,
    Requires,
    ResumeDeadline,
    StartDeadline,
    State,
    StopDeadline,
    register,
)

from . import forms_flow as choices
from . import handlers

DISPATCHERS = [Role.DISPATCHER]
HANDLERS = [Role.ENFORCEMENT_OFFICER, Role.DEPARTMENT_HANDLER, Role.BODY_HEAD, Role.GRID_OFFICER, Role.DISPATCHER]
DISPATCHING_PARTIES = [PartyRole.INITIATOR]
CENTRE = [PartyRole.SUPERVISOR]


def _respond(ctx):
    return ctx.record.category.period("respond", ctx.record.urgency)


def _handle(ctx):
    return ctx.record.category.period("handle", ctx.record.urgency)


def _verify(ctx):
    return ctx.record.category.period("verify")


def _dispatch(ctx):
    return ctx.record.category.period("dispatch")


CONDITIONS = Field("conditions", _("立案条件（逐项确认）"), widget="checkboxes", choices=choices.filing_conditions)
CLOSING = Field("conditions", _("结案条件（逐项确认）"), widget="checkboxes", choices=choices.closing_conditions)
RESULT = Field("result", _("处置结果"), widget="textarea")

HANDLING_CLOCKS = [StopDeadline("dispatch"), StartDeadline("response", _respond, label=_("响应期限")),
                   StartDeadline("handling", _handle, label=_("处置期限"))]

EVENT_FLOW = register(Flow(
    kind="event",
    label=_("事件"),
    route="events",
    model="command.Event",
    number_prefix="SJ",
    description=_("发现→交办→处置→反馈→核查结案→考核评价的闭环。"),
    states=[
        State("reported", _("待立案")),
        State("filed", _("已立案待派遣")),
        State("coordinating", _("待市指挥中心调度")),
        State("dispatched", _("已派遣待签收")),
        State("handling", _("处置中")),
        State("suspended", _("挂账中")),
        State("reported_back", _("已反馈待核查")),
        State("closed", _("已结案待回访")),
        State("archived", _("已归档"), terminal=True),
        State("cancelled", _("不予立案"), terminal=True),
        State("merged", _("已合并"), terminal=True),
    ],
    initial="reported",
    start_deadlines=[StartDeadline("dispatch", _dispatch, label=_("派遣期限"))],
    # The city centre supervises every lead; it is told of coordination requests
    # and supervision through its own screens, not of every step of every lead.
    notify_roles=[PartyRole.INITIATOR, PartyRole.ASSIGNEE, PartyRole.COPIED, PartyRole.CHECKER],
    deadline_labels={"dispatch": _("派遣期限"), "response": _("响应期限"), "handling": _("处置期限"),
                     "verify": _("核查期限")},
    actions=[
        Action("file", _("立案"), source=["reported"], target="filed", parties=DISPATCHING_PARTIES + CENTRE,
               roles=DISPATCHERS, requires=Requires(fields=["conditions"]), handler=handlers.file_event,
               form=[CONDITIONS], help_text=_("确认立案标准各项条件。")),
        Action("cancel", _("不予立案"), source=["reported", "filed"], target="cancelled",
               parties=DISPATCHING_PARTIES + CENTRE, roles=DISPATCHERS, requires=Requires(reason=True),
               deadlines=[StopDeadline("dispatch")], style="danger"),
        Action("merge", _("合并为重复事件"), source=["reported", "filed"], target="merged",
               parties=DISPATCHING_PARTIES + CENTRE, roles=DISPATCHERS, requires=Requires(fields=["duplicate_of"]),
               deadlines=[StopDeadline("dispatch")], handler=handlers.merge_event, style="secondary",
               form=[Field("duplicate_of", _("合并到"), widget="select", choices=choices.merge_candidates)]),
        Action("dispatch", _("派遣"), source=["filed"], target="dispatched", parties=DISPATCHING_PARTIES + CENTRE,
               roles=DISPATCHERS, requires=Requires(fields=["body"]), deadlines=HANDLING_CLOCKS,
               handler=handlers.dispatch_event,
               form=[Field("body", _("承办单位"), widget="select", choices=choices.township_bodies,
                           help_text=_("与系统建议不同时须在理由中说明。"))]),
        Action("request_coordination", _("提请市指挥中心协调"), source=["filed"], target="coordinating",
               parties=DISPATCHING_PARTIES, roles=DISPATCHERS,
               requires=Requires(reason=True, fields=["coordination_kind"]), handler=handlers.request_coordination,
               style="secondary",
               form=[Field("coordination_kind", _("协调类型"), widget="select", choices=choices.coordination_kinds)]),
        Action("coordinate", _("调度派遣"), source=["coordinating"], target="dispatched", parties=CENTRE,
               roles=DISPATCHERS, requires=Requires(fields=["body"]), deadlines=HANDLING_CLOCKS,
               handler=handlers.dispatch_event,
               form=[Field("body", _("承办单位"), widget="select", choices=choices.any_handling_body)]),
        Action("accept", _("签收"), source=["dispatched"], target="handling", parties=[PartyRole.ASSIGNEE],
               roles=HANDLERS, deadlines=[StopDeadline("response")], counts_as=CountsAs.RESPONSE),
        Action("return_assignment", _("回退"), source=["dispatched"], target="filed", parties=[PartyRole.ASSIGNEE],
               roles=HANDLERS, requires=Requires(reason=True),
               deadlines=[StopDeadline("response"), CancelDeadline("handling")],
               handler=handlers.return_assignment, style="danger",
               help_text=_("非本单位职责等，须写明理由，退回指挥室重新派遣。")),
        Action("suspend", _("挂账"), source=["handling"], target="suspended", parties=[PartyRole.ASSIGNEE],
               roles=HANDLERS, requires=Requires(reason=True), deadlines=[PauseDeadline("handling")],
               style="secondary", help_text=_("等待第三方等原因暂停计时。")),
        Action("resume", _("恢复处置"), source=["suspended"], target="handling", parties=[PartyRole.ASSIGNEE],
               roles=HANDLERS, deadlines=[ResumeDeadline("handling")]),
        Action("report_back", _("处置反馈"), source=["handling"], target="reported_back",
               parties=[PartyRole.ASSIGNEE], roles=HANDLERS, requires=Requires(fields=["result"], attachments=1),
               deadlines=[StopDeadline("handling"), StartDeadline("verify", _verify, label=_("核查期限"))],
               counts_as=CountsAs.HANDLING, help_text=_("写明处置结果并上传处置后照片。"), form=[RESULT]),
        Action("handle_on_spot", _("现场处置完毕"), source=["reported"], target="reported_back",
               parties=[PartyRole.COPIED], roles=[Role.ENFORCEMENT_OFFICER, Role.BODY_HEAD],
               requires=Requires(fields=["result"], attachments=1, certified_officers=1),
               deadlines=[StopDeadline("dispatch"), StartDeadline("verify", _verify, label=_("核查期限"))],
               handler=handlers.handle_on_spot, counts_as=CountsAs.HANDLING,
               help_text=_("持证镇街干部对简易事项当场处置（早发现、早制止、早报告）。"), form=[RESULT]),
        Action("enforce_on_spot", _("当场执法处置"), source=["reported"], target="reported_back",
               parties=[PartyRole.COPIED], roles=[Role.ENFORCEMENT_OFFICER, Role.BODY_HEAD],
               requires=Requires(fields=["result"], attachments=1, certified_officers=2),
               deadlines=[StopDeadline("dispatch"), StartDeadline("verify", _verify, label=_("核查期限"))],
               handler=handlers.handle_on_spot, counts_as=CountsAs.HANDLING,
               help_text=_("当场实施执法行为，须两名持证执法人员。"), form=[RESULT]),
        Action("request_check", _("派发现场核查"), source=["reported_back"], target="reported_back",
               parties=DISPATCHING_PARTIES + CENTRE, roles=DISPATCHERS, handler=handlers.request_check,
               offered_if=lambda process: (not process.record.check_pending
                                           and handlers.checking_body(process.record) is not None),
               style="secondary",
               help_text=_("请事件所在村(社区)的网格员到现场核实处置是否到位，反馈后再结案。")),
        Action("report_check", _("现场核查反馈"), source=["reported_back"], target="reported_back",
               parties=[PartyRole.CHECKER], roles=[Role.GRID_OFFICER],
               requires=Requires(fields=["check_verdict", "check_note"], attachments=1), handler=handlers.report_check,
               help_text=_("到现场拍照，选择核查结论并写明情况。"),
               form=[Field("check_verdict", _("核查结论"), widget="select", choices=choices.check_verdicts),
                     Field("check_note", _("核查情况"), widget="textarea")]),
        Action("close", _("核查结案"), source=["reported_back"], target="closed",
               parties=DISPATCHING_PARTIES + CENTRE, roles=DISPATCHERS, requires=Requires(fields=["conditions"]),
               deadlines=[StopDeadline("verify")], handler=handlers.close_event, counts_as=CountsAs.CLOSE,
               form=[CLOSING]),
        Action("rework", _("返工"), source=["reported_back"], target="handling",
               parties=DISPATCHING_PARTIES + CENTRE, roles=DISPATCHERS, requires=Requires(reason=True),
               deadlines=[StopDeadline("verify"), StartDeadline("handling", _handle, label=_("处置期限"))],
               handler=handlers.rework_event, counts_as=CountsAs.REWORK, style="danger",
               help_text=_("核查不通过，退回原承办单位返工。")),
        Action("evaluate", _("回访评价"), source=["closed"], target="archived",
               parties=DISPATCHING_PARTIES + CENTRE, roles=DISPATCHERS,
               counts_as=CountsAs.SATISFACTION),  # the kernel requires a satisfaction value
        Action("archive", _("无需回访归档"), source=["closed"], target="archived",
               parties=DISPATCHING_PARTIES + CENTRE, roles=DISPATCHERS, requires=Requires(reason=True),
               style="secondary", help_text=_("匿名或无法联系报告人时，写明原因归档。")),
    ],
))
