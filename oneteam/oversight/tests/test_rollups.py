import random

import pytest

from oneteam.oversight import rollups
from oneteam.oversight.models import UnitDayStats, UnitFact
from oneteam.workflow.models import Process, Transition

from .helpers import report, walk

pytestmark = pytest.mark.django_db


def _random_city(world, seed: int, n: int = 14) -> None:
    rng = random.Random(seed)
    for i in range(n):
        process = report(world, other=i % 3 == 0)
        walk(world, process, rng, steps=rng.randint(0, 12))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rollups_after_random_actions_equal_raw_recount(world, seed):
    _random_city(world, seed)
    stored = rollups.stored()
    assert stored, "the walk should have dispatched something"
    assert stored == rollups.recount()
    # Every flag of every counter was exercised somewhere over the seeds; at least these on each:
    totals = [sum(v[i] for v in stored.values()) for i in range(len(UnitDayStats._meta.fields) - 5)]
    assert totals[0] > 0  # dispatched


def test_rebuild_is_idempotent_and_equals_incremental(world):
    _random_city(world, 7)
    incremental = rollups.stored()
    facts = sorted(UnitFact.objects.values_list("process_id", "body_id", "handled", "closed"))
    first = rollups.rebuild()
    assert rollups.stored() == incremental
    second = rollups.rebuild()
    assert first == second
    assert rollups.stored() == incremental
    assert sorted(UnitFact.objects.values_list("process_id", "body_id", "handled", "closed")) == facts


def test_rebuild_since_only_touches_later_days(world):
    _random_city(world, 11, n=6)
    before = rollups.stored()
    UnitDayStats.objects.update(dispatched=999)  # corrupt everything
    day = min(k[0] for k in before)
    rollups.rebuild(since=day)
    assert rollups.stored() == before


def test_on_transition_twice_adds_nothing(world):
    _random_city(world, 5, n=4)
    before = rollups.stored()
    for t in Transition.objects.all():
        rollups.on_transition(t, stopped_deadlines=[], process=t.process)
    assert rollups.stored() == before


def test_intake_costs_one_rollup_query(world, django_assert_num_queries):
    process = report(world)
    t = process.transitions.get(seq=1)
    with django_assert_num_queries(1):
        rollups.on_transition(t, stopped_deadlines=[], process=process)


def test_full_loop_counts(world):
    from oneteam.workflow.services import perform

    from .helpers import photo

    p = report(world)
    perform(p, "file", actor=world.dispatcher, data={"conditions": world.category.filing_conditions})
    perform(p, "dispatch", actor=world.dispatcher, data={"body": world.team.pk})
    perform(p, "accept", actor=world.officer)
    perform(p, "report_back", actor=world.officer, data={"result": "已处置"}, attachments=[photo()])
    perform(p, "rework", actor=world.dispatcher, reason="仍有摊点")
    perform(p, "report_back", actor=world.officer, data={"result": "已处置"}, attachments=[photo()])
    perform(p, "close", actor=world.dispatcher, data={"conditions": world.category.closing_conditions})
    perform(p, "evaluate", actor=world.dispatcher, data={"satisfaction": "very_satisfied"})
    row = UnitDayStats.objects.get(body=world.team)
    assert (row.dispatched, row.returned, row.responded, row.responded_on_time, row.handled, row.reworked,
            row.closed, row.visits, row.satisfied) == (1, 0, 1, 1, 1, 1, 1, 1, 1)
    assert row.township_id == world.township.pk
    assert Process.objects.get(pk=p.pk).state == "archived"
    assert rollups.stored() == rollups.recount()


def test_return_counts_for_the_returning_body(world):
    from oneteam.workflow.services import perform

    p = report(world)
    perform(p, "file", actor=world.dispatcher, data={"conditions": world.category.filing_conditions})
    perform(p, "dispatch", actor=world.dispatcher, data={"body": world.committee.pk})
    perform(p, "return_assignment", actor=world.gridder, reason="非本村职责")
    perform(p, "dispatch", actor=world.dispatcher, data={"body": world.team.pk})
    perform(p, "accept", actor=world.officer)
    committee = UnitDayStats.objects.get(body=world.committee)
    team = UnitDayStats.objects.get(body=world.team)
    assert (committee.dispatched, committee.returned, committee.responded) == (1, 1, 0)
    assert (team.dispatched, team.returned, team.responded) == (1, 0, 1)
