from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from oneteam.workflow.services import perform, sync_next_due

from .helpers import photo, report

pytestmark = pytest.mark.django_db

URL = "/oversight/metrics/"


@pytest.fixture
def city(world):
    """One lead handled by each township's team, one left overdue in 甲镇."""
    mine = report(world)
    perform(mine, "file", actor=world.dispatcher, data={"conditions": world.category.filing_conditions})
    perform(mine, "dispatch", actor=world.dispatcher, data={"body": world.team.pk})
    perform(mine, "accept", actor=world.officer)
    perform(mine, "report_back", actor=world.officer, data={"result": "已处置"}, attachments=[photo()])
    theirs = report(world, other=True)
    perform(theirs, "file", actor=world.other_dispatcher, data={"conditions": world.category.filing_conditions})
    perform(theirs, "dispatch", actor=world.other_dispatcher, data={"body": world.other_team.pk})
    late = report(world)
    perform(late, "file", actor=world.dispatcher, data={"conditions": world.category.filing_conditions})
    perform(late, "dispatch", actor=world.dispatcher, data={"body": world.committee.pk})
    from django.utils import timezone

    late.deadlines.filter(name="response").update(due_at=timezone.now() - timezone.timedelta(hours=2))
    sync_next_due([late.pk])
    world.mine, world.theirs, world.late = mine, theirs, late
    return world


def test_metrics_anonymous_redirects_to_login(client, city):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_metrics_township_user_sees_only_own_units(client, city):
    client.force_login(city.dispatcher)
    html = client.get(URL).content.decode()
    assert city.team.name in html and city.committee.name in html
    assert city.other_team.name not in html


def test_metrics_citywide_user_sees_every_unit(client, city):
    client.force_login(city.supervisor)
    html = client.get(URL).content.decode()
    assert city.team.name in html and city.other_team.name in html
    assert "效能指标" in html


def _count(client, url, params=None) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


def test_metrics_page_query_count_is_pinned(client, city, django_assert_max_num_queries):
    """Ours are three (roll-ups, overdue now, names); the rest is the layout
    (session, user, roles, body, banners, bell). Constant in the number of units."""
    import datetime as dt

    from oneteam.core.testing import make_body
    from oneteam.org.choices import BodyKind
    from oneteam.oversight.models import UnitDayStats

    client.force_login(city.supervisor)
    client.get(URL)  # warm caches (flows, nav)
    with django_assert_max_num_queries(10):
        assert client.get(URL).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(URL, {"group": "township"}).status_code == 200
    before = _count(client, URL)
    for i in range(20):
        body = make_body(BodyKind.VILLAGE_COMMITTEE, township=city.township)
        UnitDayStats.objects.create(day=dt.date.today() - dt.timedelta(days=i), kind="event", body=body,
                                    township_id=city.township.pk, dispatched=3, handled=2)
    assert _count(client, URL) == before


def test_metrics_api_scoped_and_pinned(api_client, city, django_assert_max_num_queries):
    api_client.force_authenticate(city.dispatcher)
    api_client.get("/api/v1/metrics/")
    with django_assert_max_num_queries(6):
        data = api_client.get("/api/v1/metrics/", {"group": "township"}).json()
    assert [r["id"] for r in data["results"]] == [city.township.pk]
    totals = data["totals"]["counts"]
    assert totals["dispatched"] == 2 and totals["handled"] == 1 and totals["overdue_now"] == 1
    assert data["totals"]["rates"]["handling_rate"] == 0.5
    by_body = {r["name"]: r for r in api_client.get("/api/v1/metrics/").json()["results"]}
    assert set(by_body) == {city.team.name, city.committee.name}
    assert by_body[city.committee.name]["counts"]["overdue_now"] == 1


def test_metrics_api_anonymous_refused(api_client, city):
    assert api_client.get("/api/v1/metrics/").status_code in (401, 403)


def test_metrics_api_bad_date_is_400(api_client, city):
    api_client.force_authenticate(city.supervisor)
    response = api_client.get("/api/v1/metrics/", {"from": "2026-13-01"})
    assert response.status_code == 400 and response.json()["code"] == "bad_date"


def test_drill_down_lists_processes_behind_a_number(client, city):
    client.force_login(city.dispatcher)
    html = client.get("/oversight/metrics/processes/", {"metric": "handled", "unit": city.team.pk}).content.decode()
    assert city.mine.number in html and f"/flows/events/{city.mine.pk}/" in html
    assert city.late.number not in html
    overdue = client.get("/oversight/metrics/processes/", {"metric": "overdue_now"}).content.decode()
    assert city.late.number in overdue and city.mine.number not in overdue


def test_drill_down_other_township_unit_is_empty(client, city):
    client.force_login(city.dispatcher)
    html = client.get("/oversight/metrics/processes/",
                      {"metric": "dispatched", "unit": city.other_team.pk}).content.decode()
    assert city.theirs.number not in html


def test_drill_down_unknown_metric_404(client, city):
    client.force_login(city.dispatcher)
    assert client.get("/oversight/metrics/processes/", {"metric": "nope"}).status_code == 404


def test_export_xlsx_opens_with_openpyxl(client, city):
    client.force_login(city.supervisor)
    response = client.get(URL, {"export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(BytesIO(response.content)).active
    header = [c.value for c in ws[2]]
    assert header[0] == "承办单位" and "派遣数" in header and any(str(h).startswith("响应率") for h in header)
    names = [ws.cell(row=r, column=1).value for r in range(3, ws.max_row + 1)]
    assert city.team.name in names and names[-1] == "合计"


def test_nav_has_metrics_item(client, city):
    client.force_login(city.dispatcher)
    assert "效能指标" in client.get("/").content.decode()


def test_formulas_configurable(api_client, city, settings):
    settings.ONETEAM_METRICS = {"RATES": {"handling_rate": {"label": "处置率", "num": ["handled"],
                                                            "den": ["dispatched"]}, "rework_rate": None}}
    api_client.force_authenticate(city.supervisor)
    data = api_client.get("/api/v1/metrics/").json()
    assert "rework_rate" not in data["formulas"]
    assert data["formulas"]["handling_rate"]["den"] == ["dispatched"]
