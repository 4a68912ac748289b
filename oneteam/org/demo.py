"""The Rui'an demo: real township names and codes, the modes set by 瑞政办〔2022〕70号,
the county's bodies, a cast of demo users, and synthetic villages and grids."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone
from shapely.geometry import Polygon, shape

from oneteam.core.demo import DemoContext

from . import services, synthetic
from .choices import BodyKind, BodyLevel, EnforcementMode, LegalQualificationKind, Role, TownshipKind, VillageKind
from .data import ruian
from .models import (
    Body,
    City,
    EnforcementCertificate,
    Grid,
    LegalQualification,
    ModeDecision,
    Township,
    TrainingRecord,
    User,
    UserRole,
    Village,
)

DEMO_PASSWORD = "oneteam2026"
VILLAGES_PER_TOWNSHIP = 4
GRIDS_PER_VILLAGE = 3


def _ensure(model, lookup: dict, defaults: dict):
    obj = model.objects.filter(**lookup).first()
    if obj is not None:
        return obj, False
    return services.do_save_master(model(**lookup, **defaults), actor=None), True


def load(ctx: DemoContext) -> None:
    city, _ = _ensure(City, {"code": ruian.CITY["code"]}, {
        "name": ruian.CITY["name"], "prefecture": ruian.CITY["prefecture"],
        "centre_lng": ruian.CITY["centre"][0], "centre_lat": ruian.CITY["centre"][1],
        "outline": {"type": "Polygon", "coordinates": [[list(p) for p in ruian.MAINLAND_OUTLINE]]},
    })
    townships = _load_townships(ctx, city)
    _load_modes(townships)
    bodies = _load_bodies(city, townships)
    created = _load_divisions(ctx, city, townships, bodies)
    _load_people(ctx, bodies)
    ctx.say(f"  23个乡镇(街道)、{Village.objects.count()}个村(社区)、{Grid.objects.count()}个网格"
            f"（本次新建{created}个网格）、{Body.objects.count()}个单位")


def _load_townships(ctx, city: City) -> dict[str, Township]:
    out = {}
    for code3, name, kind, lng, lat in ruian.TOWNSHIPS:
        township, _ = _ensure(Township, {"code": f"{city.code}{code3}000"}, {
            "city": city, "name": name, "kind": TownshipKind(kind), "seat_lng": lng, "seat_lat": lat,
            "is_synthetic_geometry": True,
        })
        out[code3] = township
    return out


def _load_modes(townships: dict[str, Township]) -> None:
    start = dt.date.fromisoformat(ruian.POLICY_DATE)
    for code3, township in townships.items():
        if ModeDecision.objects.filter(township=township).exists():
            continue
        hub = None
        if code3 in ruian.HUB_SERVED:
            mode, hub = EnforcementMode.HUB_SERVED, townships[ruian.HUB_SERVED[code3]]
        elif code3 in ruian.EMPOWERED:
            mode = EnforcementMode.EMPOWERED
        else:
            mode = EnforcementMode.DISPATCHED
        note = "辐射中心镇为演示数据（政策原文未列明）" if hub else ""
        services.do_record_mode_decision(
            township, actor=None, mode=mode, hub=hub, effective_from=start, decision_no=ruian.POLICY_DECISION,
            decision_title=ruian.POLICY_TITLE, note=note,
        )
    code3, date, number, title = ruian.DEMO_UPGRADE
    township = townships[code3]
    if not ModeDecision.objects.filter(township=township, effective_from=date).exists():
        services.do_record_mode_decision(
            township, actor=None, mode=EnforcementMode.EMPOWERED, effective_from=dt.date.fromisoformat(date),
            decision_no=number, decision_title=title, note="“成熟一个、赋权一个”（演示数据）",
        )


def _load_bodies(city: City, townships: dict[str, Township]) -> dict[str, Body]:
    bodies: dict[str, Body] = {}

    def body(code, name, short, kind, **extra):
        bodies[code], _ = _ensure(Body, {"code": code}, {"city": city, "name": name, "short_name": short,
                                                         "kind": kind, **extra})

    for code, name, short, kind in ruian.CITY_BODIES:
        body(code, name, short, kind, level=BodyLevel.CITY)
    for code, name, short, field in ruian.DEPARTMENTS:
        body(code, name, short, BodyKind.DEPARTMENT, level=BodyLevel.CITY, field=field)
    for code, name, short, field in ruian.WENZHOU_DEPARTMENTS:
        body(code, name, short, BodyKind.DEPARTMENT, level=BodyLevel.PREFECTURE, field=field)
    for code3, t in townships.items():
        prefix = f"T{code3}"
        body(f"{prefix}-GOV", f"{t.name}{'办事处' if t.kind == TownshipKind.SUBDISTRICT else '人民政府'}", t.name,
             BodyKind.TOWNSHIP_GOVERNMENT, level=BodyLevel.TOWNSHIP, township=t)
        body(f"{prefix}-ROOM", f"{t.name}综合信息指挥室", f"{t.name}指挥室", BodyKind.TOWNSHIP_COMMAND_ROOM,
             level=BodyLevel.TOWNSHIP, township=t, parent=bodies[f"{prefix}-GOV"])
        body(f"{prefix}-TEAM", f"{t.name}综合行政执法队", f"{t.name}执法队", BodyKind.ENFORCEMENT_TEAM,
             level=BodyLevel.TOWNSHIP, township=t, parent=bodies[f"{prefix}-GOV"])
        for dept_code, suffix, label in ruian.DISPATCHED_TEAMS:
            dept = bodies[dept_code]
            place = t.name.removesuffix("街道").removesuffix("镇").removesuffix("乡")
            body(f"{prefix}-{suffix}", f"{dept.short_name}{place}{label}", f"{t.name}{label}",
                 BodyKind.DISPATCHED_TEAM, level=BodyLevel.TOWNSHIP, township=t, parent=dept, field=dept.field)
    return bodies


def _load_divisions(ctx, city: City, townships: dict[str, Township], bodies: dict[str, Body]) -> int:
    mainland = Polygon(ruian.MAINLAND_OUTLINE)
    seeds = [(c, lng, lat) for c, _n, _k, lng, lat in ruian.TOWNSHIPS if c not in ruian.ISLAND_TOWNSHIPS]
    areas = {a.key: a.polygon for a in synthetic.partition(mainland, seeds)}
    for code3, ring in ruian.ISLAND_TOWNSHIPS.items():
        areas[code3] = Polygon(ring)
    created = 0
    for code3, township in townships.items():
        rng = random.Random(f"oneteam-demo-{township.code}")
        village_polys = synthetic.subdivide(areas[code3], VILLAGES_PER_TOWNSHIP, rng)
        names = ruian.COMMUNITY_NAMES if township.kind == TownshipKind.SUBDISTRICT else ruian.VILLAGE_NAMES
        offset = int(code3) % len(names)
        for vi, vpoly in enumerate(village_polys, start=1):
            is_community = township.kind == TownshipKind.SUBDISTRICT
            vname = names[(offset + vi) % len(names)] + ("社区" if is_community else "村")
            village, _ = _ensure(Village, {"code": f"{township.code[:9]}{vi:03d}"}, {
                "township": township, "name": vname, "is_synthetic": True,
                "kind": VillageKind.COMMUNITY if is_community else VillageKind.VILLAGE,
            })
            _ensure(Body, {"code": f"T{code3}-V{vi:02d}"}, {
                "city": city, "name": f"{township.name}{vname}", "short_name": vname,
                "kind": BodyKind.VILLAGE_COMMITTEE, "level": BodyLevel.VILLAGE, "township": township,
                "village": village, "parent": bodies[f"T{code3}-GOV"],
            })
            for gi, gpoly in enumerate(synthetic.subdivide(vpoly, GRIDS_PER_VILLAGE, rng), start=1):
                code = f"{township.code[:9]}{vi:02d}{gi:02d}"
                if Grid.objects.filter(code=code).exists():
                    continue
                geometry = synthetic.to_geojson(gpoly)
                minx, miny, maxx, maxy = shape(geometry).bounds
                services.do_save_master(Grid(
                    village=village, code=code, name=f"{vname}第{gi}网格", geometry=geometry, min_lng=minx,
                    min_lat=miny, max_lng=maxx, max_lat=maxy, is_synthetic=True,
                ), actor=None)
                created += 1
    if created:
        City.objects.filter(pk=city.pk).update(grids_version=city.grids_version + 1)
    return created


# (username, full name, body code, roles, certificate: None | "valid" | "expiring" | "expired", note)
CAST = [
    ("admin", "系统管理员", "COMMAND", [Role.ADMIN], None, "系统管理员"),
    ("zhihui", "陈调度", "COMMAND", [Role.DISPATCHER], None, "市指挥中心调度员"),
    ("zhidao", "林督查", "GUIDANCE", [Role.SUPERVISOR], None, "市指导办督查员"),
    ("bianban", "王编办", "STAFFING", [Role.SUPERVISOR], None, "市委编办审核人"),
    ("sifa", "周司法", "JUSTICE", [Role.SUPERVISOR, Role.LEGAL_REVIEWER], None, "司法局"),
    ("zhengfu", "黄市府", "CITY-GOV", [Role.BODY_HEAD], None, "市政府审批人"),
    ("anshen", "郑律师", "CASE-REVIEW", [Role.LEGAL_REVIEWER], None, "市案审中心审核人员"),
    ("anyang_room", "李指挥", "T001-ROOM", [Role.DISPATCHER], None, "安阳街道指挥室调度员（派驻+赋权）"),
    ("anyang_head", "吴队长", "T001-TEAM", [Role.ENFORCEMENT_OFFICER, Role.BODY_HEAD], "valid", "安阳街道执法队长"),
    ("anyang_zf1", "张执法", "T001-TEAM", [Role.ENFORCEMENT_OFFICER], "valid", "安阳街道执法队员"),
    ("anyang_zf2", "刘执法", "T001-TEAM", [Role.ENFORCEMENT_OFFICER], "expiring", "安阳街道执法队员（执法证即将到期）"),
    ("anyang_aux", "赵协管", "T001-TEAM", [Role.AUXILIARY], None, "安阳街道执法辅助人员"),
    ("anyang_grid", "孙网格", "T001-V01", [Role.GRID_OFFICER], None, "安阳街道网格员"),
    ("dongshan_room", "何指挥", "T004-ROOM", [Role.DISPATCHER], None, "东山街道指挥室（北麂乡辐射中心）"),
    ("dongshan_zf1", "钱执法", "T004-TEAM", [Role.ENFORCEMENT_OFFICER], "valid", "东山街道执法队员"),
    ("beiji_room", "蔡指挥", "T222-ROOM", [Role.DISPATCHER], None, "北麂乡指挥室（1+X）"),
    ("pandai_room", "许指挥", "T012-ROOM", [Role.DISPATCHER], None, "潘岱街道指挥室（派驻）"),
    ("pandai_zf1", "冯执法", "T012-TEAM", [Role.ENFORCEMENT_OFFICER], "expired", "潘岱街道执法队员（执法证已过期）"),
    ("pandai_grid", "褚网格", "T012-V01", [Role.GRID_OFFICER], None, "潘岱街道网格员"),
    ("shichang", "卫经办", "DEPT-SCJG", [Role.DEPARTMENT_HANDLER], "valid", "市市场监管局经办人"),
    ("ziran", "蒋经办", "DEPT-ZRZY", [Role.DEPARTMENT_HANDLER], "valid", "市自然资源局经办人"),
    ("gongan", "沈警官", "POLICE", [Role.DEPARTMENT_HANDLER], None, "市公安局"),
    ("jiancha", "韩检察", "PROCURATORATE", [Role.SUPERVISOR], None, "市检察院（只读监督）"),
    ("fayuan", "杨法官", "COURT", [Role.DEPARTMENT_HANDLER], None, "市法院"),
]


def _load_people(ctx: DemoContext, bodies_by_code: dict[str, Body]) -> None:
    today = timezone.localdate()
    for username, full_name, body_code, roles, cert, note in CAST:
        body = Body.objects.get(code=body_code)
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, full_name=full_name, body=body, is_demo=True,
                        is_staff=Role.ADMIN in roles, is_superuser=Role.ADMIN in roles)
            user.set_password(DEMO_PASSWORD)
            services.do_save_master(user, actor=None)
            for role in roles:
                UserRole.objects.create(user=user, role=role)
            if cert:
                valid_until = {"valid": today + dt.timedelta(days=900), "expiring": today + dt.timedelta(days=30),
                               "expired": today - dt.timedelta(days=20)}[cert]
                services.do_issue_certificate(
                    user, actor=None, number=f"浙330381{user.pk:06d}", scope="综合行政执法",
                    valid_from=today - dt.timedelta(days=1000), valid_until=valid_until, issued_by="浙江省人民政府",
                )
            if username == "anshen":
                LegalQualification.objects.create(user=user, kind=LegalQualificationKind.NATIONAL_EXAM,
                                                  number="A2019330300001", obtained_on=dt.date(2019, 12, 1))
            if cert == "valid":
                TrainingRecord.objects.create(user=user, title="2026年度综合行政执法业务培训", provider="市指导办",
                                              held_on=dt.date(2026, 3, 18), hours=16)
        ctx.credentials.append((note, username, DEMO_PASSWORD))
    # Grid chiefs and officers for the showcase grids.
    for username in ("anyang_grid", "pandai_grid"):
        user = User.objects.get(username=username)
        village = user.body.village
        for grid in Grid.objects.filter(village=village):
            if grid.chief_id is None:
                grid.chief = user
                grid.save(update_fields=["chief"])
            grid.officers.add(user)


__all__ = ["DEMO_PASSWORD", "EnforcementCertificate", "load"]
