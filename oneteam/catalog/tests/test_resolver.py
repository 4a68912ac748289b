import datetime as dt

import pytest

from oneteam.catalog import services
from oneteam.catalog.resolver import CompetenceError, who_handles
from oneteam.catalog.tests.conftest import D, add_version
from oneteam.core.testing import make_grid
from oneteam.org import services as org_services
from oneteam.org.choices import EnforcementMode
from oneteam.org.models import Village

pytestmark = pytest.mark.django_db

GRANT_DAY = D(2023, 1, 1)
WITHDRAW_DAY = D(2024, 1, 1)


def _grant(world, township, matters, on=GRANT_DAY, no="测试赋权1号"):
    return services.do_grant_empowerment(township, matters, actor=None, decision_no=no, effective_from=on)


def _withdraw(world, township, matters, on=WITHDRAW_DAY, no="测试收回1号"):
    return services.do_withdraw_empowerment(township, matters, actor=None, decision_no=no, effective_from=on)


# --- the matrix: mode × empowerment state ------------------------------------------------

SETUPS = ["empowered", "not_empowered", "withdrawn", "not_yet_effective"]


def _setup(world, state, acting):
    if state == "empowered":
        _grant(world, acting, [world.matter_a])
        return D(2023, 6, 1)
    if state == "withdrawn":
        _grant(world, acting, [world.matter_a])
        _withdraw(world, acting, [world.matter_a])
        return D(2024, 6, 1)
    if state == "not_yet_effective":
        _grant(world, acting, [world.matter_a], on=D(2025, 1, 1))
        return D(2024, 6, 1)
    return D(2023, 6, 1)


@pytest.mark.parametrize("state", SETUPS)
def test_who_handles_empowered_township_each_state_expected_body(world, state):
    on = _setup(world, state, world.empowered)
    answer = who_handles(world.matter_a.code, township=world.empowered, on=on)
    if state == "empowered":
        assert answer.body == world.cast.team
        assert answer.basis == "empowered"
        assert answer.patrol == world.cast.team
        assert answer.targeted_inspection == [world.cast.team, world.department]
        assert any("测试赋权1号" in r for r in answer.reasons)
    else:
        # No dispatched team of the department in 甲镇: the department itself.
        assert answer.body == world.department
        assert answer.basis == "department"
    assert answer.supervising == [world.department]
    if state == "withdrawn":
        assert any("收回" in r and "测试收回1号" in r for r in answer.reasons)
    if state == "not_yet_effective":
        assert any("2025年1月1日 起才生效" in r for r in answer.reasons)


@pytest.mark.parametrize("state", SETUPS)
def test_who_handles_hub_served_township_each_state_hub_acts(world, state):
    on = _setup(world, state, world.empowered)  # empowerment goes to the hub (甲镇)
    answer = who_handles(world.matter_a.code, township=world.served, on=on)
    assert answer.acting_township == world.empowered
    assert any("1+X" in r and "甲镇" in r for r in answer.reasons)
    if state == "empowered":
        assert answer.body == world.cast.team  # the hub's team, not 丙乡's own
    else:
        assert answer.body == world.department


@pytest.mark.parametrize("state", SETUPS)
def test_who_handles_dispatched_township_each_state_expected_body(world, state):
    on = _setup(world, state, world.dispatched) if state == "not_empowered" else None
    if state != "not_empowered":
        # A dispatched township is empowered together with its upgrade ("成熟一个、赋权一个").
        day = {"empowered": GRANT_DAY, "withdrawn": GRANT_DAY, "not_yet_effective": D(2025, 1, 1)}[state]
        services.do_grant_empowerment(world.dispatched, [world.matter_a], actor=None, decision_no="测试升级1号",
                                      effective_from=day, upgrade_mode=True)
        if state == "withdrawn":
            _withdraw(world, world.dispatched, [world.matter_a])
        on = D(2024, 6, 1) if state != "empowered" else D(2023, 6, 1)
    answer = who_handles(world.matter_a.code, township=world.dispatched, on=on)
    if state == "empowered":
        assert answer.body == world.cast.other_team
        assert answer.mode.mode == EnforcementMode.EMPOWERED
    else:
        assert answer.body == world.dispatched_team
        assert answer.basis == "dispatched_team"
        assert answer.targeted_inspection == [world.dispatched_team, world.department]


def test_who_handles_matter_not_empowered_to_hub_uses_department(world):
    _grant(world, world.empowered, [world.matter_a])
    answer = who_handles(world.matter_b.code, township=world.served, on=D(2023, 6, 1))
    assert answer.body == world.department
    assert any("未赋权 甲镇" in r for r in answer.reasons)


# --- dates ------------------------------------------------------------------------------------


def test_who_handles_catalog_version_change_on_date_matter_retired(world):
    _grant(world, world.empowered, [world.matter_a, world.matter_b])
    add_version("zj-township", "2024版", D(2024, 7, 1), [("330702002000", "对不明码标价的行政处罚", world.department)])
    before = who_handles(world.matter_a.code, township=world.empowered, on=D(2024, 6, 30))
    assert before.body == world.cast.team
    assert before.entry.version.label == "2022版"
    with pytest.raises(CompetenceError) as exc:
        who_handles(world.matter_a.code, township=world.empowered, on=D(2024, 7, 1))
    assert exc.value.code == "matter_not_in_force"
    after = who_handles(world.matter_b.code, township=world.empowered, on=D(2024, 7, 1))
    assert after.entry.version.label == "2024版"


def test_who_handles_mode_change_on_date_hub_served_becomes_own(world):
    _grant(world, world.empowered, [world.matter_a])
    org_services.do_record_mode_decision(world.served, actor=None, mode=EnforcementMode.EMPOWERED,
                                         effective_from=D(2024, 1, 1), decision_no="测试模式2号")
    services.do_grant_empowerment(world.served, [world.matter_a], actor=None, decision_no="丙乡赋权",
                                  effective_from=D(2024, 1, 1))
    assert who_handles(world.matter_a.code, township=world.served, on=D(2023, 12, 31)).body == world.cast.team
    assert who_handles(world.matter_a.code, township=world.served, on=D(2024, 1, 1)).body == world.served_team


def test_who_handles_date_before_any_catalog_error(world):
    with pytest.raises(CompetenceError) as exc:
        who_handles(world.matter_a.code, township=world.empowered, on=D(2021, 12, 31))
    assert exc.value.code == "no_catalog_in_force"
    assert "早于所有执法事项目录" in exc.value.message


# --- places and errors --------------------------------------------------------------------------


def test_who_handles_point_resolves_grid_village_township(world):
    # Not make_village(): its code grows past 15 characters once the factory sequence passes 999 (PostgreSQL).
    village = Village.objects.create(township=world.dispatched, code=f"{world.dispatched.code}001", name="前垟村")
    make_grid(village, lng=120.60, lat=27.70)
    answer = who_handles(world.matter_a.code, point="120.605,27.705", on=D(2023, 6, 1))
    assert answer.township == world.dispatched
    assert answer.body == world.dispatched_team
    assert "前垟村" in answer.reasons[0]


def test_who_handles_a_point_already_located_is_not_located_again(world, monkeypatch):
    village = Village.objects.create(township=world.dispatched, code=f"{world.dispatched.code}001", name="前垟村")
    make_grid(village, lng=120.60, lat=27.70)
    from oneteam.org import geo

    located = geo.locate(120.605, 27.705)
    fresh = who_handles(world.matter_a.code, point=(120.605, 27.705), on=D(2023, 6, 1))
    calls = []
    monkeypatch.setattr(geo, "locate", lambda *point: calls.append(point))
    answer = who_handles(world.matter_a.code, point=(120.605, 27.705), on=D(2023, 6, 1), located=located)
    assert calls == []
    assert (answer.body, answer.reasons, answer.location) == (fresh.body, fresh.reasons, located)


def test_who_handles_point_outside_grids_error(world):
    with pytest.raises(CompetenceError) as exc:
        who_handles(world.matter_a.code, point=(100.0, 10.0), on=D(2023, 6, 1))
    assert exc.value.code == "outside_grids"


@pytest.mark.parametrize(("matter", "township", "code"), [
    ("999999999999", "甲镇", "unknown_matter"),
    ("330702001000", "不存在镇", "unknown_township"),
])
def test_who_handles_unknown_input_chinese_error(world, matter, township, code):
    with pytest.raises(CompetenceError) as exc:
        who_handles(matter, township=township, on=D(2023, 6, 1))
    assert exc.value.code == code


def test_who_handles_township_by_code_or_prefix_same_answer(world):
    a = who_handles(world.matter_a.code, township="330381902000", on=D(2023, 6, 1))
    b = who_handles(world.matter_a.code, township="乙", on=D(2023, 6, 1))
    assert a.body == b.body == world.dispatched_team


# --- overriding rules ---------------------------------------------------------------------------


def test_who_handles_competence_rule_overrides_with_source(world):
    _grant(world, world.empowered, [world.matter_a])
    services.do_record_competence_rule(world.matter_a, actor=None, body=world.other_department,
                                       valid_from=D(2024, 1, 1), valid_until=D(2024, 12, 31),
                                       source="领导小组裁定〔2024〕1号", township=world.empowered)
    inside = who_handles(world.matter_a.code, township=world.empowered, on=D(2024, 3, 1))
    assert inside.body == world.other_department
    assert inside.basis == "rule"
    assert any("领导小组裁定〔2024〕1号" in r for r in inside.reasons)
    assert who_handles(world.matter_a.code, township=world.empowered, on=D(2025, 1, 1)).body == world.cast.team


def test_who_handles_specific_rule_beats_citywide(world):
    services.do_record_competence_rule(world.matter_a, actor=None, body=world.other_department,
                                       valid_from=D(2023, 1, 1), source="全市规则")
    services.do_record_competence_rule(world.matter_a, actor=None, body=world.cast.other_team,
                                       valid_from=D(2023, 1, 1), source="乙镇规则", township=world.dispatched)
    assert who_handles(world.matter_a.code, township=world.dispatched, on=D(2023, 6, 1)).body == world.cast.other_team
    assert who_handles(world.matter_a.code, township=world.empowered, on=D(2023, 6, 1)).body == world.other_department


def test_who_handles_answer_as_dict_has_contract_keys(world):
    data = who_handles(world.matter_a.code, township=world.dispatched, on=dt.date(2023, 6, 1)).as_dict()
    assert {"body", "body_kind", "township", "reasons", "supervising"} <= set(data)
    assert data["body_kind"] == "dispatched_team"
    assert data["supervising"][0]["name"] == world.department.name
