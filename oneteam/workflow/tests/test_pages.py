"""Generic pages: inbox, list, detail, action and comment posts, diagram, attachments, notifications."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from oneteam.workflow import services
from oneteam.workflow.models import Attachment, Notification, Transition

from .conftest import png

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def test_inbox_anonymous_redirects_to_login(client):
    r = client.get("/flows/inbox/")
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_inbox_todo_lists_process_for_assignee(client, cast, start_drill):
    p = start_drill()
    r = _login(client, cast.officer).get("/flows/inbox/")
    assert r.status_code == 200
    html = r.content.decode()
    assert p.number in html and "待我处理" in html and "抄送我的" in html


def test_inbox_query_count_does_not_grow_with_rows(client, cast, start_drill):
    start_drill()
    _login(client, cast.officer)
    client.get("/flows/inbox/")  # warm caches (calendar, sessions)
    with CaptureQueriesContext(connection) as one:
        client.get("/flows/inbox/")
    for _ in range(6):
        start_drill()
    with CaptureQueriesContext(connection) as seven:
        r = client.get("/flows/inbox/")
    assert r.content.decode().count("YL-2026-") == 7
    assert len(seven) == len(one)


def test_detail_other_township_not_found(client, cast, start_drill):
    p = start_drill()
    assert _login(client, cast.other_dispatcher).get(f"/flows/drills/{p.pk}/").status_code == 404


def test_detail_unknown_route_not_found(client, cast):
    assert _login(client, cast.officer).get("/flows/nothing-here/1/").status_code == 404


def test_detail_shows_timeline_deadline_and_only_available_actions(client, cast, start_drill):
    p = start_drill()
    html = _login(client, cast.officer).get(f"/flows/drills/{p.pk}/").content.decode()
    assert "签收" in html and "撤回" not in html.split("办理过程")[0]
    assert "响应期限" in html and 'data-toggle-explain="explain-' in html
    assert "<svg" in html and "安阳街道1号" in html
    html = _login(client, cast.dept_handler).get(f"/flows/drills/{p.pk}/").content.decode()
    assert "可执行操作" not in html


def test_action_post_goes_through_perform(client, cast, start_drill):
    p = start_drill()
    _login(client, cast.officer)
    r = client.post(f"/flows/drills/{p.pk}/accept/", {"version": "1"})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.state == "accepted"
    r = client.post(
        f"/flows/drills/{p.pk}/report/",
        {
            "data_result": "已清理",
            "officers": [cast.officer.pk, cast.officer2.pk],
            "attachments": [png()],
            "version": "2",
        },
        follow=True,
    )
    p.refresh_from_db()
    assert p.state == "reported", r.content.decode()[:500]
    att = Attachment.objects.get(process=p)
    assert client.get(f"/flows/attachments/{att.pk}/").status_code == 200
    assert _login(client, cast.other_dispatcher).get(f"/flows/attachments/{att.pk}/").status_code == 404


def test_action_post_error_shown_nothing_written(client, cast, start_drill):
    p = start_drill()
    r = _login(client, cast.auxiliary).post(f"/flows/drills/{p.pk}/accept/", follow=True)
    assert "只能由" in r.content.decode()
    assert Transition.objects.filter(process=p).count() == 1


def test_action_post_other_township_not_found(client, cast, start_drill):
    p = start_drill()
    assert _login(client, cast.other_officer).post(f"/flows/drills/{p.pk}/accept/").status_code == 404


def test_comment_post_by_copied_body_saved(client, cast, start_drill):
    p = start_drill()
    _login(client, cast.dept_handler).post(f"/flows/drills/{p.pk}/comment/", {"text": "请加强巡查"})
    assert "请加强巡查" in client.get(f"/flows/drills/{p.pk}/").content.decode()


def test_diagram_page_draws_every_state(client, cast, drill_flow):
    html = _login(client, cast.officer).get("/flows/drills/diagram/").content.decode()
    for state in drill_flow.states:
        assert f'data-state="{state.name}"' in html
    assert "退回重办" in html


def test_list_page_filters_by_state(client, cast, start_drill):
    a, b = start_drill(), start_drill()
    services.perform(b, "accept", actor=cast.officer)
    html = _login(client, cast.officer).get("/flows/drills/?state=accepted").content.decode()
    assert b.number in html and a.number not in html


def test_list_page_counts_only_as_far_as_it_can_page(client, cast, start_drill, monkeypatch):
    """Past the counted limit the pager says "more than N" and the next page
    is still reachable; the page that reaches the end counts exactly."""
    from oneteam.core import paging
    from oneteam.workflow import views

    made = [start_drill() for _ in range(4)]
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    monkeypatch.setattr(paging, "COUNT_AT_LEAST", 1)
    monkeypatch.setattr(paging, "COUNT_PAGES_AHEAD", 1)
    _login(client, cast.officer)
    first = client.get("/flows/drills/").content.decode()
    assert "第1/2+页，2条以上" in first and made[-1].number in first and "page=2" in first
    second = client.get("/flows/drills/?page=2").content.decode()  # counts 3 rows: still more
    assert "第2/3+页，3条以上" in second and made[-2].number in second and "page=3" in second
    last = client.get("/flows/drills/?page=4").content.decode()
    assert "第4/4页，共4条" in last and made[0].number in last and "page=5" not in last


def test_notifications_page_and_bell(client, cast, start_drill, rf):
    from django.template import Context, Template

    p = start_drill()
    Notification.objects.all().delete()  # only the notices made below
    Notification.objects.create(user=cast.officer, process=p, verb="drill.start", text="新的演练事项")
    _login(client, cast.officer)
    assert "新的演练事项" in client.get("/flows/notifications/").content.decode()
    request = rf.get("/")
    request.user = cast.officer
    bell = Template('{% include "workflow/partials/bell.html" %}').render(
        Context({"request": request, "user": cast.officer})
    )
    assert '<span class="badge bad">1</span>' in bell
    client.post("/flows/notifications/read/")
    assert not Notification.objects.filter(user=cast.officer, read_at__isnull=True).exists()


def test_context_processor_unread_lazy(cast, rf):
    from oneteam.workflow.context_processors import notifications

    request = rf.get("/")
    request.user = cast.officer
    from django.template import Context, Template

    assert notifications(request)["unread_notifications"]() == 0
    assert Template("{{ unread_notifications }}").render(Context(notifications(request))) == "0"


def test_most_pressing_list_read_in_two_steps_is_the_one_sorted_list(client, cast, start_drill, clock, monkeypatch):
    """A flow's list in the most pressing order, read as running clocks by
    next due then the rest by key (``selectors.flow_list_keys``), pages
    exactly as the one sorted query orders: across the step, from inside the
    second step, on the page and in the API."""
    from oneteam.workflow import selectors, views

    made = []
    for day in (5, 1, 3, 2, 4, 6, 7):  # response clocks due on different days
        clock.set(2026, 10, 12 + day, 10, 0)
        made.append(start_drill())
    services.perform(made[1], "accept", actor=cast.officer)
    services.perform(made[1], "suspend", actor=cast.officer, reason="等待第三方")  # open, no running clock
    services.perform(made[2], "withdraw", actor=cast.dispatcher, reason="重复派发")  # closed
    services.perform(made[4], "withdraw", actor=cast.dispatcher, reason="重复派发")
    clock.set(2026, 10, 20, 10, 0)
    sorted_once = list(selectors.processes_of(cast.officer, "drill", order="due").values_list("pk", flat=True))
    running = [p.pk for p in made if p.pk not in (made[1].pk, made[2].pk, made[4].pk)]
    assert sorted_once[:4] != sorted(running) and set(sorted_once[:4]) == set(running)  # by due, not by key
    assert sorted_once[4:] == sorted([made[1].pk, made[2].pk, made[4].pk])
    keys = selectors.flow_list_keys(selectors.processes_of(cast.officer, "drill", order="due"))
    assert [keys[i:j] for i, j in ((0, 3), (3, 6), (6, 9), (5, 7), (0, 0))] == [
        sorted_once[0:3], sorted_once[3:6], sorted_once[6:9], sorted_once[5:7], []]
    assert (keys.count(), keys.cut_count(3)) == (7, 3)
    newest = selectors.flow_list_keys(selectors.processes_of(cast.officer, "drill", order="new"))
    assert isinstance(newest, QuerySet)  # other orders: the one query
    assert list(newest) == [p.pk for p in sorted(made, key=lambda p: p.created_at, reverse=True)]

    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    _login(client, cast.officer)
    pages = []
    for number in (1, 2, 3):
        html = client.get(f"/flows/drills/?order=due&page={number}").content.decode()
        pages += [pk for pk in sorted_once if f'/flows/drills/{pk}/"' in html]
    assert pages == sorted_once
    client.logout()
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(cast.officer)
    got = [row["id"] for n in (1, 2, 3)
           for row in api.get(f"/api/v1/drills/?order=due&page_size=3&page={n}").json()["results"]]
    assert got == sorted_once
