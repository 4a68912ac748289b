"""Two people act at once on PostgreSQL: exactly one wins, the other gets a
clear conflict, and the ledger holds exactly one entry for the action."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from oneteam.core.errors import Conflict
from oneteam.ledger.models import LedgerEntry
from oneteam.workflow import services
from oneteam.workflow.models import Process, Transition

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locks across connections (set DATABASE_URL)"
    ),
]


def _race(process_id: int, actions: list[tuple], barrier: threading.Barrier) -> list:
    results: list = [None] * len(actions)

    def run(i, action, actor, kwargs):
        try:
            process = Process.objects.get(pk=process_id)
            barrier.wait(timeout=10)
            results[i] = services.perform(process, action, actor=actor, **kwargs)
        except Exception as exc:  # recorded for the assertions
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, *a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_accept_by_two_officers_at_once_exactly_one_wins(cast, start_drill):
    for _round in range(5):
        p = start_drill()
        results = _race(p.pk, [("accept", cast.officer, {}), ("accept", cast.officer2, {})], threading.Barrier(2))
        wins = [r for r in results if isinstance(r, Transition)]
        losses = [r for r in results if isinstance(r, Conflict)]
        assert len(wins) == 1 and len(losses) == 1, results
        assert "已被他人处理" in losses[0].message
        assert Transition.objects.filter(process=p, action="accept").count() == 1
        assert LedgerEntry.objects.filter(action="drill.accept", object_id=str(p.pk)).count() == 1


def test_conflicting_actions_at_once_one_wins_nothing_half_written(cast, start_drill):
    p = start_drill()
    barrier = threading.Barrier(2)
    results = _race(p.pk, [("accept", cast.officer, {}), ("withdraw", cast.dispatcher, {"reason": "撤回"})], barrier)
    wins = [r for r in results if isinstance(r, Transition)]
    assert len(wins) == 1 and sum(isinstance(r, Conflict) for r in results) == 1, results
    p.refresh_from_db()
    assert p.state == wins[0].to_state and p.version == 2
    assert Transition.objects.filter(process=p).count() == 2
    actions = set(
        LedgerEntry.objects.filter(object_id=str(p.pk), object_type="workflow.process").values_list("action", flat=True)
    )
    assert actions == {"drill.start", f"drill.{wins[0].action}"}
