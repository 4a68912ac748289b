"""Command demo: event categories with filing/closing standards, the 12345
hotline as an external system, and a handful of leads in every state."""

from __future__ import annotations

from oneteam.core.demo import DemoContext
from oneteam.org.models import Body
from oneteam.worktime.engine import PeriodKind

from .choices import Level
from .models import EventCategory, ExternalSystem

WH, WD, NH = PeriodKind.WORKING_HOURS, PeriodKind.WORKING_DAYS, PeriodKind.NATURAL_HOURS

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

    if not ExternalSystem.objects.filter(name="12345政务服务热线（演示）").exists():
        _system, key = issue_key("12345政务服务热线（演示）", body=centre)
        ctx.credentials.append(("Open311 外部系统密钥（12345热线演示）", "api_key", key))
        ctx.notes.append("  Open311 密钥只显示一次；丢失后用 `oneteam open311-key 名称` 重新签发。")
    ctx.say(f"  事件类别 {EventCategory.objects.count()} 个")
