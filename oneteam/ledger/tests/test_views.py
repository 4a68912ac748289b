import pytest
from django.db import connection, transaction
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from oneteam.core.navigation import nav_for
from oneteam.ledger import services
from oneteam.ledger.services import make_checkpoint

from .helpers import add_entries, tamper_entry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_urls")]


def test_index_anonymous_redirects_to_login(client):
    response = client.get(reverse("ledger:index"))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("who", ["officer", "dispatcher", "centre_dispatcher", "dept_handler"])
def test_index_other_roles_forbidden(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("ledger:index")).status_code == 403


@pytest.mark.parametrize("who", ["admin", "supervisor"])
def test_index_admin_and_supervisor_see_entries_and_checkpoints(client, cast, who):
    add_entries(3)
    make_checkpoint()
    client.force_login(getattr(cast, who))
    response = client.get(reverse("ledger:index"))
    assert response.status_code == 200
    assert [e.seq for e in response.context["entries"]] == [3, 2, 1]
    assert len(response.context["checkpoints"]) == 1
    assert "立即核验" in response.content.decode()


def test_index_filter_by_object_shows_only_that_object(client, cast):
    add_entries(2, object_id="5")
    add_entries(2, object_id="6")
    client.force_login(cast.supervisor)
    response = client.get(reverse("ledger:index"), {"object": "org.township:6"})
    assert [e.object_id for e in response.context["entries"]] == ["6", "6"]


def test_index_htmx_entries_target_returns_fragment(client, cast):
    add_entries(1)
    client.force_login(cast.admin)
    response = client.get(reverse("ledger:index"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="ledger-entries")
    assert response.templates[0].name == "ledger/partials/entries.html"
    assert "<html" not in response.content.decode()


def test_index_more_than_a_page_links_older_entries_by_seq(client, cast, monkeypatch):
    monkeypatch.setattr("oneteam.ledger.views.PAGE_SIZE", 3)
    add_entries(7)
    client.force_login(cast.admin)
    response = client.get(reverse("ledger:index"))
    assert response.context["more_query"] == "before=5"
    response = client.get(reverse("ledger:index"), {"before": 5})
    assert [e.seq for e in response.context["entries"]] == [4, 3, 2]


def test_index_query_count_does_not_grow_with_entries(client, cast):
    """Two ledger queries (entries, checkpoints) however long the record; the
    rest (session, user, roles, other apps' banners) is the base layout's."""
    client.force_login(cast.admin)
    add_entries(2)
    make_checkpoint()
    client.get(reverse("ledger:index"))
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("ledger:index"))
    add_entries(40, object_id="7")
    make_checkpoint()
    with CaptureQueriesContext(connection) as after:
        client.get(reverse("ledger:index"))
    assert len(after) == len(before)
    assert len([q for q in after.captured_queries if "ledger_" in q["sql"]]) == 2


def test_verify_post_supervisor_htmx_shows_intact(client, cast):
    add_entries(3)
    client.force_login(cast.supervisor)
    response = client.post(reverse("ledger:verify"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "全过程记录完整：已核验 3 条记录" in response.content.decode()


def test_verify_post_tampered_names_entry(client, cast):
    add_entries(3)
    tamper_entry(2, action="x")
    client.force_login(cast.admin)
    response = client.post(reverse("ledger:verify"), HTTP_HX_REQUEST="true")
    assert "第 2 条的内容与其哈希不符" in response.content.decode()


def test_verify_post_without_htmx_redirects_with_message(client, cast):
    client.force_login(cast.admin)
    response = client.post(reverse("ledger:verify"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("ledger:index")
    assert "全过程记录完整" in response.content.decode()


@pytest.mark.parametrize("who", ["officer", "dispatcher"])
def test_verify_post_other_roles_forbidden(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.post(reverse("ledger:verify")).status_code == 403


def test_verify_get_not_allowed(client, cast):
    client.force_login(cast.admin)
    assert client.get(reverse("ledger:verify")).status_code == 405


def test_checkpoint_export_downloads_signed_document(client, cast):
    add_entries(2)
    checkpoint, _ = make_checkpoint()
    client.force_login(cast.officer)
    response = client.get(reverse("ledger:checkpoint-export", args=[checkpoint.pk]))
    assert response.status_code == 200
    assert response.json()["root"] == checkpoint.root
    assert "attachment" in response["Content-Disposition"]


def test_public_key_download_is_pem(client, cast):
    make_checkpoint()
    client.force_login(cast.officer)
    response = client.get(reverse("ledger:public-key"))
    assert response.content.startswith(b"-----BEGIN PUBLIC KEY-----")


@pytest.mark.parametrize(
    "who,visible", [("admin", True), ("supervisor", True), ("officer", False), ("dispatcher", False)]
)
def test_nav_item_visible_to_admin_and_supervisor_only(cast, who, visible):
    request = RequestFactory().get("/")
    request.user = getattr(cast, who)
    assert any(item["url"] == reverse("ledger:index") for item in nav_for(request)) is visible


def test_history_tag_renders_object_timeline_oldest_first(cast):
    with transaction.atomic():
        services.append("master.update", actor=cast.admin, obj=cast.township, payload={"name": "甲镇"})
        services.append("org.mode_decision", actor=cast.admin, obj=cast.township)
        services.append("master.update", obj=cast.other_township)
    html = Template("{% load ledger %}{% ledger_history township %}").render(Context({"township": cast.township}))
    assert html.index("修改主数据") < html.index("org.mode_decision")
    assert html.count("<li>") == 2
    assert "&quot;name&quot;: &quot;甲镇&quot;" in html


def test_history_partial_without_entries_says_none():
    html = Template('{% include "ledger/partials/history.html" %}').render(Context({"entries": []}))
    assert "暂无记录" in html
