"""Plain factory functions for tests and benchmarks (no factory library magic).

``make_cast()`` builds a small named cast: two townships (one empowered, one
dispatched), the city bodies, and a user per role, so every access-matrix test
speaks of the same people.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from django.utils import timezone

from oneteam.org.choices import BodyKind, BodyLevel, EnforcementMode, Role, TownshipKind
from oneteam.org.models import Body, City, EnforcementCertificate, Grid, ModeDecision, Township, User, UserRole, Village

_seq = itertools.count(1)

DEMO_PASSWORD = "oneteam-demo"


def make_city(code: str = "330381", name: str = "瑞安市") -> City:
    city, _ = City.objects.get_or_create(code=code, defaults={"name": name, "prefecture": "温州市",
                                                               "centre_lng": 120.65, "centre_lat": 27.78})
    return city


def make_township(name: str | None = None, *, code: str | None = None, city: City | None = None,
                  kind: str = TownshipKind.TOWN, mode: str | None = EnforcementMode.DISPATCHED,
                  hub: Township | None = None, mode_from: dt.date = dt.date(2022, 8, 31)) -> Township:
    n = next(_seq)
    city = city or make_city()
    township = Township.objects.create(
        city=city, code=code or f"{city.code}{n % 1000:03d}000", name=name or f"测试镇{n}", kind=kind,
    )
    if mode:
        ModeDecision.objects.create(township=township, mode=mode, hub=hub, effective_from=mode_from,
                                    decision_no=f"测试〔2022〕{n}号")
    return township


def make_village(township: Township, name: str | None = None) -> Village:
    n = next(_seq)
    code = f"{township.code[:9]}{n % 1000:03d}"  # 12 digits, as statistical village codes are
    return Village.objects.create(township=township, code=code, name=name or f"测试村{n}")


def square(lng: float, lat: float, size: float = 0.01) -> dict:
    return {"type": "Polygon", "coordinates": [[[lng, lat], [lng + size, lat], [lng + size, lat + size],
                                                 [lng, lat + size], [lng, lat]]]}


def make_grid(village: Village, *, lng: float = 120.6, lat: float = 27.7, size: float = 0.01,
              code: str | None = None) -> Grid:
    n = next(_seq)
    grid = Grid.objects.create(village=village, code=code or f"G{n:06d}", name=f"测试网格{n}",
                               geometry=square(lng, lat, size), min_lng=lng, min_lat=lat, max_lng=lng + size,
                               max_lat=lat + size)
    City.objects.filter(pk=village.township.city_id).update(grids_version=n)
    return grid


def make_body(kind: str, *, name: str | None = None, township: Township | None = None, parent: Body | None = None,
              level: str | None = None, city: City | None = None, field: str = "", village=None) -> Body:
    n = next(_seq)
    city = city or (township.city if township else make_city())
    if level is None:
        level = BodyLevel.TOWNSHIP if township else BodyLevel.CITY
    return Body.objects.create(city=city, code=f"B{n:05d}", name=name or f"{BodyKind(kind).label}{n}", kind=kind,
                               level=level, township=township, parent=parent, field=field, village=village)


def make_user(body: Body | None, *roles: str, username: str | None = None, certified: bool = False,
              full_name: str = "", password: str = DEMO_PASSWORD) -> User:
    n = next(_seq)
    user = User.objects.create_user(username=username or f"user{n}", password=password, body=body,
                                    full_name=full_name or f"测试{n}")
    for role in roles:
        UserRole.objects.create(user=user, role=role)
    if certified:
        certify(user)
    return user


def certify(user: User, *, valid_from: dt.date | None = None, valid_until: dt.date | None = None,
            number: str | None = None) -> EnforcementCertificate:
    today = timezone.localdate()
    return EnforcementCertificate.objects.create(
        user=user, number=number or f"ZJ{next(_seq):08d}", scope="综合行政执法",
        valid_from=valid_from or today - dt.timedelta(days=365),
        valid_until=valid_until or today + dt.timedelta(days=730),
    )


@dataclass
class Cast:
    city: City
    township: Township  # empowered
    other_township: Township  # dispatched
    command_centre: Body
    guidance_office: Body
    department: Body
    command_room: Body
    team: Body
    other_command_room: Body
    other_team: Body
    admin: User
    centre_dispatcher: User
    supervisor: User
    dispatcher: User
    officer: User
    officer2: User
    grid_officer: User
    auxiliary: User
    dept_handler: User
    other_dispatcher: User
    other_officer: User


def make_cast() -> Cast:
    city = make_city()
    township = make_township("甲镇", code="330381901000", mode=EnforcementMode.EMPOWERED)
    other = make_township("乙镇", code="330381902000")
    command_centre = make_body(BodyKind.COMMAND_CENTRE, name="市行政执法指挥中心")
    guidance = make_body(BodyKind.GUIDANCE_OFFICE, name="市综合行政执法指导办公室")
    department = make_body(BodyKind.DEPARTMENT, name="市市场监督管理局", field="市场监管")
    command_room = make_body(BodyKind.TOWNSHIP_COMMAND_ROOM, township=township, name="甲镇综合信息指挥室")
    team = make_body(BodyKind.ENFORCEMENT_TEAM, township=township, name="甲镇综合行政执法队")
    other_room = make_body(BodyKind.TOWNSHIP_COMMAND_ROOM, township=other, name="乙镇综合信息指挥室")
    other_team = make_body(BodyKind.ENFORCEMENT_TEAM, township=other, name="乙镇综合行政执法队")
    return Cast(
        city=city, township=township, other_township=other, command_centre=command_centre,
        guidance_office=guidance, department=department, command_room=command_room, team=team,
        other_command_room=other_room, other_team=other_team,
        admin=make_user(None, Role.ADMIN, username="admin_t"),
        centre_dispatcher=make_user(command_centre, Role.DISPATCHER, username="centre"),
        supervisor=make_user(guidance, Role.SUPERVISOR, username="supervisor"),
        dispatcher=make_user(command_room, Role.DISPATCHER, username="dispatcher"),
        officer=make_user(team, Role.ENFORCEMENT_OFFICER, username="officer", certified=True),
        officer2=make_user(team, Role.ENFORCEMENT_OFFICER, username="officer2", certified=True),
        grid_officer=make_user(command_room, Role.GRID_OFFICER, username="gridder"),
        auxiliary=make_user(team, Role.AUXILIARY, username="aux"),
        dept_handler=make_user(department, Role.DEPARTMENT_HANDLER, username="dept"),
        other_dispatcher=make_user(other_room, Role.DISPATCHER, username="other_dispatcher"),
        other_officer=make_user(other_team, Role.ENFORCEMENT_OFFICER, username="other_officer", certified=True),
    )
