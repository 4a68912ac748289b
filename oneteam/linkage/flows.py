"""The linkage mechanisms declared on the workflow kernel.

- ``joint_operation`` (联合执法, M7.4): initiator plans and launches; each
  participant accepts its part and reports its result; information and
  evidence are shared on the process; the initiator concludes.
- ``combined_inspection`` (综合查一次, M7.4): one visit by a lead body
  covering several plans; created by :func:`oneteam.linkage.services.do_combine`.
- ``criminal_referral`` (行刑衔接, M7.5): 国务院令第310号 step by step with its
  deadlines (see :mod:`oneteam.linkage.conf` for the day-counting decision).
- ``execution_application`` (申请法院强制执行, M7.5): township → court.
- ``police_support`` (警力保障, M7.5): response time measured by the kernel.
"""

from __future__ import annotations

import datetime as dt
import math

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from oneteam.core.errors import InvalidInput
from oneteam.org.choices import BodyKind, Role
from oneteam.org.models import Body
from oneteam.workflow.declare import (
    Action,
    CountsAs,
    Flow,
    PartyRole,
    Requires,
    StartDeadline,
    State,
    StopDeadline,
    register,
)
from oneteam.workflow.models import Transition
from oneteam.worktime.engine import Period, PeriodKind

from . import conf
from .choices import REQUIRED_MATERIALS, MaterialKind, PlanStatus

INIT, A, S = PartyRole.INITIATOR, PartyRole.ASSIGNEE, PartyRole.SUPERVISOR


def _calendar_days_until(day: dt.date, now: dt.datetime) -> Period:
    return Period(PeriodKind.CALENDAR_DAYS, max(0, (day - timezone.localdate(now)).days))


# --------------------------------------------------------------------------
# Joint enforcement
# --------------------------------------------------------------------------

JOINT = "joint_operation"


def _task_of(ctx):
    from .models import JointTask

    task = JointTask.objects.select_for_update().filter(operation=ctx.record, body_id=ctx.actor.body_id).first()
    if task is None:
        raise InvalidInput(_("本单位在该联合执法中没有分工。"), code="no_task")
    return task


def _launch(ctx) -> None:
    from .models import JointTask

    if JointTask.objects.filter(operation=ctx.record).values("body").distinct().count() < 2:
        raise InvalidInput(_("联合执法至少需要两个参与单位的分工。"), code="participants_required")


def _accept_part(ctx) -> None:
    task = _task_of(ctx)
    if task.accepted_at is not None:
        raise InvalidInput(_("本单位已接受分工。"), code="already_accepted")
    task.accepted_at = ctx.now
    task.accepted_by_name = str(ctx.actor)
    task.save(update_fields=["accepted_at", "accepted_by_name"])


def _report_result(ctx) -> None:
    task = _task_of(ctx)
    if task.accepted_at is None:
        raise InvalidInput(_("请先接受分工，再报送结果。"), code="not_accepted")
    task.result = str(ctx.data["result"]).strip()
    task.result_at = ctx.now
    task.result_by_name = str(ctx.actor)
    task.save(update_fields=["result", "result_at", "result_by_name"])


def _conclude(ctx) -> None:
    from .models import JointTask

    missing = [str(t.body) for t in JointTask.objects.filter(operation=ctx.record, result="").select_related("body")]
    if missing:
        raise InvalidInput(_("以下单位尚未报送结果：%(b)s") % {"b": "、".join(missing)}, code="results_missing")


JOINT_FLOW = register(Flow(
    kind=JOINT, label=_l("联合执法"), route="joint-operations", model="linkage.JointOperation",
    number_prefix="LH",
    description=_l("发起单位制定工作方案、明确参与单位职责分工，在平台发起联合执法任务；参与单位接受分工、报送结果，"
                   "互通共享执法信息和证据（瑞政办〔2022〕70号 三(二)4）。"),
    states=[
        State("planned", _l("方案已制定")),
        State("launched", _l("已发起")),
        State("concluded", _l("已办结"), terminal=True),
        State("cancelled", _l("已取消"), terminal=True),
    ],
    initial="planned",
    deadline_labels={"handling": _l("行动期限")},
    actions=[
        Action("launch", _l("发起联合执法任务"), source=["planned"], target="launched", parties=[INIT], handler=_launch,
               deadlines=[StartDeadline("handling", lambda ctx: _calendar_days_until(ctx.record.ends_on, ctx.now))]),
        Action("accept_part", _l("接受分工"), source=["launched"], target="launched", parties=[A, INIT],
               handler=_accept_part, counts_as=CountsAs.RESPONSE),
        Action("report_result", _l("报送执法结果"), source=["launched"], target="launched", parties=[A, INIT],
               requires=Requires(fields=["result"]), handler=_report_result, counts_as=CountsAs.HANDLING),
        Action("share", _l("共享信息与证据"), source=["launched"], target="launched", parties=[A, INIT],
               requires=Requires(reason=True), style="secondary",
               help_text=_l("填写共享的信息，可附证据材料；所有参与单位可见。")),
        Action("conclude", _l("办结"), source=["launched"], target="concluded", parties=[INIT],
               requires=Requires(fields=["summary"]), handler=_conclude, counts_as=CountsAs.CLOSE,
               deadlines=[StopDeadline("handling")]),
        Action("cancel", _l("取消"), source=["planned", "launched"], target="cancelled", parties=[INIT],
               requires=Requires(reason=True), style="danger", deadlines=[StopDeadline("handling")]),
    ],
))


# --------------------------------------------------------------------------
# Combined inspection (综合查一次)
# --------------------------------------------------------------------------

COMBINED = "combined_inspection"


def _conduct(ctx) -> None:
    if ctx.actor.body_id != ctx.record.lead_body_id:
        raise InvalidInput(_("综合查一次由牵头单位%(b)s实施并登记结果。") % {"b": ctx.record.lead_body},
                           code="not_lead")
    ctx.record.plans.update(status=PlanStatus.DONE)


def _cancel_combined(ctx) -> None:
    ctx.record.plans.update(status=PlanStatus.REGISTERED, combined=None)


COMBINED_FLOW = register(Flow(
    kind=COMBINED, label=_l("综合查一次"), route="combined-inspections", model="linkage.CombinedInspection",
    number_prefix="ZH",
    description=_l("同一对象涉及多个执法主体的检查按“一件事”集成，由牵头单位一次检查完成各单位的检查事项。"),
    states=[
        State("scheduled", _l("已排定")),
        State("conducted", _l("已检查"), terminal=True),
        State("cancelled", _l("已取消"), terminal=True),
    ],
    initial="scheduled",
    start_deadlines=[StartDeadline("handling", lambda ctx: _calendar_days_until(ctx.record.window_until, ctx.now),
                                   label=_l("检查期限"))],
    deadline_labels={"handling": _l("检查期限")},
    actions=[
        Action("conduct", _l("登记检查结果"), source=["scheduled"], target="conducted", parties=[A],
               requires=Requires(fields=["findings"], certified_officers=2), handler=_conduct,
               counts_as=CountsAs.HANDLING, deadlines=[StopDeadline("handling")]),
        Action("cancel", _l("取消合并"), source=["scheduled"], target="cancelled", parties=[INIT],
               requires=Requires(reason=True), handler=_cancel_combined, style="danger",
               deadlines=[StopDeadline("handling")]),
    ],
))


# --------------------------------------------------------------------------
# Criminal referral (行刑衔接, 国务院令第310号)
# --------------------------------------------------------------------------

REFERRAL = "criminal_referral"
MATERIAL_ACTIONS = ("add_material", "supplement_material")


def referral_days(_ctx=None) -> Period:
    return conf.referral_days()


def referral_transfer(_ctx=None) -> Period:
    return conf.referral_transfer_period()


def materials_present(process) -> set[str]:
    """Material kinds attached to the referral (by ``add_material`` actions with a file)."""
    return set(Transition.objects.filter(process=process, action__in=MATERIAL_ACTIONS, attachments__isnull=False)
               .values_list("data__material_kind", flat=True))


def _add_material(ctx) -> None:
    kind = ctx.data.get("material_kind")
    if kind not in MaterialKind.values:
        raise InvalidInput(_("请选择材料类型（%(k)s）。") % {"k": "、".join(str(k.label) for k in MaterialKind)},
                           code="material_kind_invalid")


def _transfer(ctx) -> None:
    present = materials_present(ctx.process)
    missing = [str(MaterialKind(k).label) for k in REQUIRED_MATERIALS if k not in present]
    if missing:
        raise InvalidInput(_("移送材料不全，不能移送。缺少：%(m)s") % {"m": "、".join(missing)},
                           code="materials_missing", detail={"missing": [k for k in REQUIRED_MATERIALS
                                                                         if k not in present]})
    ctx.add_party(ctx.record.police_body, A)


def _forward(ctx) -> None:
    ref = str(ctx.data.get("forward_to", "")).strip()
    body = Body.objects.filter(kind=BodyKind.POLICE, is_active=True).filter(
        code=ref).first() or (Body.objects.filter(kind=BodyKind.POLICE, pk=int(ref)).first() if ref.isdigit() else None)
    if body is None:
        raise InvalidInput(_("请填写有管辖权的公安机关（单位代码）。"), code="police_unknown")
    if body.pk == ctx.actor.body_id:
        raise InvalidInput(_("不能转送本机关。"), code="forward_self")
    ctx.replace_assignees([body])
    ctx.record.police_body = body


REFERRAL_DEADLINE_LABELS = {
    "decision": _l("负责人审批期限（3日）"),
    "transfer": _l("移送公安期限（24小时）"),
    "filing": _l("公安立案审查期限（3日）"),
    "reconsideration_request": _l("提请复议期限（3日）"),
    "reconsideration": _l("公安复议决定期限（3日）"),
    "supervision_request": _l("建议检察监督期限（3日）"),
    "handover": _l("移交涉案物品期限（3日）"),
}

_REFERRERS = [Role.ENFORCEMENT_OFFICER, Role.DEPARTMENT_HANDLER, Role.BODY_HEAD]

REFERRAL_FLOW = register(Flow(
    kind=REFERRAL, label=_l("涉嫌犯罪案件移送"), route="criminal-referrals", model="linkage.CriminalReferral",
    number_prefix="XY", start_roles=_REFERRERS,
    description=_l("行政执法机关移送涉嫌犯罪案件（国务院令第310号）：专案组提出移送报告，负责人3日内决定，"
                   "批准后24小时内移送同级公安机关；公安3日内决定是否立案；不予立案的可提请复议、建议检察院立案监督。"),
    states=[
        State("drafting", _l("专案组拟写移送报告")),
        State("reported", _l("待负责人审批")),
        State("approved", _l("已批准，待移送")),
        State("not_approved", _l("不批准移送"), terminal=True),
        State("transferred", _l("已移送，待公安签收")),
        State("received", _l("公安已受理，立案审查中")),
        State("filed", _l("公安已立案，待移交涉案物品")),
        State("handed_over", _l("涉案物品已移交"), terminal=True),
        State("declined", _l("公安不予立案")),
        State("reconsidering", _l("复议中")),
        State("upheld", _l("复议维持不予立案")),
        State("supervising", _l("检察院立案监督中")),
        State("returned", _l("退回本机关处理"), terminal=True),
    ],
    initial="drafting",
    deadline_labels=REFERRAL_DEADLINE_LABELS,
    actions=[
        Action("add_material", _l("添加移送材料"), source=["drafting"], target="drafting", parties=[INIT],
               requires=Requires(fields=["material_kind"], attachments=1), handler=_add_material, style="secondary"),
        Action("submit_report", _l("提交移送报告"), source=["drafting"], target="reported", parties=[INIT],
               roles=_REFERRERS, requires=Requires(fields=["report_summary"], certified_officers=2),
               deadlines=[StartDeadline("decision", referral_days)],
               help_text=_l("专案组2名以上持证执法人员核实情况后提出书面报告。")),
        Action("approve", _l("批准移送"), source=["reported"], target="approved", parties=[INIT],
               roles=[Role.BODY_HEAD],
               deadlines=[StopDeadline("decision"), StartDeadline("transfer", referral_transfer)]),
        Action("reject", _l("不批准移送"), source=["reported"], target="not_approved", parties=[INIT],
               roles=[Role.BODY_HEAD], requires=Requires(reason=True), style="danger",
               deadlines=[StopDeadline("decision")], help_text=_l("不予批准的理由记录在案。")),
        Action("supplement_material", _l("补充移送材料"), source=["approved"], target="approved", parties=[INIT],
               requires=Requires(fields=["material_kind"], attachments=1), handler=_add_material, style="secondary"),
        Action("transfer", _l("移送公安机关"), source=["approved"], target="transferred", parties=[INIT],
               handler=_transfer, deadlines=[StopDeadline("transfer")],
               help_text=_l("须附移送书、调查报告、涉案物品清单、检验报告或鉴定意见、其他材料。")),
        Action("receive", _l("签收"), source=["transferred"], target="received", parties=[A],
               counts_as=CountsAs.RESPONSE, deadlines=[StartDeadline("filing", referral_days)]),
        Action("forward", _l("转送有管辖权的公安机关"), source=["received"], target="transferred", parties=[A],
               requires=Requires(reason=True, fields=["forward_to"]), handler=_forward, style="secondary",
               deadlines=[StopDeadline("filing")]),
        Action("file_case", _l("立案"), source=["received", "reconsidering", "supervising"], target="filed",
               parties=[A], requires=Requires(fields=["police_case_number"]), counts_as=CountsAs.HANDLING,
               deadlines=[StopDeadline("filing"), StopDeadline("reconsideration"),
                          StartDeadline("handover", referral_days)]),
        Action("decline", _l("不予立案"), source=["received"], target="declined", parties=[A],
               requires=Requires(reason=True), counts_as=CountsAs.HANDLING, style="danger",
               deadlines=[StopDeadline("filing"), StartDeadline("reconsideration_request", referral_days)],
               help_text=_l("说明理由，书面通知移送机关并退回案卷材料。")),
        Action("request_reconsideration", _l("提请复议"), source=["declined"], target="reconsidering", parties=[INIT],
               requires=Requires(reason=True),
               deadlines=[StopDeadline("reconsideration_request"), StartDeadline("reconsideration", referral_days)]),
        Action("uphold", _l("复议维持不予立案"), source=["reconsidering"], target="upheld", parties=[A],
               requires=Requires(reason=True), style="danger",
               deadlines=[StopDeadline("reconsideration"), StartDeadline("supervision_request", referral_days)]),
        Action("request_supervision", _l("建议检察院立案监督"), source=["declined", "upheld"], target="supervising",
               parties=[INIT], requires=Requires(reason=True),
               deadlines=[StopDeadline("reconsideration_request"), StopDeadline("supervision_request")]),
        Action("notify_filing", _l("通知公安机关立案"), source=["supervising"], target="supervising", parties=[S],
               requires=Requires(reason=True), help_text=_l("检察院认为不立案理由不成立的，通知公安机关立案。")),
        Action("supervision_concluded", _l("监督结论：不立案理由成立"), source=["supervising"], target="returned",
               parties=[S], requires=Requires(reason=True), style="secondary"),
        Action("accept_refusal", _l("不再提请，退回本机关处理"), source=["declined", "upheld"], target="returned",
               parties=[INIT], requires=Requires(reason=True), style="secondary",
               deadlines=[StopDeadline("reconsideration_request"), StopDeadline("supervision_request")]),
        Action("hand_over", _l("移交涉案物品和材料"), source=["filed"], target="handed_over", parties=[INIT],
               counts_as=CountsAs.CLOSE, deadlines=[StopDeadline("handover")]),
    ],
))

#: States in which a penalty on the referral's case would substitute for the referral.
REFERRAL_PENDING_STATES = frozenset({"drafting", "reported", "approved", "transferred", "received", "declined",
                                     "reconsidering", "upheld", "supervising"})
#: States in which the case is on the criminal track (police filed).
REFERRAL_CRIMINAL_STATES = frozenset({"filed", "handed_over"})


# --------------------------------------------------------------------------
# Compulsory execution by the court (申请法院强制执行)
# --------------------------------------------------------------------------

EXECUTION = "execution_application"


def court_acceptance(_ctx=None) -> Period:
    return Period(PeriodKind.WORKING_DAYS, int(conf.get("COURT_ACCEPTANCE_WORKING_DAYS")))


def court_ruling(_ctx=None) -> Period:
    return Period(PeriodKind.WORKING_DAYS, int(conf.get("COURT_RULING_WORKING_DAYS")))


EXECUTION_FLOW = register(Flow(
    kind=EXECUTION, label=_l("申请法院强制执行"), route="execution-applications", model="linkage.ExecutionApplication",
    number_prefix="QZ",
    description=_l("乡镇(街道)申请人民法院强制执行；法院5日内决定是否受理，受理后7日内裁定（行政强制法第五十六、五十七条，"
                   "十日以内的期限为工作日）。"),
    states=[
        State("submitted", _l("已提交")),
        State("accepted", _l("已受理")),
        State("not_accepted", _l("不予受理"), terminal=True),
        State("ruled", _l("裁定准予执行")),
        State("refused", _l("裁定不予执行"), terminal=True),
        State("executed", _l("已执行"), terminal=True),
    ],
    initial="submitted",
    start_deadlines=[StartDeadline("acceptance", court_acceptance, label=_l("受理审查期限"))],
    deadline_labels={"acceptance": _l("受理审查期限"), "ruling": _l("裁定期限")},
    actions=[
        Action("accept", _l("受理"), source=["submitted"], target="accepted", parties=[A], counts_as=CountsAs.RESPONSE,
               deadlines=[StopDeadline("acceptance"), StartDeadline("ruling", court_ruling)]),
        Action("not_accept", _l("不予受理"), source=["submitted"], target="not_accepted", parties=[A],
               requires=Requires(reason=True), counts_as=CountsAs.RESPONSE, style="danger",
               deadlines=[StopDeadline("acceptance")]),
        Action("rule_enforce", _l("裁定准予执行"), source=["accepted"], target="ruled", parties=[A],
               requires=Requires(fields=["ruling_no"]), counts_as=CountsAs.HANDLING,
               deadlines=[StopDeadline("ruling")]),
        Action("rule_refuse", _l("裁定不予执行"), source=["accepted"], target="refused", parties=[A],
               requires=Requires(reason=True), counts_as=CountsAs.HANDLING, style="danger",
               deadlines=[StopDeadline("ruling")]),
        Action("record_execution", _l("登记执行结果"), source=["ruled"], target="executed", parties=[A],
               requires=Requires(fields=["execution_result"]), counts_as=CountsAs.CLOSE),
    ],
))


# --------------------------------------------------------------------------
# Police support for enforcement operations (警力保障)
# --------------------------------------------------------------------------

POLICE_SUPPORT = "police_support"


def support_response(_ctx=None) -> Period:
    return Period(PeriodKind.NATURAL_HOURS, int(conf.get("POLICE_SUPPORT_RESPONSE_HOURS")))


def _until_operation(ctx) -> Period:
    hours = math.ceil(max(0.0, (ctx.record.scheduled_at - ctx.now).total_seconds()) / 3600)
    return Period(PeriodKind.NATURAL_HOURS, hours)


POLICE_SUPPORT_FLOW = register(Flow(
    kind=POLICE_SUPPORT, label=_l("警力支援"), route="police-supports", model="linkage.PoliceSupportRequest",
    number_prefix="JL",
    description=_l("公安机关落实必要警力保障乡镇(街道)执法活动（瑞政办〔2022〕70号 三(二)5）；响应时间由期限记录。"),
    states=[
        State("requested", _l("已申请")),
        State("accepted", _l("已响应")),
        State("on_site", _l("已到场")),
        State("done", _l("已完成"), terminal=True),
        State("declined", _l("未能支援"), terminal=True),
    ],
    initial="requested",
    start_deadlines=[StartDeadline("response", support_response)],
    deadline_labels={"response": _l("响应期限"), "handling": _l("到场期限")},
    actions=[
        Action("accept", _l("响应"), source=["requested"], target="accepted", parties=[A], counts_as=CountsAs.RESPONSE,
               deadlines=[StopDeadline("response"), StartDeadline("handling", _until_operation)]),
        Action("decline", _l("不能支援"), source=["requested"], target="declined", parties=[A],
               requires=Requires(reason=True), counts_as=CountsAs.RESPONSE, style="danger",
               deadlines=[StopDeadline("response")]),
        Action("arrive", _l("警力到场"), source=["accepted"], target="on_site", parties=[A],
               counts_as=CountsAs.HANDLING, deadlines=[StopDeadline("handling")]),
        Action("complete", _l("行动结束"), source=["on_site"], target="done", parties=[INIT, A],
               requires=Requires(fields=["outcome"]), counts_as=CountsAs.CLOSE),
    ],
))

ALL_FLOWS = (JOINT_FLOW, COMBINED_FLOW, REFERRAL_FLOW, EXECUTION_FLOW, POLICE_SUPPORT_FLOW)
