"""The drill-down behind every number: its two query shapes (keys first for
a few processes, a walk of the range for many, ``SMALL_DRILL``) give the same
processes, in the same order, as a plain reading of the facts and clocks."""

import datetime as dt
import random

import pytest
from django.utils import timezone

from oneteam.oversight import conf, rollups, selectors
from oneteam.oversight.models import UnitFact
from oneteam.workflow.models import Party, Process, ProcessDeadline

from .helpers import report, walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy(world):
    rng = random.Random(11)
    for i in range(18):
        walk(world, report(world, other=i % 3 == 0), rng, steps=rng.randint(0, 12), late=0.5)
    return world


def _plain(user, filters, metric, unit_id, now):
    """The processes behind the number, read the obvious way (everything the user sees)."""
    if metric == conf.OVERDUE:
        late = set(ProcessDeadline.objects.filter(name__in=rollups.ASSIGNEE_CLOCKS, stopped_at__isnull=True,
                                                  paused_since__isnull=True, due_at__lt=now)
                   .values_list("process_id", flat=True))
        parties = Party.objects.filter(process_id__in=late, role=rollups.ASSIGNEE, active=True)
        if unit_id is not None and filters.group == "body":
            parties = parties.filter(body_id=unit_id)
        pks = set(parties.values_list("process_id", flat=True))
        if unit_id is not None and filters.group == "township":
            pks &= set(Process.objects.filter(township_id=unit_id).values_list("pk", flat=True))
    else:
        facts = UnitFact.objects.filter(kind=filters.kind, day__gte=filters.date_from, day__lte=filters.date_to,
                                        **{metric: 1})
        if unit_id is not None:
            facts = facts.filter(**{"body_id" if filters.group == "body" else "township_id": unit_id})
        pks = set(facts.values_list("process_id", flat=True))
    return list(Process.objects.filter(pk__in=pks).order_by("-created_at", "-pk").values_list("pk", flat=True))


@pytest.mark.parametrize("small", [selectors.SMALL_DRILL, 0])
def test_both_shapes_give_the_plain_answer(busy, monkeypatch, small):
    monkeypatch.setattr(selectors, "SMALL_DRILL", small)
    today = timezone.localdate()
    now = timezone.now() + dt.timedelta(days=3)  # every running clock overdue by then
    user = busy.supervisor
    checked = 0
    for group, units in (("body", [None, busy.team.pk, busy.other_team.pk, busy.committee.pk]),
                         ("township", [None, busy.township.pk, busy.other_township.pk])):
        filters = selectors.Filters(kind="event", date_from=today - dt.timedelta(days=1), date_to=today, group=group)
        for metric in selectors.DRILLABLE:
            for unit_id in units:
                expected = _plain(user, filters, metric, unit_id, now)
                found = selectors.drill_down(user, filters, metric=metric, unit_id=unit_id, now=now)
                assert list(found.processes.values_list("pk", flat=True)) == expected, (group, metric, unit_id)
                assert found.count == len(expected)
                checked += bool(expected)
    assert checked > 20  # the random city exercised most numbers


def test_a_range_before_the_leads_finds_nothing_either_way(busy, monkeypatch):
    monkeypatch.setattr(selectors, "SMALL_DRILL", 0)
    old = timezone.localdate() - dt.timedelta(days=30)
    filters = selectors.Filters(kind="event", date_from=old, date_to=old + dt.timedelta(days=1))
    found = selectors.drill_down(busy.supervisor, filters, metric="dispatched", unit_id=None)
    assert found.count == 0 and not found.processes.exists()
