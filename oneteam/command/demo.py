"""Command demo: event categories with filing/closing standards, the 12345
hotline as an external system, and a handful of leads in every state."""

from __future__ import annotations

from oneteam.core.demo import DemoContext
from oneteam.org.models import Body
from oneteam.worktime.engine import PeriodKind

from .choices import Level
from .models import EventCategory, ExternalSystem

WH, WD, NH = PeriodKind.WORKING_HOURS, PeriodKind.WORKING_DAYS, PeriodKind.NATURAL_HOURS

DEMO_SYSTEM = "12345政务服务热线（演示）"
#: Published demo key (demo data only; real keys are random and stored hashed).
DEMO_KEY = "ot_demo0001_oneteam-demo-key-not-for-production"

PHOTO = "已拍摄现场照片"
AFTER = "已拍摄处置后照片"

# code, name, field, matter, level, filing conditions, closing conditions, (respond, handle) normal, urgent
CATEGORIES = [
    ("ZDJY", "占道经营", "城市管理", "330202001000", Level.TOWNSHIP,
     ["位于城市道路或公共场所", "存在摆摊设点经营行为", PHOTO], ["摊点已撤离", "现场已恢复整洁", AFTER],
     ((WH, 2), (WD, 1)), ((NH, 1), (NH, 4))),
    ("LJDF", "乱堆乱倒垃圾", "城市管理", "330202003000", Level.TOWNSHIP,
     ["存在随意倾倒、堆放垃圾", PHOTO], ["垃圾已清运", AFTER], ((WH, 2), (WD, 1)), ((NH, 1), (NH, 6))),
    ("XGGG", "乱涂乱贴小广告", "城市管理", "330202002000", Level.TOWNSHIP,
     ["存在涂写、刻画或张贴行为", PHOTO], ["已清除", AFTER], ((WH, 4), (WD, 2)), ((NH, 2), (NH, 12))),
    ("CYYY", "餐饮油烟扰民", "城市管理", "330202004000", Level.TOWNSHIP,
     ["餐饮单位油烟直排或净化设施未正常使用", "已核实投诉人反映情况"], ["净化设施已安装或正常使用", AFTER],
     ((WH, 4), (WD, 5)), ((NH, 2), (WD, 1))),
    ("LTSK", "露天烧烤", "城市管理", "330202005000", Level.TOWNSHIP,
     ["位于禁止露天烧烤区域", PHOTO], ["已停止露天烧烤", AFTER], ((WH, 2), (WD, 1)), ((NH, 1), (NH, 2))),
    ("WFJS", "违法建设", "自然资源", "330302013000", Level.TOWNSHIP,
     ["未取得乡村建设规划许可证", "已测量并拍照取证"], ["已拆除或依法处理", AFTER],
     ((WD, 1), (WD, 15)), ((NH, 2), (WD, 3))),
    ("FFZD", "非法占用土地", "自然资源", "330302011000", Level.TOWNSHIP,
     ["存在占用土地行为", "已核对用地审批情况"], ["已依法处理", AFTER], ((WD, 1), (WD, 20)), ((NH, 4), (WD, 5))),
    ("WZJY", "无照经营", "市场监管", "330702007000", Level.TOWNSHIP,
     ["经营者无营业执照", PHOTO], ["已办理执照或停止经营", AFTER], ((WH, 4), (WD, 5)), ((NH, 2), (WD, 1))),
    ("LTFS", "露天焚烧", "生态环境", "330402016000", Level.TOWNSHIP,
     ["存在露天焚烧行为", PHOTO], ["明火已扑灭", AFTER], ((NH, 1), (NH, 4)), ((NH, 1), (NH, 2))),
    ("XFTD", "占用消防通道", "住建", "330502021000", Level.TOWNSHIP,
     ["消防通道被占用", PHOTO], ["通道已清空", AFTER], ((WH, 2), (WD, 1)), ((NH, 1), (NH, 2))),
    ("HDQD", "河道倾倒垃圾渣土", "水利", "330802027000", Level.TOWNSHIP,
     ["位于河道管理范围内", PHOTO], ["已清理", AFTER], ((WH, 4), (WD, 3)), ((NH, 2), (NH, 24))),
    ("BSCQ", "病死畜禽未规范处理", "农业农村", "330602024000", Level.TOWNSHIP,
     ["发现病死畜禽", PHOTO], ["已无害化处理", AFTER], ((NH, 2), (WD, 1)), ((NH, 1), (NH, 6))),
    ("ZTYS", "渣土车遗撒", "城市管理", "330201003000", Level.CITY,
     ["存在遗撒泄漏", "已记录车辆信息"], ["路面已清理", AFTER], ((WH, 2), (WD, 1)), ((NH, 1), (NH, 4))),
    ("HWGG", "违规设置大型户外广告", "城市管理", "330201002000", Level.CITY,
     ["广告设施未经许可", PHOTO], ["已拆除或补办许可", AFTER], ((WD, 1), (WD, 10)), ((NH, 4), (WD, 2))),
    ("QT", "其他", "", "", Level.TOWNSHIP, [], [], ((WH, 4), (WD, 5)), ((NH, 2), (WD, 1))),
]


def load(ctx: DemoContext) -> None:
    for code, name, field, matter, level, filing, closing, normal, urgent in CATEGORIES:
        if EventCategory.objects.filter(code=code).exists():
            continue
        (rk, ra), (hk, ha) = normal
        (urk, ura), (uhk, uha) = urgent
        EventCategory.objects.create(
            code=code, name=name, field=field, matter_codes=[matter] if matter else [], level=level,
            filing_conditions=filing, closing_conditions=closing, respond_kind=rk, respond_amount=ra,
            handle_kind=hk, handle_amount=ha, urgent_respond_kind=urk, urgent_respond_amount=ura,
            urgent_handle_kind=uhk, urgent_handle_amount=uha, open311_code=code.lower(), is_demo=True,
        )
    centre = Body.objects.filter(code="COMMAND").first()
    if centre is None:
        ctx.say("  未找到市指挥中心，跳过外部系统")
        return
    from .services_keys import issue_key

    if not ExternalSystem.objects.filter(name=DEMO_SYSTEM).exists():
        issue_key(DEMO_SYSTEM, body=centre, key=DEMO_KEY)
    ctx.credentials.append(("Open311/接口密钥（12345热线，演示专用）", "api_key", DEMO_KEY))
    ctx.notes.append(f"  Open311：{ctx.base_url}/open311/v2/discovery.json"
                     "（真实系统的密钥用 `oneteam open311-key 名称` 签发，只显示一次）")
    ctx.say(f"  事件类别 {EventCategory.objects.count()} 个")
    load_leads(ctx)


# ----------------------------------------------------------------- demo leads

# (key, township code, category, reporter username, description, urgency, steps)
# Steps: list of (action, username) taken in order through the kernel.
DEMO_LEADS = [
    ("demo-01", "001", "ZDJY", "anyang_grid", "万松路菜市场门口流动摊贩占道经营，影响通行。", "normal", []),
    ("demo-02", "001", "LJDF", "anyang_grid", "虹桥路与安阳路交叉口绿化带旁堆放建筑垃圾约2立方米。", "normal",
     [("file", "anyang_room"), ("dispatch", "anyang_room"), ("accept", "anyang_zf1")]),
    ("demo-03", "001", "CYYY", "anyang_grid", "学府路一餐饮店油烟直排，周边居民多次投诉。", "urgent",
     [("file", "anyang_room"), ("dispatch", "anyang_room"), ("accept", "anyang_zf1"), ("report_back", "anyang_zf1")]),
    ("demo-04", "001", "XGGG", "anyang_grid", "锦绣小区围墙被张贴大量疏通管道小广告。", "normal",
     [("file", "anyang_room"), ("dispatch", "anyang_room"), ("accept", "anyang_zf1"), ("report_back", "anyang_zf1"),
      ("close", "anyang_room"), ("evaluate", "anyang_room")]),
    ("demo-05", "012", "WFJS", "pandai_grid", "村民在自家宅基地外侧搭建钢棚约40平方米，未见规划许可公示。", "normal",
     [("file", "pandai_room"), ("dispatch", "pandai_room")]),
    ("demo-06", "012", "WZJY", "pandai_grid", "村口新开一家五金店未悬挂营业执照，疑似无照经营。", "normal",
     [("file", "pandai_room"), ("request_coordination", "pandai_room")]),
    ("demo-07", "222", "LTFS", "beiji_room", "北麂岛码头附近有人露天焚烧废弃渔网，烟雾较大。", "urgent",
     [("file", "beiji_room"), ("dispatch", "beiji_room"), ("accept", "dongshan_zf1")]),
    # In the reporter's own grid, so the field check comes back to the demo grid officer.
    ("demo-08", "001", "ZDJY", "anyang_grid", "滨江路早市摊位占用人行道，已处置待核查。", "normal",
     [("file", "anyang_room"), ("dispatch", "anyang_room"), ("accept", "anyang_zf1"), ("report_back", "anyang_zf1"),
      ("request_check", "anyang_room")]),
]

#: Demo leads placed in a grid their reporter patrols (instead of one of the township's first grids).
IN_OWN_GRID = {"demo-08"}

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def _point_in(township_code: str, index: int) -> tuple[float, float] | None:
    from shapely.geometry import shape

    from oneteam.org.models import Grid

    grids = list(Grid.objects.filter(village__township__code=f"330381{township_code}000").order_by("code")[:12])
    if not grids:
        return None
    p = shape(grids[index % len(grids)].geometry).representative_point()
    return round(p.x, 6), round(p.y, 6)


def _own_grid_point(user) -> tuple[float, float] | None:
    from shapely.geometry import shape

    grid = user.grids_patrolled.order_by("code").first()
    if grid is None:
        return None
    p = shape(grid.geometry).representative_point()
    return round(p.x, 6), round(p.y, 6)


def _step_data(action: str, event) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    if action == "file":
        return {"data": {"conditions": list(event.category.filing_conditions)}}
    if action == "dispatch":
        return {"data": {"body": event.proposed_body_id}}
    if action == "request_coordination":
        return {"data": {"coordination_kind": "assistance"}, "reason": "需市场监管部门协助认定经营主体"}
    if action == "report_back":
        return {"data": {"result": "已现场处置完毕，当事人已整改。"},
                "attachments": [SimpleUploadedFile("处置后.png", PNG, content_type="image/png")]}
    if action == "close":
        return {"data": {"conditions": list(event.category.closing_conditions)}}
    if action == "evaluate":
        return {"data": {"satisfaction": "satisfied"}}
    return {}


def load_leads(ctx: DemoContext) -> None:
    from oneteam.org.models import User
    from oneteam.workflow.services import perform

    from . import services

    made = 0
    for i, (key, code3, category, reporter, text, urgency, steps) in enumerate(DEMO_LEADS):
        user = User.objects.filter(username=reporter).first()
        point = _own_grid_point(user) if key in IN_OWN_GRID and user is not None else _point_in(code3, i)
        if user is None or point is None:
            continue
        result = services.report_event(services.Intake(
            channel="grid_patrol" if "grid" in reporter else "staff_discovery", category=category,
            description=text, lng=point[0], lat=point[1], urgency=urgency, idempotency_key=key,
            reporter_name=str(user)), actor=user)
        if not result.created:
            continue
        made += 1
        event = result.event
        for action, username in steps:
            actor = User.objects.get(username=username)
            if action == "dispatch" and not event.proposed_body_id:
                break
            perform(event.process, action, actor=actor, **_step_data(action, event))
            event.refresh_from_db()
    system = ExternalSystem.objects.filter(name=DEMO_SYSTEM).first()
    if system is not None:
        result = services.report_event(services.Intake(
            channel="hotline", category="XFTD", description="市民来电：安阳街道某小区消防通道被私家车长期占用。",
            address="安阳街道万松路锦绣小区3幢北侧", township="330381001000", idempotency_key="demo-hotline-1",
            reporter_name="王先生", reporter_phone="13800000000"), system=system)
        made += int(result.created)
    ctx.say(f"  演示事件新建 {made} 个")
