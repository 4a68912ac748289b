"""A small world for catalog tests: the cast's townships plus a hub-served one,
the city offices, a department with a dispatched team, and two catalogs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from oneteam.catalog.models import Catalog, CatalogVersion, Matter, MatterEntry
from oneteam.core.testing import Cast, make_body, make_township, make_user
from oneteam.org.choices import BodyKind, EnforcementMode, Role
from oneteam.org.models import Body, Township, User

D = dt.date


def add_version(catalog_code: str, label: str, effective_from: dt.date, entries: list[tuple[str, str, Body]],
                ) -> CatalogVersion:
    """A catalog version with ``entries`` (code, name, department) written directly (test data)."""
    catalog = Catalog.objects.get(code=catalog_code)
    version = CatalogVersion.objects.create(catalog=catalog, label=label, effective_from=effective_from)
    for code, name, dept in entries:
        matter, _ = Matter.objects.get_or_create(code=code, defaults={"name": name})
        MatterEntry.objects.create(version=version, matter=matter, name=name, kind="penalty", field=dept.field,
                                   legal_basis="《测试法》", department=dept)
    return version


@dataclass
class World:
    cast: Cast
    empowered: Township
    dispatched: Township
    served: Township
    department: Body
    dispatched_team: Body
    served_team: Body
    city_gov: Body
    staffing: Body
    other_department: Body
    matter_a: Matter
    matter_b: Matter
    matter_unified: Matter
    matter_other: Matter
    reviewer: User
    staffer: User
    mayor: User
    proposer: User


@pytest.fixture
def world(cast) -> World:
    served = make_township("丙乡", code="330381903000", mode=EnforcementMode.HUB_SERVED, hub=cast.township)
    served_team = make_body(BodyKind.ENFORCEMENT_TEAM, township=served, name="丙乡综合行政执法队")
    team = make_body(BodyKind.DISPATCHED_TEAM, township=cast.other_township, parent=cast.department,
                     name="市场监管局乙镇市场监管所", field="市场监管")
    other_dept = make_body(BodyKind.DEPARTMENT, name="市自然资源和规划局", field="自然资源")
    city_gov = make_body(BodyKind.CITY_GOVERNMENT, name="市人民政府")
    staffing = make_body(BodyKind.STAFFING_OFFICE, name="市委编办")
    township_gov = make_body(BodyKind.TOWNSHIP_GOVERNMENT, township=cast.township, name="甲镇人民政府")
    add_version("zj-township", "2022版", D(2022, 1, 1), [
        ("330702001000", "对无照经营的行政处罚", cast.department),
        ("330702002000", "对不明码标价的行政处罚", cast.department),
        ("330302001000", "对非法占地的行政处罚", other_dept),
    ])
    add_version("zj-unified", "2022版", D(2022, 1, 1), [("330201001000", "对未取得规划许可建设的行政处罚",
                                                          other_dept)])
    return World(
        cast=cast, empowered=cast.township, dispatched=cast.other_township, served=served,
        department=cast.department, dispatched_team=team, served_team=served_team, city_gov=city_gov,
        staffing=staffing, other_department=other_dept,
        matter_a=Matter.objects.get(code="330702001000"), matter_b=Matter.objects.get(code="330702002000"),
        matter_unified=Matter.objects.get(code="330201001000"), matter_other=Matter.objects.get(code="330302001000"),
        reviewer=cast.supervisor, staffer=make_user(staffing, Role.SUPERVISOR, username="staffer"),
        mayor=make_user(city_gov, Role.BODY_HEAD, username="mayor"),
        proposer=make_user(township_gov, Role.BODY_HEAD, username="proposer"),
    )
