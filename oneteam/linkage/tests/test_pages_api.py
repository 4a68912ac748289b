"""Pages and API: access matrix (anonymous, wrong role, other township → 404,
right role), the public inspection-code lookup, and the procuratorate's
read-only view."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from oneteam.linkage import services
from oneteam.linkage.choices import MaterialKind
from oneteam.linkage.services import ItemInput
from oneteam.workflow import services as kernel

from .conftest import png

pytestmark = pytest.mark.django_db
CODE = "91350100M000100Y43"


def _client(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def _referral(lc):
    return services.do_create_referral(actor=lc.base.officer, case_number="甲镇执罚〔2026〕3号", suspect="某公司",
                                       suspected_offence="非法经营罪", facts="事实")


def _combined(cast):
    t = services.do_register_target(actor=cast.dept_handler, name="某餐饮有限公司", credit_code=CODE)
    a = services.do_register_plan(actor=cast.dept_handler, target=t, title="食品检查",
                                  planned_from=dt.date(2026, 3, 1),
                                  items=[ItemInput(name="食品经营", legal_basis="《食品安全法》第八十七条")],
                                  note="内部线索：疑似过期原料")
    b = services.do_register_plan(actor=cast.officer, target=t, title="门前三包", planned_from=dt.date(2026, 3, 5),
                                  items=[ItemInput(name="占道经营", legal_basis="《城市市容和环境卫生管理条例》")])
    return services.do_combine([a, b], actor=cast.dept_handler, note="内部备注：重点核查")


STAFF_PAGES = ["/linkage/joint/", "/linkage/joint/new/", "/linkage/inspections/", "/linkage/inspections/new/",
               "/linkage/inspections/proposals/", "/linkage/inspections/planner/", "/linkage/referrals/",
               "/linkage/referrals/new/", "/linkage/court/", "/linkage/police-support/",
               "/linkage/police-support/new/"]


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_staff_page_anonymous_redirected_to_login(url, cast):
    r = _client().get(url)
    assert r.status_code == 302 and "/login/" in r["Location"]


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_staff_page_officer_ok(url, cast):
    assert _client(cast.officer).get(url).status_code == 200


def test_staff_page_account_without_body_forbidden(cast):
    from oneteam.core.testing import make_user

    assert _client(make_user(None)).get("/linkage/referrals/").status_code == 403


def test_oversight_page_wrong_role_forbidden_procuratorate_ok(lc):
    _referral(lc)
    assert _client(lc.base.officer).get("/linkage/referrals/oversight/").status_code == 403
    assert _client(lc.policeman).get("/linkage/referrals/oversight/").status_code == 403
    r = _client(lc.prosecutor).get("/linkage/referrals/oversight/")
    assert r.status_code == 200 and "甲镇执罚〔2026〕3号" in r.content.decode()


def test_referral_detail_other_township_not_found(lc):
    p = _referral(lc)
    assert _client(lc.base.other_officer).get(f"/linkage/referrals/{p.pk}/").status_code == 404
    assert _client(lc.base.other_officer).get(f"/flows/criminal-referrals/{p.pk}/").status_code == 404
    assert _client(lc.base.officer).get(f"/linkage/referrals/{p.pk}/").status_code == 200
    assert _client(lc.prosecutor).get(f"/linkage/referrals/{p.pk}/").status_code == 200


def test_referral_police_sees_only_after_transfer(lc):
    p = _referral(lc)
    assert _client(lc.policeman).get(f"/linkage/referrals/{p.pk}/").status_code == 404


def test_referral_new_page_creates_and_material_upload(lc):
    c = _client(lc.base.officer)
    r = c.post("/linkage/referrals/new/", {"case_number": "C-1", "suspect": "张某", "suspected_offence": "非法采矿罪",
                                           "facts": "越界开采"})
    assert r.status_code == 302
    pk = int(r["Location"].rstrip("/").split("/")[-1])
    r = c.post(f"/linkage/referrals/{pk}/material/", {"kind": MaterialKind.ITEM_LIST, "file": png()})
    assert r.status_code == 302
    page = c.get(f"/linkage/referrals/{pk}/").content.decode()
    assert "涉案物品清单" in page and "尚缺" in page


def test_joint_new_page_post_creates_operation(cast):
    c = _client(cast.dept_handler)
    r = c.post("/linkage/joint/new/", {
        "title": "联合检查", "targets": "农贸市场", "place": "甲镇", "starts_on": "2026-03-10", "ends_on": "2026-03-11",
        "plan": "方案", "launch": "on", "body_1": cast.department.pk, "duties_1": "食品", "forces_1": 2,
        "body_2": cast.team.pk, "duties_2": "市容", "forces_2": 3})
    assert r.status_code == 302, r.content.decode()[:2000]
    assert "任务" not in r["Location"]
    page = _client(cast.officer).get(r["Location"]).content.decode()
    assert "职责分工" in page and "市容" in page


def test_plan_new_page_bad_credit_code_shows_error(cast):
    r = _client(cast.dept_handler).post("/linkage/inspections/new/", {
        "kind": "entity", "credit_code": "91350100M000100Y44", "name": "x", "title": "t",
        "planned_from": "2026-03-01", "items": "食品|《食品安全法》"})
    assert r.status_code == 200 and "校验位" in r.content.decode()


def test_proposals_page_lists_and_combines(cast):
    t = services.do_register_target(actor=cast.dept_handler, name="某超市", credit_code=CODE)
    services.do_register_plan(actor=cast.dept_handler, target=t, title="a", planned_from=dt.date(2026, 3, 1),
                              items=[ItemInput(name="x", legal_basis="y")])
    plan = services.do_register_plan(actor=cast.officer, target=t, title="b", planned_from=dt.date(2026, 3, 9),
                                     items=[ItemInput(name="z", legal_basis="w")])
    c = _client(cast.dept_handler)
    page = c.get("/linkage/inspections/proposals/?period_from=2026-01-01&period_until=2026-12-31&window=30")
    assert "某超市" in page.content.decode()
    r = c.post("/linkage/inspections/combine/", {"plans": f"{plan.pk - 1},{plan.pk}", "window": "30"})
    assert r.status_code == 302 and "/flows/combined-inspections/" in r["Location"]


def test_planner_page_shows_before_and_after(cast):
    t = services.do_register_target(actor=cast.dept_handler, name="某超市", credit_code=CODE)
    for day in (1, 9, 20):
        services.do_register_plan(actor=cast.dept_handler, target=t, title="a", planned_from=dt.date(2026, 3, day),
                                  items=[ItemInput(name="x", legal_basis="y")])
    r = _client(cast.officer).get("/linkage/inspections/planner/?period_from=2026-01-01&period_until=2026-12-31")
    assert r.status_code == 200 and r.context["summary"]["visits_before"] == 3
    assert r.context["summary"]["visits_after"] == 1


def test_public_inspection_code_page_anonymous_no_internal_notes(cast):
    p = _combined(cast)
    r = _client().get("/linkage/inspection-code/", {"code": p.record.code})
    html = r.content.decode()
    assert r.status_code == 200 and "某餐饮有限公司" in html and "食品安全法" in html and cast.department.name in html
    assert "内部" not in html and "疑似" not in html and p.number not in html


def test_public_inspection_code_api_anonymous(api_client, cast):
    p = _combined(cast)
    r = api_client.get(f"/api/v1/linkage/inspection-codes/{p.record.code}/")
    assert r.status_code == 200 and set(r.json()) == {"code", "target", "lead_body", "bodies", "items", "window_from",
                                                      "window_until", "state"}
    assert "内部" not in str(r.json())
    assert api_client.get("/api/v1/linkage/inspection-codes/JC0000000000/").status_code == 404


def test_api_referral_start_anonymous_refused_officer_created(api_client, lc):
    body = {"case_number": "C-9", "suspect": "x", "suspected_offence": "y", "facts": "z"}
    assert api_client.post("/api/v1/linkage/criminal-referrals/", body, format="json").status_code in (401, 403)
    api_client.force_authenticate(lc.base.officer)
    r = api_client.post("/api/v1/linkage/criminal-referrals/", body, format="json")
    assert r.status_code == 201 and r.json()["state"] == "drafting"


def test_api_referral_start_wrong_role_not_permitted(api_client, lc):
    api_client.force_authenticate(lc.base.dispatcher)
    r = api_client.post("/api/v1/linkage/criminal-referrals/", {"case_number": "C", "suspect": "x",
                                                                "suspected_offence": "y", "facts": "z"}, format="json")
    assert r.status_code == 403 and r.json()["code"] == "role_required"


def test_api_referral_materials_other_township_not_found(api_client, lc):
    p = _referral(lc)
    api_client.force_authenticate(lc.base.other_officer)
    assert api_client.get(f"/api/v1/linkage/criminal-referrals/{p.pk}/materials/").status_code == 404
    api_client.force_authenticate(lc.base.officer)
    r = api_client.post(f"/api/v1/linkage/criminal-referrals/{p.pk}/materials/",
                        {"kind": "transfer_letter", "file": png()}, format="multipart")
    assert r.status_code == 201 and r.json()["missing"] == MaterialKind.values[1:]


def test_api_transfer_without_materials_refused(api_client, lc):
    p = _referral(lc)
    kernel.perform(p, "submit_report", actor=lc.base.officer, data={"report_summary": "x"},
                   officers=[lc.base.officer, lc.base.officer2])
    kernel.perform(p, "approve", actor=lc.head)
    api_client.force_authenticate(lc.base.officer)
    r = api_client.post(f"/api/v1/criminal-referrals/{p.pk}/transfer/", {}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "materials_missing"


def test_api_procuratorate_reads_all_and_changes_nothing(api_client, lc):
    p = _referral(lc)
    kernel.perform(p, "submit_report", actor=lc.base.officer, data={"report_summary": "x"},
                   officers=[lc.base.officer, lc.base.officer2])
    api_client.force_authenticate(lc.prosecutor)
    r = api_client.get(f"/api/v1/criminal-referrals/{p.pk}/")
    assert r.status_code == 200 and r.json()["available_actions"] == []
    for action in ("approve", "reject", "add-material", "submit-report"):
        resp = api_client.post(f"/api/v1/criminal-referrals/{p.pk}/{action}/", {"reason": "x"}, format="json")
        assert resp.status_code in (400, 403)
    p.refresh_from_db()
    assert p.state == "reported"
    r = api_client.post(f"/api/v1/linkage/criminal-referrals/{p.pk}/materials/", {"kind": "other", "file": png()},
                        format="multipart")
    assert r.status_code in (400, 403)
    assert api_client.get("/api/v1/linkage/referral-oversight/").json()["total"] == 1


def test_api_oversight_wrong_role_forbidden(api_client, lc):
    api_client.force_authenticate(lc.base.officer)
    assert api_client.get("/api/v1/linkage/referral-oversight/").status_code == 403


def test_api_penalty_check(api_client, lc):
    _referral(lc)
    api_client.force_authenticate(lc.base.officer)
    r = api_client.get("/api/v1/linkage/penalty-check/", {"case_number": "甲镇执罚〔2026〕3号"})
    assert r.json()["allowed"] is False and r.json()["code"] == "referral_pending"
    assert api_client.get("/api/v1/linkage/penalty-check/", {"case_number": "X"}).json()["allowed"] is True


def test_api_plans_register_warn_and_combine(api_client, cast):
    api_client.force_authenticate(cast.dept_handler)
    body = {"target": {"credit_code": CODE, "name": "某超市"}, "title": "双随机", "planned_from": "2026-04-01",
            "planned_until": "2026-06-30", "items": [{"name": "食品经营", "legal_basis": "《食品安全法》"}]}
    r = api_client.post("/api/v1/linkage/inspection-plans/", body, format="json")
    assert r.status_code == 201, r.json()
    first = r.json()["plan"]["id"]
    api_client.force_authenticate(cast.officer)
    body["planned_from"], body["planned_until"] = "2026-05-10", "2026-05-10"
    r = api_client.post("/api/v1/linkage/inspection-plans/", body, format="json")
    assert r.status_code == 201 and len(r.json()["warnings"]) == 1
    second = r.json()["plan"]["id"]
    r = api_client.get("/api/v1/linkage/inspection-plans/proposals/",
                       {"period_from": "2026-01-01", "period_until": "2026-12-31"})
    assert r.json()["summary"]["visits_before"] == 2 and r.json()["summary"]["visits_after"] == 1
    r = api_client.post("/api/v1/linkage/inspection-plans/combine/", {"plans": [first, second]}, format="json")
    assert r.status_code == 201 and len(r.json()["code"]) == 10
    bad = {**body, "target": {"credit_code": "91350100M000100Y44", "name": "x"}}
    r = api_client.post("/api/v1/linkage/inspection-plans/", bad, format="json")
    assert r.status_code == 400 and r.json()["code"] == "credit_code_invalid"


def test_api_plans_anonymous_refused(api_client, cast):
    assert api_client.get("/api/v1/linkage/inspection-plans/").status_code in (401, 403)


def test_api_joint_start_and_kernel_actions(api_client, cast):
    api_client.force_authenticate(cast.dept_handler)
    r = api_client.post("/api/v1/linkage/joint-operations/", {
        "title": "联合", "targets": "t", "place": "p", "starts_on": "2026-03-10", "ends_on": "2026-03-12",
        "plan": "方案", "launch": True, "participants": [{"body": cast.department.pk, "duties": "a"},
                                                         {"body": cast.team.pk, "duties": "b"}]}, format="json")
    assert r.status_code == 201 and r.json()["state"] == "launched"
    pk = r.json()["id"]
    api_client.force_authenticate(cast.officer)
    assert api_client.post(f"/api/v1/joint-operations/{pk}/accept-part/", {}, format="json").status_code == 200
    api_client.force_authenticate(cast.other_officer)
    assert api_client.get(f"/api/v1/joint-operations/{pk}/").status_code == 404


def test_court_application_flow_and_court_page(lc, clock):
    clock.set(2026, 4, 1, 10, 0)
    user = lc.base.officer
    p = services.do_apply_execution(actor=user, case_number="C", decision_no="甲执罚决字〔2026〕5号", respondent="李某",
                                    obligation="缴纳罚款", amount=5000, demand_served_on=dt.date(2026, 3, 1))
    assert p.parties.filter(body=lc.court, role="assignee").exists()
    assert _client(lc.judge).get("/linkage/court/").context["rows"][0]["process"] == p
    assert _client(lc.base.other_officer).get("/linkage/court/").context["rows"] == []
    kernel.perform(p, "accept", actor=lc.judge)
    kernel.perform(p, "rule_enforce", actor=lc.judge, data={"ruling_no": "(2026)浙0381行审1号"})
    kernel.perform(p, "record_execution", actor=lc.judge, data={"execution_result": "已执行到位"})
    assert p.state == "executed"


def test_court_application_demand_period_running_refused(lc, clock):
    from oneteam.core.errors import InvalidInput

    clock.set(2026, 4, 1, 10, 0)
    with pytest.raises(InvalidInput) as exc:
        services.do_apply_execution(actor=lc.base.officer, case_number="C", decision_no="d", respondent="r",
                                    obligation="o", demand_served_on=dt.date(2026, 3, 25))
    assert exc.value.code == "demand_period_running"


def test_court_new_page_department_forbidden(lc):
    assert _client(lc.base.dept_handler).get("/linkage/court/new/").status_code == 403
    assert _client(lc.base.officer).get("/linkage/court/new/").status_code == 200


def test_police_support_response_time_measured(lc, clock):
    from oneteam.workflow import metrics

    p = services.do_request_police_support(actor=lc.base.officer, operation="拆除违建", place="甲镇",
                                           scheduled_at=clock.now + dt.timedelta(hours=24), officers_needed=4)
    clock.advance(minutes=40)
    kernel.perform(p, "accept", actor=lc.policeman)
    clock.advance(hours=23)
    kernel.perform(p, "arrive", actor=lc.policeman)
    kernel.perform(p, "complete", actor=lc.base.officer, data={"outcome": "顺利完成"})
    row = metrics.body_counts(kinds=["police_support"])[0]
    assert row["body_id"] == lc.police.pk and row["responded_on_time"] == 1 and row["handled_on_time"] == 1
    r = _client(lc.base.officer).get("/linkage/police-support/")
    assert r.context["rows"][0]["response_min"] == 40 and r.context["summary"]["avg_minutes"] == 40
