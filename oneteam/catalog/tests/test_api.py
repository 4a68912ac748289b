import pytest

from oneteam.catalog import services
from oneteam.catalog.tests.conftest import D

pytestmark = pytest.mark.django_db


def test_api_anonymous_not_authenticated(world, api_client):
    for url in ["/api/v1/matters/", "/api/v1/catalogs/", "/api/v1/who-handles/?matter=330702001000&township=甲镇",
                "/api/v1/power-list/甲镇/"]:
        response = api_client.get(url)
        assert response.status_code in (401, 403), url
        assert response.json()["code"] in ("not_authenticated", "not_permitted")


def test_api_who_handles_returns_body_and_reasons(world, api_client):
    api_client.force_authenticate(world.cast.other_dispatcher)
    response = api_client.get("/api/v1/who-handles/", {"matter": world.matter_a.code, "township": "乙镇",
                                                        "date": "2023-06-01"})
    assert response.status_code == 200
    data = response.json()
    assert data["body"] == world.dispatched_team.name
    assert data["body_kind"] == "dispatched_team"
    assert data["township"] == "乙镇"
    assert data["supervising"][0]["name"] == world.department.name
    assert len(data["reasons"]) >= 3


@pytest.mark.parametrize(("params", "code"), [
    ({"matter": "000000000000", "township": "乙镇"}, "unknown_matter"),
    ({"matter": "330702001000", "township": "火星镇"}, "unknown_township"),
    ({"matter": "330702001000", "point": "100,10"}, "outside_grids"),
    ({"matter": "330702001000", "township": "乙镇", "date": "2020-01-01"}, "no_catalog_in_force"),
    ({"matter": "330702001000", "township": "乙镇", "date": "2020-13-01"}, "bad_date"),
])
def test_api_who_handles_bad_input_json_error(world, api_client, params, code):
    api_client.force_authenticate(world.cast.dispatcher)
    response = api_client.get("/api/v1/who-handles/", params)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["message"]


def test_api_matters_search_and_detail(world, api_client):
    api_client.force_authenticate(world.cast.dept_handler)
    data = api_client.get("/api/v1/matters/", {"q": "无照", "date": "2023-01-01"}).json()
    assert [m["code"] for m in data["results"]] == [world.matter_a.code]
    assert api_client.get(f"/api/v1/matters/{world.matter_a.code}/", {"date": "2023-01-01"}).status_code == 200
    assert api_client.get(f"/api/v1/matters/{world.matter_a.code}/", {"date": "2021-01-01"}).status_code == 404


def test_api_power_list_on_date(world, api_client):
    services.do_grant_empowerment(world.empowered, [world.matter_a], actor=None, decision_no="1",
                                  effective_from=D(2023, 1, 1))
    api_client.force_authenticate(world.cast.other_dispatcher)
    data = api_client.get("/api/v1/power-list/330381901000/", {"date": "2023-06-01"}).json()
    assert data["count"] == 1 and data["results"][0]["decision_no"] == "1"
    assert api_client.get("/api/v1/power-list/330381901000/", {"date": "2022-06-01"}).json()["count"] == 0
    assert api_client.get("/api/v1/power-list/不存在/").status_code == 404


def test_api_empowerment_decisions_listed(world, api_client):
    services.do_grant_empowerment(world.empowered, [world.matter_a], actor=None, decision_no="1",
                                  effective_from=D(2023, 1, 1))
    api_client.force_authenticate(world.cast.officer)
    data = api_client.get("/api/v1/empowerment-decisions/").json()
    assert data["results"][0]["matters"] == [world.matter_a.code]


def test_api_propose_empowerment_starts_process(world, api_client):
    api_client.force_authenticate(world.proposer)
    response = api_client.post("/api/v1/empowerment-proposals/", {
        "township": world.empowered.code, "matters": [world.matter_a.code], "note": "试点"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["state"] == "proposed"
    bad = api_client.post("/api/v1/empowerment-proposals/", {
        "township": world.empowered.code, "matters": [world.matter_unified.code]}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "matter_not_selectable"


# --- pages -------------------------------------------------------------------------------------


def test_pages_anonymous_redirected_to_login(world, client):
    response = client.get("/catalog/who-handles/")
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("url", [
    "/catalog/catalogs/", "/catalog/matters/", "/catalog/matters/?q=无照&field=市场监管",
    "/catalog/matters/330702001000/", "/catalog/power-list/", "/catalog/power-list/330381901000/?date=2023-06-01",
    "/catalog/who-handles/", "/catalog/empowerments/", "/catalog/empowerments/propose/",
])
def test_pages_staff_ok(world, client, url):
    services.do_grant_empowerment(world.empowered, [world.matter_a], actor=None, decision_no="1",
                                  effective_from=D(2023, 1, 1))
    client.force_login(world.proposer)
    assert client.get(url).status_code == 200


def test_page_who_handles_htmx_fragment_has_reasons(world, client):
    client.force_login(world.cast.dispatcher)
    response = client.get("/catalog/who-handles/", {"matter": f"{world.matter_a.code} 对无照经营的行政处罚",
                                                    "township": "330381902000", "date": "2023-06-01"},
                          HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert world.dispatched_team.name in html and "理由" in html


def test_page_who_handles_error_shown_in_chinese(world, client):
    client.force_login(world.cast.dispatcher)
    html = client.get("/catalog/who-handles/", {"matter": "123", "township": "乙镇"}).content.decode()
    assert "未知的执法事项编码" in html


def test_page_power_list_export_xlsx(world, client):
    services.do_grant_empowerment(world.empowered, [world.matter_a], actor=None, decision_no="1",
                                  effective_from=D(2023, 1, 1))
    client.force_login(world.cast.dispatcher)
    response = client.get("/catalog/power-list/330381901000/export.xlsx", {"date": "2023-06-01"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    from openpyxl import load_workbook

    ws = load_workbook(BytesIO(response.content)).active
    assert ws.cell(2, 2).value == world.matter_a.code
