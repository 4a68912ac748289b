"""Open311 GeoReport v2 conformance: every method in JSON and XML, every
error in the spec's shape, idempotent retries, masking, status mapping
through the closed loop, and who may read what."""

import datetime as dt
import json
import xml.etree.ElementTree as ET

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from oneteam.command import services
from oneteam.command.models import Event, EventCategory, ExternalSystem
from oneteam.command.open311.masking import mask_text
from oneteam.command.services import Intake
from oneteam.command.services_keys import issue_key
from oneteam.command.tests import test_loop as loop
from oneteam.workflow.models import Process
from oneteam.workflow.services import perform

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
FORMATS = ["json", "xml"]
CONDITIONS = ["存在摆摊设点经营行为"]


@pytest.fixture
def hotline(world):
    system, key = issue_key("12345热线", body=world.command_centre)
    world.system, world.key = system, key
    return world


@pytest.fixture
def client():
    # POST must work without a CSRF token: it is key-authenticated.
    return Client(enforce_csrf_checks=True)


def parse(response, fmt):
    """The body as plain data: JSON as is; XML as (root tag, element)."""
    expected = "application/json" if fmt == "json" else "text/xml"
    assert response["Content-Type"].startswith(expected)
    if fmt == "json":
        return json.loads(response.content)
    return ET.fromstring(response.content)


def xml_items(root, item):
    return [{child.tag: (child.text or "") for child in element} for element in root.findall(item)]


def post(client, fmt, key, headers=None, **fields):
    data = {"service_code": "ZDJY", "description": "东村菜场门口占道摆摊，联系人13812345678", "lat": "27.71",
            "long": "120.61", "first_name": "三", "last_name": "张", "phone": "13900001111", **fields}
    if key is not None:
        data["api_key"] = key
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(f"{BASE}/requests.{fmt}", data, headers=headers or {})


def request_id(response, fmt) -> str:
    body = parse(response, fmt)
    if fmt == "json":
        return body[0]["service_request_id"]
    return body.find("request/service_request_id").text


def assert_error(response, fmt, status):
    assert response.status_code == status
    body = parse(response, fmt)
    if fmt == "json":
        assert isinstance(body, list) and body[0]["code"] == status and body[0]["description"]
    else:
        assert body.tag == "errors"
        assert body.find("error/code").text == str(status) and body.find("error/description").text


# ---------------------------------------------------------------- discovery and services


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_lists_endpoint_and_formats(client, world, fmt):
    response = client.get(f"{BASE}/discovery.{fmt}")
    assert response.status_code == 200
    body = parse(response, fmt)
    if fmt == "json":
        endpoint = body["endpoints"][0]
        assert endpoint["url"].endswith("/open311/v2/") and "text/xml" in endpoint["formats"]
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    else:
        assert body.tag == "discovery"
        assert [f.text for f in body.findall("endpoints/endpoint/formats/format")] == ["application/json",
                                                                                       "text/xml"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_list_active_categories(client, world, fmt):
    EventCategory.objects.create(code="OLD", name="停用类别", active=False)
    EventCategory.objects.create(code="LJDF", name="乱堆乱倒垃圾", field="城市管理", open311_code="ljdf",
                                 keywords="垃圾，渣土")
    response = client.get(f"{BASE}/services.{fmt}")
    assert response.status_code == 200
    body = parse(response, fmt)
    items = body if fmt == "json" else xml_items(body, "service")
    by_code = {s["service_code"]: s for s in items}
    assert set(by_code) == {"ZDJY", "ljdf"}
    ljdf = by_code["ljdf"]
    assert ljdf["service_name"] == "乱堆乱倒垃圾" and ljdf["group"] == "城市管理" and ljdf["type"] == "realtime"
    assert ljdf["keywords"] == "垃圾,渣土"
    assert ljdf["metadata"] in (True, "true")


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition_has_attributes_and_filing_conditions(client, world, fmt):
    response = client.get(f"{BASE}/services/ZDJY.{fmt}")
    assert response.status_code == 200
    body = parse(response, fmt)
    if fmt == "json":
        assert body["service_code"] == "ZDJY"
        attrs = {a["code"]: a for a in body["attributes"]}
        assert [v["name"] for v in attrs["urgency"]["values"]] == ["一般", "紧急"]
        assert attrs["urgency"]["datatype"] == "singlevaluelist" and attrs["urgency"]["variable"] is True
        township_keys = [v["key"] for v in attrs["township"]["values"]]
        assert world.township.code in township_keys
        assert attrs["filing_condition_1"]["variable"] is False
        assert "存在摆摊设点经营行为" in attrs["filing_condition_1"]["description"]
        assert [a["order"] for a in body["attributes"]] == list(range(1, len(body["attributes"]) + 1))
    else:
        assert body.tag == "service_definition" and body.find("service_code").text == "ZDJY"
        attrs = {a.find("code").text: a for a in body.findall("attributes/attribute")}
        assert [v.find("name").text for v in attrs["dissuasion_outcome"].findall("values/value")] == [
            "劝阻有效，已停止", "劝阻无效，仍在继续", "当事人不在场"]
        assert attrs["filing_condition_1"].find("variable").text == "false"


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition_unknown_service_is_404(client, world, fmt):
    assert_error(client.get(f"{BASE}/services/NOPE.{fmt}"), fmt, 404)


def test_service_code_is_open311_code_when_set(client, world, category):
    category.open311_code = "zdjy-311"
    category.save()
    assert client.get(f"{BASE}/services/zdjy-311.json").status_code == 200
    assert client.get(f"{BASE}/services/ZDJY.json").status_code == 404


def test_unknown_jurisdiction_is_404_and_city_code_accepted(client, world):
    assert_error(client.get(f"{BASE}/services.json", {"jurisdiction_id": "310000"}), "json", 404)
    assert client.get(f"{BASE}/services.json", {"jurisdiction_id": "330381"}).status_code == 200


@pytest.mark.parametrize("fmt", FORMATS)
def test_wrong_method_is_405_in_spec_format(client, world, fmt):
    assert_error(client.post(f"{BASE}/discovery.{fmt}"), fmt, 405)


# ---------------------------------------------------------------- POST requests


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_request_files_event_and_answers_per_spec(client, hotline, fmt):
    response = post(client, fmt, hotline.key, **{"attribute[urgency]": "紧急", "attribute[external_id]": "GD-1"})
    assert response.status_code == 201
    body = parse(response, fmt)
    if fmt == "json":
        assert list(body[0]) == ["service_request_id", "service_notice", "account_id"]
        assert body[0]["account_id"] is None and "处置时限" in body[0]["service_notice"]
    else:
        assert body.tag == "service_requests" and body.find("request/account_id").text is None
    event = Event.objects.select_related("process").get(process__number=request_id(response, fmt))
    assert event.external_system == hotline.system and event.channel == "external_system"
    assert event.reporter_name == "张三" and event.reporter_phone == "13900001111"
    assert event.urgency == "urgent" and event.external_id == "GD-1"
    assert event.grid_id == hotline.grid.pk and event.process.state == "reported"


def test_post_with_address_and_township_attribute(client, hotline):
    response = post(client, "json", hotline.key, lat=None, long=None, address_string="甲镇北街1号",
                    **{"attribute[township]": hotline.township.code, "attribute[dissuasion_outcome]": "stopped"})
    assert response.status_code == 201, response.content
    event = Event.objects.get(process__number=request_id(response, "json"))
    assert event.township == hotline.township and event.grid is None and event.address == "甲镇北街1号"
    assert event.dissuaded is True and event.dissuasion_outcome == "stopped"


def test_post_township_by_three_digit_code(client, hotline):
    response = post(client, "json", hotline.key, lat=None, long=None, address_string="甲镇北街1号",
                    **{"attribute[township]": "901"})
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_retry_with_idempotency_key_returns_same_request(client, hotline, fmt):
    first = post(client, fmt, hotline.key, headers={"Idempotency-Key": "gd-2026-1"})
    again = post(client, fmt, hotline.key, headers={"Idempotency-Key": "gd-2026-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert request_id(first, fmt) == request_id(again, fmt)
    assert Event.objects.filter(idempotency_key="gd-2026-1").count() == 1


def test_post_retry_with_idempotency_attribute(client, hotline):
    first = post(client, "json", hotline.key, **{"attribute[idempotency_key]": "k-9"})
    again = post(client, "json", hotline.key, **{"attribute[idempotency_key]": "k-9"})
    assert request_id(first, "json") == request_id(again, "json") and Event.objects.count() == 1


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("case", "fields", "status", "code"), [
    ("missing key", {"api_key": None}, 403, "api_key_required"),
    ("bad key", {"api_key": "ot_AAAAAAAA_wrong"}, 403, "api_key_invalid"),
    ("unknown service", {"service_code": "NOPE"}, 400, "unknown_service"),
    ("no service", {"service_code": ""}, 400, "unknown_service"),
    ("point in the sea", {"lat": "26.0", "long": "121.9"}, 400, "outside_grids"),
    ("no location", {"lat": None, "long": None}, 400, "location_required"),
    ("address without township", {"lat": None, "long": None, "address_string": "北街1号"}, 400,
     "location_required"),
    ("lat without long", {"long": None}, 400, "bad_location"),
    ("bad lat", {"lat": "abc"}, 400, "bad_location"),
    ("lat out of range", {"lat": "95"}, 400, "bad_location"),
    ("no description", {"description": None}, 400, "description_required"),
    ("5000-char description", {"description": "长" * 5000}, 400, "description_too_long"),
    ("bad urgency", {"attribute[urgency]": "very"}, 400, "bad_urgency"),
    ("bad occurred_at", {"attribute[occurred_at]": "yesterday"}, 400, "bad_datetime"),
    ("unknown township", {"lat": None, "long": None, "address_string": "x", "attribute[township]": "火星镇"},
     400, "unknown_township"),
])
def test_post_errors_in_spec_format_and_nothing_stored(client, hotline, fmt, case, fields, status, code):
    fields = dict(fields)
    key = fields.pop("api_key", hotline.key)
    before = Process.objects.count()
    response = post(client, fmt, key, **fields)
    assert_error(response, fmt, status)
    assert response["X-OneTeam-Error"] == code, case
    assert Process.objects.count() == before


def test_post_error_message_is_chinese(client, hotline):
    body = parse(post(client, "json", hotline.key, lat="26.0", long="121.9"), "json")
    assert "不在本市任何网格内" in body[0]["description"]


def test_deactivated_key_is_refused(client, hotline):
    ExternalSystem.objects.filter(pk=hotline.system.pk).update(active=False)
    assert_error(post(client, "json", hotline.key), "json", 403)


# ---------------------------------------------------------------- GET requests


def _post_id(client, world, **fields) -> str:
    response = post(client, "json", world.key, **fields)
    assert response.status_code == 201, response.content
    return request_id(response, "json")


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_requests_shows_public_fields_and_masks_reporter(client, hotline, fmt):
    number = _post_id(client, hotline, description="占道摆摊，摊主电话13812345678，身份证11010519491231002X")
    response = client.get(f"{BASE}/requests.{fmt}", {"api_key": hotline.key})
    assert response.status_code == 200
    raw = response.content.decode()
    for secret in ("张三", "13900001111", "13812345678", "11010519491231002X"):
        assert secret not in raw
    body = parse(response, fmt)
    items = body if fmt == "json" else xml_items(body, "request")
    assert [r["service_request_id"] for r in items] == [number]
    item = items[0]
    assert "138****5678" in item["description"] and "110*************2X" in item["description"]
    assert item["status"] == "open" and item["status_notes"] == "待立案"
    assert item["service_code"] == "ZDJY" and item["service_name"] == "占道经营"
    assert item["agency_responsible"] == hotline.command_room.name
    assert item["requested_datetime"].endswith("+08:00") and item["updated_datetime"].endswith("+08:00")
    assert float(item["lat"]) == 27.71 and float(item["long"]) == 120.61 and item["media_url"] == ""
    assert not {"reporter_name", "reporter_phone", "phone", "first_name", "email"} & set(item)


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_single_request_and_unknown_is_404(client, hotline, fmt):
    number = _post_id(client, hotline)
    response = client.get(f"{BASE}/requests/{number}.{fmt}", {"api_key": hotline.key})
    assert response.status_code == 200
    body = parse(response, fmt)
    if fmt == "json":
        assert len(body) == 1 and body[0]["service_request_id"] == number
    else:
        assert body.find("request/service_request_id").text == number
    assert_error(client.get(f"{BASE}/requests/SJ0000.{fmt}", {"api_key": hotline.key}), fmt, 404)


def test_status_open_then_closed_through_the_loop(client, hotline):
    number = _post_id(client, hotline)
    p = Event.objects.get(process__number=number).process

    def fetch():
        return parse(client.get(f"{BASE}/requests/{number}.json", {"api_key": hotline.key}), "json")[0]

    perform(p, "file", actor=hotline.dispatcher, data={"conditions": CONDITIONS})
    perform(p, "dispatch", actor=hotline.dispatcher, data={"body": hotline.team.pk})
    item = fetch()
    assert item["status"] == "open" and item["agency_responsible"] == hotline.team.name
    due = p.deadlines.get(name="handling").due_at
    assert item["expected_datetime"] == timezone.localtime(due).isoformat(timespec="seconds")
    assert item["expected_datetime"].endswith("+08:00")
    perform(p, "accept", actor=hotline.officer)
    perform(p, "report_back", actor=hotline.officer, data={"result": "已劝离摊贩，联系电话13812345678"},
            attachments=[loop.photo()])
    assert fetch()["status"] == "open"
    perform(p, "close", actor=hotline.dispatcher, data={"conditions": ["摊点已撤离"]})
    item = fetch()
    assert item["status"] == "closed"
    assert item["status_notes"] == "已结案待回访：已劝离摊贩，联系电话138****5678"
    perform(p, "archive", actor=hotline.dispatcher, reason="匿名")
    assert fetch()["status"] == "closed"
    closed = parse(client.get(f"{BASE}/requests.json", {"api_key": hotline.key, "status": "closed"}), "json")
    opened = parse(client.get(f"{BASE}/requests.json", {"api_key": hotline.key, "status": "open"}), "json")
    assert [r["service_request_id"] for r in closed] == [number] and opened == []


def test_cancelled_and_merged_are_closed(client, hotline):
    first = _post_id(client, hotline)
    second = _post_id(client, hotline, lat="27.7101", long="120.6102")
    third = _post_id(client, hotline, lat="27.705", long="120.605")
    perform(Event.objects.get(process__number=second).process, "merge", actor=hotline.dispatcher,
            data={"duplicate_of": first})
    perform(Event.objects.get(process__number=third).process, "cancel", actor=hotline.dispatcher,
            reason="不属于执法事项")
    items = {r["service_request_id"]: r for r in parse(
        client.get(f"{BASE}/requests.json", {"api_key": hotline.key}), "json")}
    assert items[first]["status"] == "open"
    assert items[second]["status"] == "closed" and first in items[second]["status_notes"]
    assert items[third]["status"] == "closed" and items[third]["status_notes"] == "不予立案"


def test_get_filters(client, hotline):
    a = _post_id(client, hotline)
    b = _post_id(client, hotline, lat="27.705", long="120.605")
    EventCategory.objects.create(code="LJDF", name="乱堆乱倒垃圾")
    c = _post_id(client, hotline, service_code="LJDF")
    old = Event.objects.get(process__number=a).process
    Process.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=120))

    def ids(**params):
        response = client.get(f"{BASE}/requests.json", {"api_key": hotline.key, **params})
        assert response.status_code == 200, response.content
        return {r["service_request_id"] for r in parse(response, "json")}

    assert ids() == {b, c}  # default window: the last 90 days
    assert ids(service_request_id=f"{a},{c}", service_code="ZDJY") == {a, c}  # ids win over every filter
    assert ids(service_code="LJDF") == {c}
    assert ids(service_code="ZDJY,LJDF") == {b, c}
    start = (timezone.localtime() - dt.timedelta(days=200)).isoformat(timespec="seconds")
    assert ids(start_date=start) == {a, b, c}
    end = (timezone.localtime() - dt.timedelta(days=100)).date().isoformat()
    assert ids(start_date="2020-01-01T00:00:00Z", end_date=end) == {a}
    # "+08:00" sent unencoded arrives as " 08:00": still understood.
    assert ids(start_date=start.replace("+", " ")) == {a, b, c}


@pytest.mark.parametrize(("params", "code"), [
    ({"status": "pending"}, "bad_status"),
    ({"start_date": "last week"}, "bad_datetime"),
    ({"start_date": "2026-05-02", "end_date": "2026-05-01"}, "bad_date_range"),
])
def test_get_bad_filters_are_400(client, hotline, params, code):
    response = client.get(f"{BASE}/requests.xml", {"api_key": hotline.key, **params})
    assert_error(response, "xml", 400)
    assert response["X-OneTeam-Error"] == code


def test_get_list_query_count_does_not_grow(client, hotline, django_assert_max_num_queries):
    for i in range(3):
        _post_id(client, hotline, lat=str(27.701 + i * 0.004))
    with django_assert_max_num_queries(4):
        response = client.get(f"{BASE}/requests.json", {"api_key": hotline.key})
    assert len(parse(response, "json")) == 3
    for i in range(5):
        _post_id(client, hotline, lat=str(27.703 + i * 0.003), long="120.615")
    with django_assert_max_num_queries(4):
        response = client.get(f"{BASE}/requests.xml", {"api_key": hotline.key})
    assert len(parse(response, "xml").findall("request")) == 8


def test_post_query_count_is_pinned(client, hotline, django_assert_max_num_queries):
    """A lead filed once the per-process memos are warm (key, category,
    township, rooms): no reference look-ups, only the duplicate search and the
    writes of one transaction (number, process, parties, record, ledger ×3,
    transition, deadline, notifications, savepoint and its release)."""
    _post_id(client, hotline, lat="27.701")
    with django_assert_max_num_queries(13) as captured:
        _post_id(client, hotline, lat="27.709", long="120.605")
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    for table in ("command_externalsystem", "command_eventcategory", "org_township", "org_body"):
        assert f'FROM "{table}"' not in sql, table
    # The answer reads the lead's number from the process the write just made, not from the database.
    assert not any(q["sql"].startswith('SELECT "workflow_process"."id"') and "LIMIT 21" in q["sql"]
                   for q in captured.captured_queries), sql


# ---------------------------------------------------------------- access


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_requires_key_by_default(client, hotline, fmt):
    _post_id(client, hotline)
    assert_error(client.get(f"{BASE}/requests.{fmt}"), fmt, 403)
    assert_error(client.get(f"{BASE}/requests.{fmt}", {"api_key": "ot_AAAAAAAA_nope"}), fmt, 403)


def test_key_sees_only_its_own_requests(client, hotline):
    mine = _post_id(client, hotline)
    staff = services.report_event(Intake(channel="grid_patrol", category="ZDJY", description="网格员上报",
                                         lng=120.605, lat=27.705, reporter_name="李四"),
                                  actor=hotline.gridder).event.process.number
    _other, other_key = issue_key("四平台", body=hotline.command_centre)
    theirs = request_id(post(client, "json", other_key, lat="27.715", long="120.615"), "json")
    items = parse(client.get(f"{BASE}/requests.json", {"api_key": hotline.key}), "json")
    assert [r["service_request_id"] for r in items] == [mine]
    for number in (staff, theirs):
        assert_error(client.get(f"{BASE}/requests/{number}.json", {"api_key": hotline.key}), "json", 404)


def test_public_read_mode_needs_no_key_and_still_masks(client, hotline, settings):
    settings.ONETEAM_COMMAND = {"OPEN311_READ": "public"}
    staff = services.report_event(Intake(channel="grid_patrol", category="ZDJY", description="摊主手机13812345678",
                                         lng=120.605, lat=27.705, reporter_name="李四", reporter_phone="13700001111"),
                                  actor=hotline.gridder).event.process.number
    response = client.get(f"{BASE}/requests/{staff}.json")
    assert response.status_code == 200
    raw = response.content.decode()
    assert "李四" not in raw and "13700001111" not in raw and "13812345678" not in raw


def test_external_key_cannot_read_staff_api(client, hotline):
    _post_id(client, hotline)
    for url in ("/api/v1/events/", "/api/v1/inbox/"):
        response = client.get(url, headers={"X-API-Key": hotline.key})
        assert response.status_code in (401, 403)
        assert json.loads(response.content)["code"] in ("not_authenticated", "not_permitted")


# ---------------------------------------------------------------- masking and key command


@pytest.mark.parametrize(("text", "masked"), [
    ("手机13812345678", "手机138****5678"),
    ("+86 138-1234-5678", "138****5678"),
    ("座机0577-65812345", "座机0577-****2345"),
    ("电话：65812345", "电话：******45"),
    ("身份证11010519491231002X", "身份证110*************2X"),
    ("身份证110105491231002", "身份证110**********02"),
    ("卡号6222021234567890", "卡号************7890"),
    ("事项330202001000，乡镇330381001000，金额12000元", "事项330202001000，乡镇330381001000，金额12000元"),
])
def test_mask_text(text, masked):
    assert mask_text(text) == masked


def test_open311_key_command_prints_key_once_and_rotates(world, capsys):
    world.command_centre.code = "COMMAND"
    world.command_centre.save()
    call_command("open311-key", "四平台")
    key = capsys.readouterr().out.splitlines()[1].strip()
    system = ExternalSystem.authenticate(key)
    assert system is not None and system.body == world.command_centre
    with pytest.raises(CommandError):
        call_command("open311-key", "四平台")
    call_command("open311-key", "四平台", "--rotate")
    new_key = capsys.readouterr().out.splitlines()[1].strip()
    assert ExternalSystem.authenticate(key) is None and ExternalSystem.authenticate(new_key) == system
    with pytest.raises(CommandError):
        call_command("open311-key", "其他", "--body", "NOPE")
    call_command("open311-key", "村级平台", "--body", world.committee.code)
    assert ExternalSystem.objects.get(name="村级平台").body == world.committee
