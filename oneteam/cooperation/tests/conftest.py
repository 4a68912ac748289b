"""Fixtures for the cooperation tests: the shared cast plus the county bodies
the mechanisms need (staffing office, justice bureau, leading group, a second
department, a Wenzhou-level department, township governments, a dispatched
team), a controllable clock, and a test-only "lead" flow standing for the
command app's events as dispute subjects."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from oneteam.core.testing import Cast, make_body, make_township, make_user
from oneteam.org.choices import BodyKind, BodyLevel, Role
from oneteam.org.models import Body, User
from oneteam.workflow.declare import Action, Flow, StartDeadline, State, register, unregister
from oneteam.worktime.engine import Period, PeriodKind

TZ = ZoneInfo("Asia/Shanghai")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def png(name: str = "photo.png", extra: bytes = b"") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG + extra, content_type="image/png")


class Clock:
    def __init__(self, monkeypatch):
        self.now = dt.datetime(2026, 9, 30, 9, 0, tzinfo=TZ)
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def set(self, *args) -> dt.datetime:
        self.now = dt.datetime(*args, tzinfo=TZ)
        return self.now


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class Coop:
    cast: Cast
    township_gov: Body
    other_township_gov: Body
    third_team: Body
    dispatched_team: Body
    department2: Body
    prefecture_department: Body
    staffing: Body
    justice: Body
    leading: Body
    head: User
    dept2_handler: User
    wz_handler: User
    staffing_user: User
    justice_user: User
    leader: User
    third_officer: User
    dispatched_officer: User


@pytest.fixture
def coop(cast) -> Coop:
    c = cast
    third = make_township("丙镇", code="330381903000")
    third_team = make_body(BodyKind.ENFORCEMENT_TEAM, township=third, name="丙镇综合行政执法队")
    dept2 = make_body(BodyKind.DEPARTMENT, name="市自然资源和规划局", field="自然资源")
    wz = make_body(BodyKind.DEPARTMENT, name="温州市市场监督管理局", level=BodyLevel.PREFECTURE, field="市场监管")
    dispatched = make_body(BodyKind.DISPATCHED_TEAM, township=c.township, parent=c.department, name="甲镇市场监管所")
    staffing = make_body(BodyKind.STAFFING_OFFICE, name="市委编办")
    justice = make_body(BodyKind.JUSTICE_BUREAU, name="市司法局")
    leading = make_body(BodyKind.LEADING_GROUP, name="市综合行政执法改革领导小组")
    return Coop(
        cast=c,
        township_gov=make_body(BodyKind.TOWNSHIP_GOVERNMENT, township=c.township, name="甲镇人民政府"),
        other_township_gov=make_body(BodyKind.TOWNSHIP_GOVERNMENT, township=c.other_township, name="乙镇人民政府"),
        third_team=third_team, dispatched_team=dispatched, department2=dept2, prefecture_department=wz,
        staffing=staffing, justice=justice, leading=leading,
        head=make_user(c.team, Role.ENFORCEMENT_OFFICER, Role.BODY_HEAD, username="head", certified=True),
        dept2_handler=make_user(dept2, Role.DEPARTMENT_HANDLER, username="dept2", certified=True),
        wz_handler=make_user(wz, Role.DEPARTMENT_HANDLER, username="wz"),
        staffing_user=make_user(staffing, Role.SUPERVISOR, username="staffing"),
        justice_user=make_user(justice, Role.SUPERVISOR, username="justice"),
        leader=make_user(leading, Role.BODY_HEAD, username="leader"),
        third_officer=make_user(third_team, Role.ENFORCEMENT_OFFICER, username="third", certified=True),
        dispatched_officer=make_user(dispatched, Role.ENFORCEMENT_OFFICER, username="dispatched", certified=True),
    )


LEAD_FLOW = Flow(
    kind="coop_test_lead", label="测试线索", route="coop-test-leads", number_prefix="XS",
    states=[State("open", "处置中"), State("done", "已办结", terminal=True)], initial="open",
    start_deadlines=[StartDeadline("handling", Period(PeriodKind.WORKING_DAYS, 3))],
    actions=[Action("finish", "办结", source=["open"], target="done")],
)


@pytest.fixture
def lead_flow():
    register(LEAD_FLOW)
    yield LEAD_FLOW
    unregister(LEAD_FLOW.kind)


@pytest.fixture
def start_lead(coop, lead_flow):
    """A lead of 甲镇 sent by its command room to the department (the subject of a dispute)."""
    from oneteam.workflow.services import start_process

    def make(**kw):
        args = {"actor": coop.cast.dispatcher, "initiator": coop.cast.command_room,
                "assignees": [coop.cast.department], "title": "无证经营食品小作坊"}
        args.update(kw)
        return start_process(LEAD_FLOW.kind, **args)

    return make


@pytest.fixture
def matter(coop):
    """A matter of the department in a catalog version in force (test data written directly)."""
    from oneteam.catalog.models import Catalog, CatalogVersion, Matter, MatterEntry

    version = CatalogVersion.objects.create(catalog=Catalog.objects.get(code="zj-township"), label="2022版",
                                            effective_from=dt.date(2022, 1, 1))
    m = Matter.objects.create(code="330702001000", name="对无照经营的行政处罚")
    MatterEntry.objects.create(version=version, matter=m, name=m.name, kind="penalty", field="市场监管",
                               legal_basis="《无证无照经营查处办法》", department=coop.cast.department)
    return m
