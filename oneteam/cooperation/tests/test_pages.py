"""Cooperation pages: access matrix (anonymous → login, wrong role, other
township → 404, right role), the new-forms calling the services, the
dispute board and information sharing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oneteam.cooperation import services
from oneteam.workflow.models import Process

from .conftest import png

pytestmark = pytest.mark.django_db

ALL = ["facts_clear", "evidence_standard", "procedure_lawful", "formalities_complete"]
PAGES = ["/cooperation/", "/cooperation/requests/new/", "/cooperation/transfers/new/", "/cooperation/disputes/",
         "/cooperation/disputes/new/", "/cooperation/shares/"]


@pytest.mark.parametrize("url", PAGES)
def test_page_anonymous_redirects_to_login(client, url):
    r = client.get(url)
    assert r.status_code == 302 and "/login/" in r["Location"]


@pytest.mark.parametrize("url", PAGES)
def test_page_staff_ok(client, coop, url):
    client.force_login(coop.cast.officer)
    assert client.get(url).status_code == 200


def test_collaboration_new_post_starts_request(client, coop, clock):
    client.force_login(coop.cast.officer)
    r = client.post("/cooperation/requests/new/", {
        "department": coop.cast.department.pk, "request_kind": "appraisal", "case_summary": "电热水壶",
        "question": "请作技术鉴定"})
    p = Process.objects.get(kind="collaboration")
    assert r.status_code == 302 and r["Location"] == p.get_absolute_url()
    html = client.get(r["Location"]).content.decode()
    assert "答复期限" in html and "2026" in html


def test_collaboration_new_wrong_role_shows_error(client, coop, clock):
    client.force_login(coop.cast.auxiliary)
    r = client.post("/cooperation/requests/new/", {
        "department": coop.cast.department.pk, "request_kind": "appraisal", "case_summary": "x", "question": "y"})
    assert r.status_code == 200 and not Process.objects.exists()
    assert "不能发起" in r.content.decode()


def test_transfer_new_post_sends_with_letter(client, coop, clock):
    client.force_login(coop.cast.officer)
    r = client.post("/cooperation/transfers/new/", {
        "receiver": coop.department2.pk, "title": "擅自占用耕地建房", "facts": "王某占用耕地建房",
        "evidence": [png()], "confirm": ALL, "send": "1"})
    p = Process.objects.get(kind="case_transfer")
    assert r.status_code == 302 and p.state == "sent"
    letter = client.get(f"/cooperation/transfers/{p.pk}/letter/")
    assert letter.status_code == 200 and letter["X-Content-SHA256"] == p.record.letter.blob_id


def test_transfer_new_offers_only_same_level_receivers(client, coop, clock):
    client.force_login(coop.cast.officer)
    html = client.get("/cooperation/transfers/new/").content.decode()
    assert coop.department2.name in html
    assert coop.prefecture_department.name not in html and coop.cast.other_team.name not in html


def test_transfer_new_by_dispatched_team_warns(client, coop, clock):
    client.force_login(coop.dispatched_officer)
    assert "派驻机构" in client.get("/cooperation/transfers/new/").content.decode()


def test_transfer_letter_other_township_not_found(client, coop, clock):
    p = services.do_create_transfer(coop.cast.officer, receiver=coop.department2, title="x", facts="y",
                                    evidence=[png()], confirm=ALL, send=True)
    client.force_login(coop.third_officer)
    assert client.get(f"/cooperation/transfers/{p.pk}/letter/").status_code == 404
    assert client.get(p.get_absolute_url()).status_code == 404


def test_letter_template_page_admin_only(client, coop):
    client.force_login(coop.cast.officer)
    assert client.get("/cooperation/letter-template/").status_code == 404
    client.force_login(coop.cast.admin)
    assert client.get("/cooperation/letter-template/").status_code == 200
    assert client.get("/cooperation/letter-template/current/").status_code == 200


def test_dispute_new_without_interim_body_shows_vacuum_error(client, coop, clock, start_lead):
    lead = start_lead()
    client.force_login(coop.cast.dept_handler)
    r = client.post("/cooperation/disputes/new/", {"subject_number": lead.number,
                                                   "counterparties": [coop.cast.team.pk], "question": "谁管"})
    assert r.status_code == 200 and "监管真空" in r.content.decode()
    assert not Process.objects.filter(kind="dispute").exists()


def test_dispute_board_shows_interim_holder_and_hides_from_other_township(client, coop, clock, start_lead):
    lead = start_lead()
    client.force_login(coop.cast.dept_handler)
    r = client.post("/cooperation/disputes/new/", {"subject_number": lead.number, "interim_body": coop.cast.team.pk,
                                                   "counterparties": [coop.cast.team.pk], "question": "谁管"})
    assert r.status_code == 302
    client.force_login(coop.cast.supervisor)
    html = client.get("/cooperation/disputes/").content.decode()
    assert lead.number in html and coop.cast.team.name in html
    client.force_login(coop.third_officer)
    assert lead.number not in client.get("/cooperation/disputes/").content.decode()


def test_dispute_board_query_count_does_not_grow(client, coop, clock, start_lead):
    client.force_login(coop.cast.supervisor)

    def one():
        services.do_raise_dispute(coop.cast.dept_handler, counterparties=[coop.cast.team], question="谁管",
                                  interim_body=coop.cast.team, subject=start_lead())

    one()
    client.get("/cooperation/disputes/")
    with CaptureQueriesContext(connection) as first:
        client.get("/cooperation/disputes/")
    for _ in range(4):
        one()
    with CaptureQueriesContext(connection) as five:
        client.get("/cooperation/disputes/")
    assert len(five) == len(first)


def test_share_publish_page_department_only(client, coop, clock):
    client.force_login(coop.cast.officer)
    assert client.get("/cooperation/shares/new/").status_code == 404
    client.force_login(coop.cast.dept_handler)
    r = client.post("/cooperation/shares/new/", {"category": "law", "title": "食品安全法释义", "content": "……",
                                                 "townships": [coop.cast.township.pk]})
    assert r.status_code == 302


def test_share_detail_marks_read_and_other_township_not_found(client, coop, clock):
    item = services.do_publish_share(coop.cast.dept_handler, category="law", title="食品安全法释义", content="……",
                                     townships=[coop.cast.township], attachments=[png("释义.png")])
    client.force_login(coop.cast.officer)
    assert "未读" in client.get("/cooperation/shares/").content.decode()
    r = client.get(f"/cooperation/shares/{item.pk}/")
    assert r.status_code == 200 and "释义.png" in r.content.decode()
    att = item.attachments.get()
    assert client.get(f"/cooperation/shares/{item.pk}/files/{att.pk}/").status_code == 200
    client.force_login(coop.cast.other_officer)
    assert client.get(f"/cooperation/shares/{item.pk}/").status_code == 404
    assert client.get(f"/cooperation/shares/{item.pk}/files/{att.pk}/").status_code == 404
    client.force_login(coop.cast.dept_handler)
    html = client.get(f"/cooperation/shares/{item.pk}/").content.decode()
    assert "送达回执" in html and str(coop.cast.officer) in html


def test_share_notifies_township_staff(coop, clock, django_capture_on_commit_callbacks):
    from oneteam.workflow.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        services.do_publish_share(coop.cast.dept_handler, category="update", title="执法动态", content="……",
                                  townships=[coop.cast.township])
    assert Notification.objects.filter(user=coop.cast.officer, verb="cooperation.share").exists()
    assert not Notification.objects.filter(user=coop.cast.other_officer).exists()


def test_kernel_detail_pages_render_every_flow_after_actions(client, coop, clock, start_lead):
    collab = services.do_submit_collaboration(coop.cast.officer, department=coop.cast.department,
                                              request_kind="opinion", case_summary="x", question="y")
    transfer = services.do_create_transfer(coop.cast.officer, receiver=coop.department2, title="x", facts="y",
                                           evidence=[png()], confirm=ALL, send=True)
    dispute = services.do_raise_dispute(coop.cast.dept_handler, counterparties=[coop.cast.team], question="谁管",
                                        interim_body=coop.cast.team, subject=start_lead())
    client.force_login(coop.cast.supervisor)
    for p in (collab, transfer, dispute):
        r = client.get(p.get_absolute_url())
        assert r.status_code == 200, p.number
    assert "移送函" in client.get(transfer.get_absolute_url()).content.decode()


def test_publish_and_first_read_write_ledger_entries(coop, clock):
    from oneteam.ledger.models import LedgerEntry

    item = services.do_publish_share(coop.cast.dept_handler, category="law", title="释义", content="……",
                                     townships=[coop.cast.township, coop.cast.other_township])
    services.do_read_share(item, actor=coop.cast.officer)
    services.do_read_share(item, actor=coop.cast.officer2)  # same township: receipt already signed
    publish = LedgerEntry.objects.get(action="cooperation.share_publish")
    assert publish.payload["townships"] == [coop.cast.township.code, coop.cast.other_township.code]
    reads = LedgerEntry.objects.filter(action="cooperation.share_read")
    assert [e.payload["township"] for e in reads] == [coop.cast.township.code]


def test_share_list_query_count_does_not_grow(client, coop, clock):
    client.force_login(coop.cast.officer)

    def publish():
        services.do_publish_share(coop.cast.dept_handler, category="update", title="动态", content="……",
                                  field="市场监管", to_all=True)

    publish()
    client.get("/cooperation/shares/")
    with CaptureQueriesContext(connection) as first:
        client.get("/cooperation/shares/")
    for _ in range(4):
        publish()
    with CaptureQueriesContext(connection) as five:
        r = client.get("/cooperation/shares/")
    assert r.content.decode().count("动态") >= 5
    assert len(five) == len(first)
