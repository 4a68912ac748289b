"""Many leads filed at once on PostgreSQL (group commit, ``oneteam.core.groupcommit``):
every caller gets its own lead, numbers have no gaps or repeats, retries of
one idempotency key racing in the same batch give one lead, the ledger holds
one start entry per lead and its chain verifies."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from oneteam.command import services
from oneteam.command.models import Event
from oneteam.command.services import Intake
from oneteam.ledger.models import LedgerEntry
from oneteam.ledger.services import verify_ledger

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL: threads share no SQLite test DB"),
]


def _file_at_once(world, keys: list[str]) -> list:
    barrier = threading.Barrier(len(keys))
    results: list = [None] * len(keys)

    def run(i, key):
        try:
            barrier.wait(timeout=10)
            results[i] = services.report_event(
                Intake(channel="grid_patrol", category="ZDJY", description=f"东村菜场门口占道摆摊{i}",
                       lng=120.61, lat=27.71, idempotency_key=key), actor=world.gridder)
        except Exception as exc:  # recorded for the assertions
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, k)) for i, k in enumerate(keys)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_leads_filed_at_once_each_get_their_own_lead(world):
    results = _file_at_once(world, [f"k{i}" for i in range(12)])
    assert all(isinstance(r, services.IntakeResult) and r.created for r in results), results
    events = {r.event.pk for r in results}
    assert len(events) == 12 == Event.objects.count()
    numbers = sorted(r.event.process.number for r in results)
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == list(range(1, 13))
    for r in results:  # each caller's result is its own lead
        assert Event.objects.get(pk=r.event.pk).description == r.event.description
    assert LedgerEntry.objects.filter(action="event.start").count() == 12
    assert verify_ledger().ok


def test_retries_of_one_key_racing_give_one_lead(world):
    results = _file_at_once(world, ["same"] * 6 + ["other"])
    assert all(isinstance(r, services.IntakeResult) for r in results), [r for r in results if isinstance(r, Exception)]
    same = {r.event.pk for r in results[:6]}
    assert len(same) == 1 and sum(r.created for r in results[:6]) == 1
    assert results[6].created and results[6].event.pk not in same
    assert Event.objects.count() == 2 and LedgerEntry.objects.filter(action="event.start").count() == 2
    assert verify_ledger().ok
