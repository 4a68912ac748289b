"""Rui'an demo for the cooperation mechanisms: one realistic example of each,
created through the same services and kernel actions as the pages, at the
dates they describe.

Past dates are replayed with a simulated clock (``_at``: the demo loader
only, never the running server), so deadlines and timelines carry the dates
of the story (the full-process record keeps its own clock: its entries say
when the demo was actually loaded): 安阳街道执法队 asks 市市场监管局 for a product
quality determination on 2026-09-30 (due 2026-10-13, extended to 10-20); 安阳
transfers an illegal-land-use case to 市自然资源和规划局 with its letter; 潘岱
raises a dispute about a lead, held meanwhile by an interim body; two
departments share information with townships. Idempotent: each example is
looked up by its demo key first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from oneteam.core.demo import DemoContext
from oneteam.org import services as org_services
from oneteam.org.choices import Role
from oneteam.org.models import Body, Township, User, UserRole
from oneteam.workflow.models import Process
from oneteam.workflow.services import perform

from . import services
from .models import SharedItem

NEEDED = ["T001-TEAM", "T012-ROOM", "T012-ZRZY", "T012-TEAM", "DEPT-SCJG", "DEPT-ZRZY", "WZ-SCJG", "LEADING",
          "GUIDANCE", "STAFFING", "JUSTICE"]
USERS = {name: None for name in ("anyang_zf1", "anyang_head", "shichang", "ziran", "pandai_room", "zhidao")}
EXTRA_USERS = [
    # (username, full name, body code, roles, note)
    ("lingdao", "郑组长", "LEADING", [Role.BODY_HEAD], "领导小组（争议裁定）"),
    ("wz_shichang", "温经办", "WZ-SCJG", [Role.DEPARTMENT_HANDLER], "温州市市场监管局经办人（协作提请）"),
]

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@contextmanager
def _at(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> Iterator[dt.datetime]:
    """Run the block as if it were that moment (only when it is in the past)."""
    moment = dt.datetime(y, m, d, hh, mm, tzinfo=ZoneInfo(settings.TIME_ZONE))
    original = timezone.now
    if moment >= original():
        yield original()
        return
    timezone.now = lambda: moment
    try:
        yield moment
    finally:
        timezone.now = original


def _exists(kind: str, key: str) -> Process | None:
    return Process.objects.filter(kind=kind, data__demo=key).first()


def load(ctx: DemoContext) -> None:
    bodies = {b.code: b for b in Body.objects.filter(code__in=NEEDED)}
    missing = [c for c in NEEDED if c not in bodies]
    if missing:
        ctx.say(f"  协作配合演示数据跳过：未找到单位 {'、'.join(missing)}（请先载入组织演示数据）。")
        return
    users = {u.username: u for u in User.objects.filter(username__in=list(USERS))}
    if len(users) < len(USERS):
        ctx.say("  协作配合演示数据跳过：未找到演示账号。")
        return
    users.update(_load_users(ctx, bodies))
    lines = [
        _collaboration(bodies, users),
        _overdue_collaboration(bodies, users),
        _transfer(bodies, users),
        _dispute(bodies, users),
        _shares(users),
    ]
    for line in lines:
        if line:
            ctx.say(f"  {line}")


def _load_users(ctx: DemoContext, bodies: dict[str, Body]) -> dict[str, User]:
    from oneteam.org.demo import DEMO_PASSWORD

    out = {}
    for username, full_name, code, roles, note in EXTRA_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, full_name=full_name, body=bodies[code], is_demo=True)
            user.set_password(DEMO_PASSWORD)
            org_services.do_save_master(user, actor=None)
            for role in roles:
                UserRole.objects.create(user=user, role=role)
        out[username] = user
        ctx.credentials.append((note, username, DEMO_PASSWORD))
    return out


def _collaboration(bodies, users) -> str:
    key = "coop-collab-kettle"
    p = _exists("collaboration", key)
    if p is None:
        from oneteam.catalog.models import Matter

        matter = Matter.objects.filter(name__contains="产品质量").order_by("code").first()
        with _at(2026, 9, 30, 10, 0):
            p = services.do_submit_collaboration(
                users["anyang_zf1"], department=bodies["DEPT-SCJG"], request_kind="determination", matter=matter,
                title="某电器商行销售的电热水壶是否属于不合格产品的认定",
                case_summary="2026年9月28日，安阳街道综合行政执法队在万松路某电器商行检查时发现在售电热水壶"
                             "（标称型号 KT-1800）无3C认证标志，现场抽取样品2台并先行登记保存。",
                question="请对上述样品是否属于不合格产品、是否属于强制性认证目录产品作出认定，并提供相关技术意见。",
                data={"demo": key})
        with _at(2026, 10, 8, 9, 30):
            perform(p, "receive", actor=users["shichang"])
        with _at(2026, 10, 9, 14, 0):
            perform(p, "extend", actor=users["shichang"],
                    reason="样品需送温州市质量技术检测科学研究院检验，情况复杂，申请延长5个工作日。")
        with _at(2026, 10, 19, 16, 0):
            perform(p, "reply", actor=users["shichang"], data={
                "reply": "经检验，样品未获强制性产品认证且泄漏电流项目不合格，属不合格产品；"
                         "依据《产品质量法》第四十九条可予查处，检验报告随后移交。"})
    return _describe(p)


def _overdue_collaboration(bodies, users) -> str:
    key = "coop-collab-land"
    p = _exists("collaboration", key)
    if p is None:
        with _at(2026, 11, 19, 15, 0):
            p = services.do_submit_collaboration(
                users["anyang_head"], department=bodies["DEPT-ZRZY"], request_kind="materials",
                title="调取安阳街道前垟村地块土地利用现状及规划资料",
                case_summary="安阳街道前垟村一处厂房扩建涉嫌占用耕地，需核实地块地类。",
                question="请提供该地块（附示意图坐标）的土地利用现状图、国土空间规划用途及审批档案。",
                data={"demo": key})
    return _describe(p)


def _transfer(bodies, users) -> str:
    key = "coop-transfer-land"
    p = _exists("case_transfer", key)
    if p is None:
        evidence = [SimpleUploadedFile("现场勘查照片.png", PNG, content_type="image/png"),
                    SimpleUploadedFile("询问笔录.pdf", PDF, content_type="application/pdf")]
        with _at(2026, 10, 12, 9, 0):
            p = services.do_create_transfer(
                users["anyang_zf1"], receiver=bodies["DEPT-ZRZY"], title="王某擅自占用耕地建房",
                party_name="王某",
                facts="2026年10月9日，我街道综合行政执法队在巡查中发现，王某未经批准在安阳街道前垟村"
                      "占用耕地建造砖混结构住房一处，占地约120平方米。经核查，该地块地类为耕地，"
                      "当事人无法提供用地审批手续。",
                legal_basis="《中华人民共和国土地管理法》第七十八条；本事项未赋权我街道，属你局管辖。",
                evidence=evidence, confirm=["facts_clear", "evidence_standard"], data={"demo": key})
            perform(p, "confirm", actor=users["anyang_head"],
                    data={"checklist": "procedure_lawful,formalities_complete"})
        with _at(2026, 10, 12, 10, 0):
            services.do_send_transfer(p, actor=users["anyang_head"])
        with _at(2026, 10, 13, 9, 0):
            perform(p, "receive", actor=users["ziran"])
        with _at(2026, 10, 15, 11, 0):
            perform(p, "accept", actor=users["ziran"])
        with _at(2026, 11, 10, 15, 0):
            perform(p, "report_result", actor=users["ziran"], data={
                "result": "已于2026年10月16日立案，责令王某退还非法占用的土地、限期拆除新建建筑物，"
                          "并处罚款（瑞自然资罚〔2026〕58号）。"})
    p.refresh_from_db()
    return f"{_describe(p)}；移送函 {p.record.letter_number}"


def _dispute(bodies, users) -> str:
    key = "coop-dispute-shed"
    p = _exists("dispute", key)
    if p is None:
        raiser = users["pandai_room"]
        subject = (Process.objects.visible_to(raiser).filter(kind="event", township__code="330381012000",
                                                             closed_at__isnull=True)
                   .exclude(state__in=["reported", "draft"]).order_by("created_at").first())
        township = Township.objects.filter(code="330381012000").first()
        p = services.do_raise_dispute(
            raiser, counterparties=[bodies["DEPT-ZRZY"]], subject=subject, township=township,
            matter=None if subject is not None else _any_matter("自然资源"),
            interim_body=bodies["T012-ZRZY"],
            title="潘岱街道村民宅基地外搭建钢棚的查处主体争议",
            question="村民在宅基地外侧搭建钢棚约40平方米：街道认为属未取得规划许可的违法建设，"
                     "应由自然资源和规划部门（潘岱街道未赋权）查处；自然资源和规划局认为属农村村民住宅附属设施，"
                     "应由街道按属地管理查处。",
            data={"demo": key})
        perform(p, "fail_negotiation", actor=users["ziran"], reason="双方对钢棚性质认定意见不一致，协商不成。")
    return _describe(p)


def _any_matter(field: str):
    from oneteam.catalog.models import MatterEntry

    entry = MatterEntry.objects.filter(field=field).select_related("matter").order_by("matter__code").first()
    return entry.matter if entry else None


def _shares(users) -> str:
    made = []
    if not SharedItem.objects.filter(title__startswith="食品小作坊").exists():
        with _at(2026, 10, 20, 10, 0):
            item = services.do_publish_share(
                users["shichang"], category="standard", title="食品小作坊小餐饮店登记管理执法适用指引（2026年修订）",
                document_no="瑞市监〔2026〕31号", field="市场监管", matter=_any_matter("市场监管"), to_all=True,
                content="为统一全市乡镇(街道)对食品小作坊、小餐饮店的日常巡查和查处标准，现将登记条件、"
                        "常见违法情形及裁量要点整理如下，请各乡镇(街道)综合行政执法队参照执行。")
        with _at(2026, 10, 21, 8, 40):
            services.do_read_share(item, actor=users["anyang_zf1"])
        made.append(item)
    if not SharedItem.objects.filter(title__startswith="2026年第三季度卫片").exists():
        townships = list(Township.objects.filter(code__in=["330381001000", "330381012000"]))
        with _at(2026, 11, 3, 15, 0):
            made.append(services.do_publish_share(
                users["ziran"], category="update", title="2026年第三季度卫片执法图斑清单", field="自然资源",
                townships=townships,
                content="附件为安阳街道、潘岱街道第三季度卫片执法疑似违法图斑清单，请于11月30日前完成实地核查并反馈。",
                attachments=[SimpleUploadedFile("图斑清单.pdf", PDF, content_type="application/pdf")]))
    total = SharedItem.objects.count()
    return f"信息共享 {total} 条（本次新发布 {len(made)} 条）"


def _describe(p: Process) -> str:
    deadlines = "；".join(
        f"{p.flow.deadline_label(d.name)} {timezone.localtime(d.started_at):%Y-%m-%d}起 → "
        f"{timezone.localtime(d.due_at):%Y-%m-%d}"
        f"{'（延期' + str(d.extension_count) + '次）' if d.extension_count else ''}"
        f"{'' if d.stopped_at is None else ('，按期' if d.met_on_time else '，超期') if not d.superseded else ''}"
        for d in p.deadlines.order_by("started_at", "pk"))
    return f"{p.flow.label} {p.number}「{p.title}」{p.state_label}：{deadlines}"
