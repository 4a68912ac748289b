"""Demo catalogs, matters and empowerments for Rui'an (runs after org's demo).

Idempotent: catalog versions are imported through the ordinary import path
(an identical version already present is left alone), and each empowerment
decision is looked up by township and decision number before it is created.
All of it is flagged ``is_demo`` and labelled as demo data in the UI.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from oneteam.core.demo import DemoContext
from oneteam.org.models import Body, Township

from . import demo_data, services
from .choices import DecisionKind
from .io import HEADERS, plan_import
from .models import Catalog, EmpowermentDecision, Matter

DEFAULT_CATALOGS = [
    ("zj-unified", "浙江省综合行政执法事项统一目录", "province", False, 10),
    ("zj-township", "浙江省乡镇(街道)综合行政执法事项指导目录", "province", True, 20),
    ("wz-extension", "温州市综合行政执法扩展目录", "prefecture", True, 30),
]
URBAN = {"001", "002", "003", "004"}
TOWNS = {"101", "116", "125"}
NO_WATER = {"007", "010"}
AGRICULTURE = {22, 23, 24, 25, 14, 15}
WATER = {26, 27, 28}


def _township_matters(code3: str) -> list[int]:
    seqs = range(1, 33)
    if code3 in URBAN:
        keep = [s for s in seqs if s not in AGRICULTURE]
        if code3 == "004":  # 东山街道 also serves 北麂乡, a fishing island (1+X)
            keep.append(22)
        return sorted(keep)
    if code3 in NO_WATER:
        return [s for s in seqs if s not in WATER]
    if code3 == "120":  # 陶山镇, upgraded in 2024 ("成熟一个、赋权一个")
        return [*range(1, 14), 16, 22, 23, 24, 25]
    return list(seqs)


def _extension_matters(code3: str) -> list[int]:
    if code3 == "120":
        return [1, 3]
    return [1, 2, 3, 4] if code3 in URBAN else [1, 2, 3, 4, 5, 6]


GRANTS = [  # (3-digit township code, decision no, effective from)
    ("001", "瑞政发〔2022〕演示1号", "2022-09-01"),
    ("002", "瑞政发〔2022〕演示2号", "2022-09-01"),
    ("003", "瑞政发〔2022〕演示3号", "2022-09-01"),
    ("004", "瑞政发〔2022〕演示4号", "2022-09-01"),
    ("007", "瑞政发〔2022〕演示5号", "2022-09-01"),
    ("010", "瑞政发〔2022〕演示6号", "2022-09-01"),
    ("101", "瑞政发〔2022〕演示7号", "2022-09-01"),
    ("116", "瑞政发〔2022〕演示8号", "2022-09-01"),
    ("125", "瑞政发〔2022〕演示9号", "2022-09-01"),
]
# 陶山镇's upgrade: same number as org's demo mode decision of that date, so the two are linked.
UPGRADE = ("120", "瑞政发〔2023〕演示号", "2024-01-01")
WITHDRAWAL = ("101", "瑞政发〔2024〕演示12号", "2025-01-01", [29])
FUTURE_GRANT = ("116", "瑞政发〔2026〕演示8号", "2027-01-01", [33, 34])

NEEDED_BODIES = ["CITY-GOV", "GUIDANCE", "STAFFING", *sorted(set(demo_data.FIELD_DEPARTMENT.values()))]


def load(ctx: DemoContext) -> None:
    bodies = {b.code: b for b in Body.objects.filter(code__in=NEEDED_BODIES)}
    missing = [code for code in NEEDED_BODIES if code not in bodies]
    if missing:
        ctx.say(f"  执法事项演示数据跳过：未找到单位 {'、'.join(missing)}（请先载入组织演示数据）。")
        return
    _load_catalogs(ctx, {code: b.name for code, b in bodies.items()})
    townships = {t.short_code: t for t in Township.objects.filter(code__regex=r"^330381[0-9]{3}000$")}
    if not townships:
        ctx.say("  赋权演示数据跳过：未找到瑞安市乡镇(街道)。")
        return
    _load_empowerments(ctx, townships)
    _load_requests(ctx, townships)


def _load_catalogs(ctx: DemoContext, department_names: dict[str, str]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADERS)
    writer.writerows(demo_data.rows(department_names))
    _ensure_catalogs()
    plan = plan_import("demo-catalog.csv", data=buf.getvalue().encode())
    if not plan.ok:
        # E.g. a database loaded from an older demo whose versions now differ: keep what is there.
        ctx.say("  执法事项目录演示数据未导入：" + "；".join(str(e) for e in plan.errors[:3]))
        return
    created = services.do_import_catalog(plan, actor=None, is_demo=True)
    count = Matter.objects.count()
    ctx.say(f"  执法事项目录：新导入 {len(created)} 个版本，共 {count} 个事项（演示数据）。")


def _ensure_catalogs() -> None:
    """The three catalogs (also created by migration 0002; a flushed test database lacks them)."""
    for code, name, level, selectable, order in DEFAULT_CATALOGS:
        Catalog.objects.get_or_create(code=code, defaults={"name": name, "level": level,
                                                           "township_selectable": selectable, "order": order})


def _matters(catalog: str, seqs: list[int]) -> list[Matter]:
    fields = {m[1]: m[2] for m in [*demo_data.MATTERS, *demo_data.TOWNSHIP_2024_ADDED] if m[0] == catalog}
    codes = [demo_data.matter_code(catalog, s, fields[s]) for s in seqs]
    return list(Matter.objects.filter(code__in=codes))


def _exists(township: Township, kind: str, number: str) -> bool:
    return EmpowermentDecision.objects.filter(township=township, kind=kind, decision_no=number).exists()


def _load_empowerments(ctx: DemoContext, townships: dict[str, Township]) -> None:
    made = 0
    for code3, number, date in [*GRANTS, UPGRADE]:
        township = townships.get(code3)
        if township is None or _exists(township, DecisionKind.GRANT, number):
            continue
        matters = _matters("zj-township", _township_matters(code3)) + _matters("wz-extension",
                                                                              _extension_matters(code3))
        services.do_grant_empowerment(
            township, matters, actor=None, decision_no=number, effective_from=dt.date.fromisoformat(date),
            title=f"关于赋予{township.name}部分行政执法权限的决定（演示数据）", upgrade_mode=(code3 == UPGRADE[0]),
            is_demo=True,
        )
        made += 1
    code3, number, date, seqs = WITHDRAWAL
    township = townships.get(code3)
    if township is not None and not _exists(township, DecisionKind.WITHDRAW, number):
        services.do_withdraw_empowerment(
            township, _matters("zj-township", seqs), actor=None, decision_no=number,
            effective_from=dt.date.fromisoformat(date),
            title=f"关于收回{township.name}部分行政执法权限的决定（演示数据）",
            is_demo=True,
        )
        made += 1
    code3, number, date, seqs = FUTURE_GRANT
    township = townships.get(code3)
    if township is not None and not _exists(township, DecisionKind.GRANT, number):
        services.do_grant_empowerment(
            township, _matters("zj-township", seqs), actor=None, decision_no=number,
            effective_from=dt.date.fromisoformat(date),
            title=f"关于赋予{township.name}新增行政执法权限的决定（演示数据）",
            is_demo=True,
        )
        made += 1
    ctx.say(f"  赋权决定：新登记 {made} 份（演示数据）。")


# Requests on the approval flow: one carried through to publication by the demo
# accounts, one left in review so the reviewers' inboxes have something in them.
PUBLISHED_REQUEST = ("001", "anyang_room", [33, 34], "瑞政发〔2026〕演示3号", "2026-07-01")
PENDING_REQUEST = ("010", None, [26, 27])
REVIEWERS = ("zhidao", "bianban", "zhengfu")


def _load_requests(ctx: DemoContext, townships: dict[str, Township]) -> None:
    from oneteam.org.models import User
    from oneteam.workflow.services import perform

    from .models import EmpowermentRequest

    users = {u.username: u for u in User.objects.filter(username__in=[*REVIEWERS, PUBLISHED_REQUEST[1]])}
    if len(users) < len(REVIEWERS) + 1:
        ctx.say("  赋权申请演示流程跳过：未找到演示账号。")
        return
    made = 0
    code3, username, seqs, number, date = PUBLISHED_REQUEST
    township = townships.get(code3)
    matters = _matters("zj-township", seqs)
    codes = sorted(m.code for m in matters)
    if township is not None and not EmpowermentRequest.objects.filter(township=township, matter_codes=codes).exists():
        process = services.do_propose_empowerment(township, matters, actor=users[username],
                                                  note="辖区城市道路挖掘和电动自行车销售问题多发，申请赋权（演示数据）。")
        perform(process, "guidance_review", actor=users["zhidao"], reason="事项属乡镇指导目录，接得住（演示）")
        perform(process, "staffing_review_last", actor=users["bianban"], reason="执法队编制可承接（演示）")
        perform(process, "approve", actor=users["zhengfu"], data={"decision_no": number, "effective_from": date})
        perform(process, "publish", actor=users["zhidao"])
        made += 1
    code3, _username, seqs = PENDING_REQUEST
    township = townships.get(code3)
    matters = _matters("zj-township", seqs)
    codes = sorted(m.code for m in matters)
    gov = Body.objects.filter(code=f"T{code3}-GOV").first()
    if township is not None and gov is not None and \
            not EmpowermentRequest.objects.filter(township=township, matter_codes=codes).exists():
        process = services.do_propose_empowerment(township, matters, actor=None, initiator=gov,
                                                  note="申请承接河道管理范围内违法行为查处（演示数据）。")
        perform(process, "guidance_review", actor=users["zhidao"], reason="同意，请编办审核（演示）")
        made += 1
    ctx.say(f"  赋权申请流程：新建 {made} 件（演示数据，经流程内核审批并记入全过程记录）。")
