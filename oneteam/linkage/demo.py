"""The linkage demo (idempotent): one joint operation, a synthetic inspection
year (300 market entities, 8 departments, 2026) combined into inspect-once
visits with the measured reduction, one criminal referral through police
filing, one police support request and one court application.

Every write goes through the services and the kernel at the real time of
loading (the full-process record is never back-dated), so the referral's
deadlines run from the moment the demo is loaded.
"""

from __future__ import annotations

import datetime as dt
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from oneteam.core.demo import DemoContext
from oneteam.org.models import Body, Township, User
from oneteam.workflow import services as kernel

from . import conf, planner, services
from .choices import MaterialKind
from .models import CriminalReferral, ExecutionApplication, InspectionPlan, JointOperation, PoliceSupportRequest

YEAR = 2026
JOINT_TITLE = "安阳街道校园周边食品安全联合执法（演示）"
REFERRAL_CASE = "安阳综执罚〔2026〕演示18号"

#: department code → (check item, legal basis) used for the synthetic plans.
ITEMS = {
    "DEPT-SCJG": ("食品经营许可与食品安全检查", "《中华人民共和国食品安全法》第八十七条、第一百一十条"),
    "DEPT-WJ": ("公共场所卫生与医疗机构执业检查", "《公共场所卫生管理条例》第十条；《医疗机构管理条例》第四十条"),
    "DEPT-ZHZF": ("市容环境卫生、户外广告与占道经营检查", "《城市市容和环境卫生管理条例》第十四条、第三十六条"),
    "DEPT-YJ": ("安全生产检查", "《中华人民共和国安全生产法》第六十五条"),
    "DEPT-STHJ": ("排污许可与污染防治设施检查",
                  "《中华人民共和国环境保护法》第二十四条；《排污许可管理条例》第二十八条"),
    "DEPT-ZRZY": ("土地利用与规划许可检查", "《中华人民共和国土地管理法》第六十七条"),
    "DEPT-ZJ": ("建筑施工质量安全检查", "《建设工程质量管理条例》第四十六条；《建设工程安全生产管理条例》第四十条"),
    "DEPT-JT": ("道路运输经营检查", "《中华人民共和国道路运输条例》第六十条"),
}


def _png(tag: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{tag}.png", b"\x89PNG\r\n\x1a\n" + tag.encode() + b"\x00" * 48,
                              content_type="image/png")


def load(ctx: DemoContext) -> None:
    bodies = {b.code: b for b in Body.objects.filter(code__in=[
        *ITEMS, "GUIDANCE", "POLICE", "PROCURATORATE", "COURT", "T001-TEAM", "T001-GOV"])}
    users = {u.username: u for u in User.objects.filter(username__in=[
        "shichang", "anyang_zf1", "anyang_head", "gongan", "jiancha", "fayuan", "zhidao"])}
    if len(users) < 7 or "POLICE" not in bodies:
        ctx.say("  跳过：缺少演示单位或人员（请先加载组织机构演示数据）")
        return
    _joint(ctx, bodies, users)
    _inspection_year(ctx, bodies)
    _referral(ctx, users)
    _police_support(ctx, users)
    _court(ctx, users)


def _joint(ctx, bodies, users) -> None:
    if JointOperation.objects.filter(process__title=JOINT_TITLE).exists():
        return
    today = timezone.localdate()
    p = services.do_plan_joint_operation(
        actor=users["zhidao"], title=JOINT_TITLE, targets="安阳街道中小学校周边200米内餐饮店、食品零售店",
        place="安阳街道", starts_on=today + dt.timedelta(days=3), ends_on=today + dt.timedelta(days=5),
        plan="市指导办统一调配：市场监管局负责食品经营许可与食品安全检查；安阳街道综合行政执法队负责占道经营、"
             "油烟扰民查处；卫健局负责从业人员健康证明抽查。分三组同步开展，结果当日报送。",
        participants=[services.Participant(bodies["DEPT-SCJG"], "食品经营许可与食品安全检查", 4),
                      services.Participant(bodies["T001-TEAM"], "占道经营、油烟扰民查处", 6),
                      services.Participant(bodies["DEPT-WJ"], "从业人员健康证明抽查", 2)],
        lead_body=bodies["T001-TEAM"], launch=True)
    kernel.perform(p, "accept_part", actor=users["anyang_zf1"])
    kernel.perform(p, "accept_part", actor=users["shichang"])
    kernel.perform(p, "share", actor=users["shichang"], reason="共享：学校周边3家餐饮店食品经营许可证已过期名单。")
    ctx.say(f"  联合执法 {p.number}（指导办建议，执法队牵头，2家已接受分工）")


def _inspection_year(ctx, bodies) -> None:
    if InspectionPlan.objects.filter(is_demo=True).exists():
        schedule_note(ctx)
        return
    entities, plans = planner.synthetic_year(YEAR)
    townships = list(Township.objects.order_by("code"))
    rng = random.Random(f"oneteam-linkage-townships-{YEAR}")
    targets = {}
    for e in entities:
        targets[e.credit_code] = services.do_register_target(
            actor=None, name=e.name, credit_code=e.credit_code, industry=e.industry,
            township=rng.choice(townships) if townships else None, is_demo=True)
    for ref, title in plans:
        name, basis = ITEMS[ref.body]
        services.do_register_plan(actor=None, body=bodies[ref.body], target=targets[ref.target], title=title,
                                  planned_from=ref.start, planned_until=ref.end,
                                  items=[services.ItemInput(name=name, legal_basis=basis)], is_demo=True)
    schedule = services.merge_proposals(period_from=dt.date(YEAR, 1, 1), period_until=dt.date(YEAR, 12, 31))
    created = services.do_apply_schedule(schedule, actor=None, initiator=bodies["GUIDANCE"])
    ctx.say(f"  综合查一次：{len(entities)}个市场主体、{len(plans)}个检查计划 → 合并{created}组")
    schedule_note(ctx, schedule)


def schedule_note(ctx, schedule: planner.Schedule | None = None) -> None:
    if schedule is None:
        refs = services.plan_refs(InspectionPlan.objects.filter(is_demo=True).prefetch_related("items"))
        schedule = planner.plan_schedule(refs, conf.merge_window_days())
    s = schedule.summary()
    ctx.notes.append(f"综合查一次（{YEAR}演示年）：检查 {s['visits_before']} 次 → {s['visits_after']} 次，"
                     f"减少 {s['saved']} 次（{s['reduction']:.1%}）")


def _referral(ctx, users) -> None:
    if CriminalReferral.objects.filter(case_number=REFERRAL_CASE).exists():
        return
    zf1, head, police = users["anyang_zf1"], users["anyang_head"], users["gongan"]
    p = services.do_create_referral(
        actor=zf1, case_number=REFERRAL_CASE, suspect="瑞安市某食品有限公司（演示）",
        suspected_offence="生产、销售不符合安全标准的食品罪",
        facts="经检验，该公司生产的熟食制品亚硝酸盐含量超标12倍，已销售货值约8.6万元（演示数据）。")
    for kind in MaterialKind.values:
        if kind == MaterialKind.TRANSFER_LETTER:
            continue
        services.do_add_material(p, actor=zf1, kind=kind, file=_png(f"demo-{kind}"))
    kernel.perform(p, "submit_report", actor=zf1, officers=[zf1, head],
                   data={"report_summary": "专案组核实：货值与检验结论达到追诉标准，建议移送市公安局。"})
    kernel.perform(p, "approve", actor=head)
    services.do_add_material(p, actor=zf1, kind=MaterialKind.TRANSFER_LETTER, file=_png("demo-transfer_letter"))
    kernel.perform(p, "transfer", actor=zf1)
    kernel.perform(p, "receive", actor=police)
    kernel.perform(p, "file_case", actor=police, data={"police_case_number": "瑞公（食药）立字〔2026〕演示07号"})
    ctx.say(f"  行刑衔接 {p.number}：移送报告→批准→移送→签收→立案，待3日内移交涉案物品")


def _police_support(ctx, users) -> None:
    if PoliceSupportRequest.objects.filter(operation__endswith="（演示）").exists():
        return
    p = services.do_request_police_support(
        actor=users["anyang_zf1"], operation="拆除安阳街道某违法建筑（演示）", place="安阳街道前垟村",
        scheduled_at=timezone.now() + dt.timedelta(days=1), officers_needed=4, risk="当事人曾有阻挠执法言行")
    kernel.perform(p, "accept", actor=users["gongan"])
    ctx.say(f"  警力支援 {p.number}（已响应）")


def _court(ctx, users) -> None:
    if ExecutionApplication.objects.filter(decision_no__endswith="演示5号").exists():
        return
    p = services.do_apply_execution(
        actor=users["anyang_zf1"], case_number="安阳综执罚〔2026〕演示5号", decision_no="安综执罚决字〔2026〕演示5号",
        respondent="李某（演示）", obligation="缴纳罚款人民币伍仟元", amount=5000,
        demand_served_on=timezone.localdate() - dt.timedelta(days=30))
    kernel.perform(p, "accept", actor=users["fayuan"])
    ctx.say(f"  强制执行申请 {p.number}（法院已受理）")
