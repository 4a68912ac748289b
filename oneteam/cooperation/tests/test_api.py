"""The cooperation API: starting each mechanism, the transfer letter, the
dispute board and information sharing, with the access matrix (anonymous,
wrong role, other township → 404, right role) and JSON errors."""

from __future__ import annotations

import pytest

from oneteam.cooperation import services
from oneteam.workflow import services as kernel

from .conftest import png

pytestmark = pytest.mark.django_db

ALL = ["facts_clear", "evidence_standard", "procedure_lawful", "formalities_complete"]


def _as(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def _upload(api_client, user, name="现场.png", extra=b""):
    r = _as(api_client, user).post("/api/v1/attachments/", {"file": png(name, extra)}, format="multipart")
    assert r.status_code == 201, r.content
    return r.json()["sha256"]


# ----- collaboration ------------------------------------------------------------------


def test_create_collaboration_anonymous_unauthenticated(api_client, coop):
    r = api_client.post("/api/v1/cooperation/collaboration-requests/", {}, format="json")
    assert r.status_code in (401, 403) and r.json()["code"] == "not_authenticated"


def test_create_collaboration_by_officer_starts_and_shows_deadline(api_client, coop, clock):
    r = _as(api_client, coop.cast.officer).post("/api/v1/cooperation/collaboration-requests/", {
        "department": coop.cast.department.code, "request_kind": "determination",
        "case_summary": "某超市销售疑似不合格电热水壶", "question": "请认定"}, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["number"] == "XZ-2026-000001" and body["state"] == "submitted"
    handling = next(d for d in body["deadlines"] if d["name"] == "handling")
    assert handling["explanation"]["due_date"] == "2026-10-13"
    # The kernel's generated endpoint takes the transitions.
    r = _as(api_client, coop.cast.dept_handler).post(f"/api/v1/collaboration-requests/{body['id']}/receive/", {},
                                                     format="json")
    assert r.status_code == 200 and r.json()["state"] == "received"


def test_create_collaboration_wrong_role_forbidden(api_client, coop, clock):
    r = _as(api_client, coop.cast.auxiliary).post("/api/v1/cooperation/collaboration-requests/", {
        "department": coop.cast.department.code, "request_kind": "opinion", "case_summary": "x",
        "question": "y"}, format="json")
    assert r.status_code == 403 and r.json()["code"] == "role_required"


def test_collaboration_other_township_not_found(api_client, coop, clock):
    p = services.do_submit_collaboration(coop.cast.officer, department=coop.cast.department,
                                         request_kind="opinion", case_summary="x", question="y")
    assert _as(api_client, coop.third_officer).get(f"/api/v1/collaboration-requests/{p.pk}/").status_code == 404


def test_collaboration_rates_lists_departments(api_client, coop, clock):
    services.do_submit_collaboration(coop.cast.officer, department=coop.cast.department,
                                     request_kind="opinion", case_summary="x", question="y")
    rows = _as(api_client, coop.cast.supervisor).get("/api/v1/cooperation/collaboration-requests/rates/").json()
    assert rows[0]["body"] == coop.cast.department.name and rows[0]["dispatched"] == 1


# ----- transfers ----------------------------------------------------------------------


def test_create_transfer_and_send_then_letter_downloads(api_client, coop, clock):
    sha = _upload(api_client, coop.cast.officer)
    r = _as(api_client, coop.cast.officer).post("/api/v1/cooperation/case-transfers/", {
        "receiver": coop.department2.code, "title": "擅自占用耕地建房", "facts": "王某占用耕地建房",
        "evidence": [sha], "confirm": ALL, "send": True}, format="json")
    assert r.status_code == 201, r.content
    pid = r.json()["id"]
    assert r.json()["state"] == "sent"
    letter = _as(api_client, coop.dept2_handler).get(f"/api/v1/cooperation/case-transfers/{pid}/letter/")
    assert letter.status_code == 200 and letter["Content-Type"] == services.DOCX
    assert _as(api_client, coop.cast.supervisor).get(f"/api/v1/cooperation/case-transfers/{pid}/letter/"
                                                     ).status_code == 200
    assert _as(api_client, coop.third_officer).get(f"/api/v1/cooperation/case-transfers/{pid}/letter/"
                                                   ).status_code == 404
    assert _as(api_client, coop.third_officer).get(f"/api/v1/case-transfers/{pid}/").status_code == 404


def test_create_transfer_cross_level_json_error(api_client, coop, clock):
    r = _as(api_client, coop.cast.officer).post("/api/v1/cooperation/case-transfers/", {
        "receiver": coop.prefecture_department.code, "title": "x", "facts": "y"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "not_same_level" and "同级" in r.json()["message"]


def test_send_incomplete_checklist_via_kernel_endpoint_refused(api_client, coop, clock):
    p = services.do_create_transfer(coop.cast.officer, receiver=coop.department2, title="x", facts="y",
                                    evidence=[png()], confirm=ALL[:3])
    r = _as(api_client, coop.cast.officer).post(f"/api/v1/case-transfers/{p.pk}/send/", {}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "checklist_incomplete"


# ----- disputes -----------------------------------------------------------------------


def test_create_dispute_without_interim_body_refused(api_client, coop, clock, start_lead):
    lead = start_lead()
    r = _as(api_client, coop.cast.dept_handler).post("/api/v1/cooperation/disputes/", {
        "counterparties": [coop.cast.team.code], "question": "谁管", "subject": lead.number}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "interim_body_required"


def test_dispute_board_lists_interim_holder_for_parties_only(api_client, coop, clock, start_lead):
    lead = start_lead()
    r = _as(api_client, coop.cast.dept_handler).post("/api/v1/cooperation/disputes/", {
        "counterparties": [coop.cast.team.code], "question": "谁管", "subject": lead.number,
        "interim_body": coop.cast.team.code}, format="json")
    assert r.status_code == 201, r.content
    rows = _as(api_client, coop.cast.supervisor).get("/api/v1/cooperation/disputes/").json()["results"]
    assert rows[0]["interim_body"] == coop.cast.team.name and rows[0]["subject_number"] == lead.number
    assert set(rows[0]["holders"]) == {coop.cast.team.name, coop.cast.department.name}
    assert _as(api_client, coop.third_officer).get("/api/v1/cooperation/disputes/").json()["results"] == []
    # The ruling stage only through the kernel endpoint, and only in order.
    r = _as(api_client, coop.leader).post(f"/api/v1/enforcement-disputes/{rows[0]['id']}/rule/", {
        "data": {"responsible_body": coop.cast.team.code, "resolution": "x"}}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "invalid_state"


# ----- information sharing -------------------------------------------------------------


def _publish(api_client, user, **kw):
    data = {"category": "standard", "title": "食品小作坊登记管理标准", "content": "标准全文……",
            "field": "市场监管", "townships": [coop_township_code(kw.pop("coop"))]}
    data.update(kw)
    return _as(api_client, user).post("/api/v1/cooperation/shared-items/", data, format="json")


def coop_township_code(coop):
    return coop.cast.township.code


def test_publish_share_by_department_delivers_to_chosen_township(api_client, coop, clock):
    r = _publish(api_client, coop.cast.dept_handler, coop=coop)
    assert r.status_code == 201, r.content
    item_id = r.json()["id"]
    listed = _as(api_client, coop.cast.officer).get("/api/v1/cooperation/shared-items/?unread=1").json()["results"]
    assert [i["id"] for i in listed] == [item_id] and listed[0]["is_read"] is False
    assert _as(api_client, coop.cast.officer).get(f"/api/v1/cooperation/shared-items/{item_id}/").status_code == 200
    assert _as(api_client, coop.cast.officer).get("/api/v1/cooperation/shared-items/?unread=1").json()["results"] == []
    assert _as(api_client, coop.cast.other_officer).get(f"/api/v1/cooperation/shared-items/{item_id}/"
                                                        ).status_code == 404
    receipts = _as(api_client, coop.cast.dept_handler).get(f"/api/v1/cooperation/shared-items/{item_id}/receipts/")
    assert receipts.json()[0]["first_read_by_name"] == str(coop.cast.officer)
    assert _as(api_client, coop.cast.officer).get(f"/api/v1/cooperation/shared-items/{item_id}/receipts/"
                                                  ).status_code == 403


def test_publish_share_by_township_forbidden(api_client, coop, clock):
    r = _publish(api_client, coop.cast.officer, coop=coop)
    assert r.status_code == 403 and r.json()["code"] == "not_publisher"


def test_search_shares_by_field_and_matter(api_client, coop, clock, matter):
    services.do_publish_share(coop.cast.dept_handler, category="law", title="无证无照经营查处办法",
                              content="……", field="市场监管", matter=matter, to_all=True)
    services.do_publish_share(coop.dept2_handler, category="update", title="耕地保护动态", content="……",
                              field="自然资源", to_all=True)
    c = _as(api_client, coop.cast.officer)
    assert [i["title"] for i in c.get("/api/v1/cooperation/shared-items/?field=自然资源").json()["results"]] == [
        "耕地保护动态"]
    assert [i["title"] for i in c.get(f"/api/v1/cooperation/shared-items/?matter={matter.code}").json()[
        "results"]] == ["无证无照经营查处办法"]
    assert c.get("/api/v1/cooperation/shared-items/?q=耕地").json()["count"] == 1


def test_transition_kernel_endpoint_wrong_party_forbidden(api_client, coop, clock):
    p = services.do_submit_collaboration(coop.cast.officer, department=coop.cast.department,
                                         request_kind="opinion", case_summary="x", question="y")
    r = _as(api_client, coop.cast.officer).post(f"/api/v1/collaboration-requests/{p.pk}/reply/",
                                                {"data": {"reply": "自问自答"}}, format="json")
    assert r.status_code == 403
    kernel.perform(p, "receive", actor=coop.cast.dept_handler)
