import pytest

from oneteam.catalog import services
from oneteam.catalog.models import Empowerment
from oneteam.catalog.selectors import power_list
from oneteam.catalog.tests.conftest import D
from oneteam.core.errors import InvalidInput
from oneteam.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db


def test_grant_empowerment_records_ledger_and_rows(world):
    decision = services.do_grant_empowerment(world.empowered, [world.matter_a], actor=world.mayor,
                                             decision_no="测试1号", effective_from=D(2023, 1, 1))
    assert Empowerment.objects.get().granted_by == decision
    entry = LedgerEntry.objects.get(action="catalog.empowerment_granted")
    assert entry.payload["matters"] == [world.matter_a.code]
    assert entry.actor_name == world.mayor.full_name


def test_grant_twice_same_matter_refused(world):
    services.do_grant_empowerment(world.empowered, [world.matter_a], actor=None, decision_no="1",
                                  effective_from=D(2023, 1, 1))
    with pytest.raises(InvalidInput) as exc:
        services.do_grant_empowerment(world.empowered, [world.matter_a], actor=None, decision_no="2",
                                      effective_from=D(2024, 1, 1))
    assert exc.value.code == "already_empowered"


def test_grant_after_withdrawal_allowed_and_history_kept(world):
    services.do_grant_empowerment(world.empowered, [world.matter_a], actor=None, decision_no="1",
                                  effective_from=D(2023, 1, 1))
    services.do_withdraw_empowerment(world.empowered, [world.matter_a], actor=None, decision_no="w1",
                                     effective_from=D(2024, 1, 1))
    services.do_grant_empowerment(world.empowered, [world.matter_a], actor=None, decision_no="2",
                                  effective_from=D(2025, 1, 1))
    assert Empowerment.objects.count() == 2
    assert [len(power_list(world.empowered, d)) for d in (D(2023, 6, 1), D(2024, 6, 1), D(2025, 6, 1))] == [1, 0, 1]


def test_withdraw_not_empowered_refused(world):
    with pytest.raises(InvalidInput) as exc:
        services.do_withdraw_empowerment(world.empowered, [world.matter_a], actor=None, decision_no="w",
                                         effective_from=D(2024, 1, 1))
    assert exc.value.code == "not_empowered"


def test_grant_without_decision_no_refused(world):
    with pytest.raises(InvalidInput) as exc:
        services.do_grant_empowerment(world.empowered, [world.matter_a], actor=None, decision_no=" ",
                                      effective_from=D(2023, 1, 1))
    assert exc.value.code == "decision_no_required"


def test_power_list_query_count_constant(world, django_assert_max_num_queries):
    services.do_grant_empowerment(world.empowered, [world.matter_a, world.matter_b, world.matter_other],
                                  actor=None, decision_no="1", effective_from=D(2023, 1, 1))
    with django_assert_max_num_queries(3):
        items = power_list(world.empowered, D(2023, 6, 1))
    assert len(items) == 3


def test_competence_rule_without_source_refused(world):
    with pytest.raises(InvalidInput):
        services.do_record_competence_rule(world.matter_a, actor=None, body=world.department,
                                           valid_from=D(2023, 1, 1), source="")
