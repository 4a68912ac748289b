"""Party changes from outside a process's own actions go through one kernel service."""

import pytest

from oneteam.command import services as command
from oneteam.ledger.models import LedgerEntry
from oneteam.workflow.declare import PartyRole
from oneteam.workflow.models import Party
from oneteam.workflow.services import change_parties, perform

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(cast):
    from oneteam.command.models import EventCategory
    from oneteam.core.testing import make_grid, make_village

    EventCategory.objects.create(code="ZDJY", name="占道经营", filing_conditions=["a"])
    make_grid(make_village(cast.township), lng=120.60, lat=27.70, size=0.02)
    intake = command.Intake(channel="hotline", category="ZDJY", description="占道", lng=120.61, lat=27.71)
    return command.report_event(intake, actor=cast.centre_dispatcher).event.process


def test_change_parties_replaces_assignees_records_and_keeps_state(lead, cast):
    state = lead.state
    changes = change_parties(lead, actor=cast.supervisor, cause="ZY-2026-000001", reason="裁定",
                             replace_assignees=[cast.team])
    assert [c["op"] for c in changes] == ["add"]
    lead.refresh_from_db()
    assert lead.state == state
    assert set(Party.objects.filter(process=lead, role=PartyRole.ASSIGNEE, active=True)
               .values_list("body", flat=True)) == {cast.team.pk}
    entry = LedgerEntry.objects.get(action="event.parties_changed")
    assert entry.payload["cause"] == "ZY-2026-000001" and entry.actor_id == cast.supervisor.pk


def test_change_parties_without_change_writes_nothing(lead, cast):
    copied = [(p.body, p.role) for p in Party.objects.filter(process=lead, role=PartyRole.COPIED)]
    assert change_parties(lead, actor=None, cause="x", add=copied) == []
    assert not LedgerEntry.objects.filter(action="event.parties_changed").exists()


def test_merge_copies_reporters_onto_original_through_the_kernel(lead, cast):
    intake = command.Intake(channel="grid_patrol", category="ZDJY", description="同一摊点", lng=120.6101,
                            lat=27.7101)
    second = command.report_event(intake, actor=cast.dept_handler).event.process  # reported by a department
    assert not Party.objects.filter(process=lead, body=cast.department).exists()
    perform(second, "merge", actor=cast.dispatcher, data={"duplicate_of": lead.number})
    assert Party.objects.filter(process=lead, body=cast.department, role=PartyRole.COPIED, active=True).exists()
    change = LedgerEntry.objects.get(action="event.parties_changed", object_id=str(lead.pk))
    assert change.payload["cause"] == second.number
