"""Process lists in three orders — the most pressing first (``next_due``),
the newest first, the last changed first — on the pages and the API."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from oneteam.command import services
from oneteam.command.services import Intake
from oneteam.workflow.models import Process, ProcessDeadline
from oneteam.workflow.services import perform, sync_next_due

pytestmark = pytest.mark.django_db


@pytest.fixture
def leads(world):
    """Four leads of the dispatcher's township: due in 3 h, 1 h, overdue by
    2 h, and one with no running clock; reported in that order."""
    now = timezone.now()
    leads = []
    for offset in (3, 1, -2, None):
        event = services.report_event(
            Intake(channel="grid_patrol", category="ZDJY", description="占道", lng=120.61, lat=27.71),
            actor=world.gridder).event
        clocks = ProcessDeadline.objects.filter(process_id=event.pk, stopped_at__isnull=True)
        if offset is None:
            clocks.update(stopped_at=now)
        else:
            clocks.update(due_at=now + dt.timedelta(hours=offset))
        sync_next_due([event.pk])
        leads.append(event.pk)
    # The first reported was changed last.
    Process.objects.filter(pk=leads[0]).update(updated_at=now + dt.timedelta(minutes=5))
    return leads


def _ids(response) -> list[int]:
    return [row["process"].pk for row in response.context["rows"]]


def test_inbox_lists_work_to_do_by_its_deadline(client, world, leads):
    client.force_login(world.dispatcher)
    first, soon, late, clockless = leads
    response = client.get(reverse("workflow:inbox"))
    assert _ids(response) == [late, soon, first, clockless] and response.context["order"] == "due"
    assert _ids(client.get(reverse("workflow:inbox"), {"order": "updated"}))[0] == first
    # An order it does not know falls back to the tab's.
    assert _ids(client.get(reverse("workflow:inbox"), {"order": "nonsense"})) == [late, soon, first, clockless]
    page = client.get(reverse("workflow:inbox"), {"tab": "todo", "order": "new"}).content.decode()
    assert 'aria-current="true">最新发起' in page and "?tab=todo&amp;order=due" in page


def test_a_flows_list_is_newest_first_unless_asked(client, world, leads):
    client.force_login(world.dispatcher)
    url = reverse("workflow:list", kwargs={"route": "events"})
    assert _ids(client.get(url)) == list(reversed(leads))
    first, soon, late, clockless = leads
    assert _ids(client.get(url, {"order": "due", "state": "reported"})) == [late, soon, first, clockless]


def test_the_api_orders_too_and_refuses_an_unknown_order(client, world, leads):
    client.force_login(world.dispatcher)
    first, soon, late, clockless = leads
    rows = client.get("/api/v1/events/", {"order": "due"}).json()["results"]
    assert [r["id"] for r in rows] == [late, soon, first, clockless]
    assert rows[-1]["next_due"] is None and rows[0]["next_due"] < rows[1]["next_due"]
    assert [r["id"] for r in client.get("/api/v1/inbox/").json()["results"]] == [late, soon, first, clockless]
    assert client.get("/api/v1/inbox/", {"order": "updated"}).json()["results"][0]["id"] == first
    bad = client.get("/api/v1/events/", {"order": "drop table"})
    assert bad.status_code == 400 and bad.json()["code"] == "unknown_order"


def test_a_suspended_lead_goes_after_the_running_ones(client, world, leads):
    """Suspension pauses the clock: the lead no longer presses."""
    first, soon, late, clockless = leads
    p = Process.objects.get(pk=late)
    perform(p, "file", actor=world.dispatcher, data={"conditions": ["存在摆摊设点经营行为"]})
    perform(p, "dispatch", actor=world.dispatcher, data={"body": world.team.pk})
    perform(p, "accept", actor=world.officer)
    perform(p, "suspend", actor=world.officer, reason="等待权属部门认定")
    client.force_login(world.dispatcher)
    rows = client.get("/api/v1/events/", {"order": "due"}).json()["results"]
    assert [r["id"] for r in rows] == [soon, first, late, clockless]  # the two without a running clock by key
    assert rows[2]["next_due"] is None


def test_the_service_refuses_an_unknown_order_whoever_calls(world, leads):
    from oneteam.core.errors import InvalidInput
    from oneteam.workflow import selectors

    for call in (lambda: selectors.inbox(world.dispatcher, "todo", order="oldest"),
                 lambda: selectors.processes_of(world.dispatcher, "event", order="oldest")):
        with pytest.raises(InvalidInput) as exc:
            call()
        assert exc.value.code == "unknown_order" and "oldest" in exc.value.message
