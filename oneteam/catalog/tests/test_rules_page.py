"""The competence overrides page (/catalog/rules/): rule keepers record and end
rules through the same services as the leading group's rulings; everyone
else reads them; the resolver follows at once."""

import datetime as dt

import pytest
from django.urls import reverse

from oneteam.catalog import services
from oneteam.catalog.models import CompetenceRule
from oneteam.catalog.resolver import who_handles
from oneteam.core.errors import NotPermitted
from oneteam.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db
D = dt.date
URL = reverse("catalog:rule-list")


def record(client, world, **overrides):
    data = {"action": "record", "matter": world.matter_a.code, "township": world.empowered.pk,
            "body": world.other_department.pk, "valid_from": "2024-01-01", "valid_until": "2024-12-31",
            "source": "领导小组裁定〔2024〕1号", "reason": "争议裁定", **overrides}
    return client.post(URL, data)


def test_a_keeper_records_a_rule_and_the_resolver_follows(client, world):
    client.force_login(world.cast.supervisor)  # the guidance office
    response = record(client, world)
    assert response.status_code == 302
    rule = CompetenceRule.objects.get()
    assert (rule.body, rule.township, rule.valid_until, rule.recorded_by) == (
        world.other_department, world.empowered, D(2024, 12, 31), world.cast.supervisor)
    assert LedgerEntry.objects.filter(action="catalog.competence_rule", object_id=str(rule.pk)).exists()
    answer = who_handles(world.matter_a.code, township=world.empowered, on=D(2024, 3, 1))
    assert answer.body == world.other_department and answer.basis == "rule"
    page = client.get(URL).content.decode()
    assert "领导小组裁定〔2024〕1号" in page and world.other_department.name in page


def test_a_keeper_ends_a_rule_with_a_reason(client, world):
    client.force_login(world.cast.supervisor)
    record(client, world, valid_until="")
    rule = CompetenceRule.objects.get()
    refused = client.post(URL, {"action": "end", "rule": rule.pk, "last_day": "2024-06-30", "reason": " "})
    assert "必须填写原因" in refused.content.decode()
    assert CompetenceRule.objects.get().valid_until is None
    client.post(URL, {"action": "end", "rule": rule.pk, "last_day": "2024-06-30", "reason": "新的赋权决定生效"})
    assert CompetenceRule.objects.get().valid_until == D(2024, 6, 30)  # the record stays, ended
    assert who_handles(world.matter_a.code, township=world.empowered, on=D(2024, 7, 1)).basis != "rule"
    assert LedgerEntry.objects.filter(action="catalog.competence_rule_ended").count() == 1


def test_others_read_but_cannot_write_on_the_page_or_through_the_service(client, world):
    client.force_login(world.cast.dispatcher)  # a township command room
    page = client.get(URL).content.decode()
    assert "登记特别规则" not in page
    response = record(client, world)
    assert response.status_code == 200 and "只有市综合行政执法指导办公室或领导小组" in response.content.decode()
    assert not CompetenceRule.objects.exists()
    with pytest.raises(NotPermitted):
        services.do_record_competence_rule(world.matter_a, actor=world.cast.dispatcher, body=world.department,
                                           valid_from=D(2024, 1, 1), source="x")


@pytest.mark.parametrize(("field", "value", "message"), [
    ("valid_from", "2024-13-01", "日期格式应为"),
    ("matter", "999999999999", "未找到事项编码"),
    ("body", "", "请选择承办单位"),
    ("source", "  ", "必须注明依据"),
    ("valid_until", "2023-12-31", "不能早于"),
])
def test_bad_input_is_refused_in_chinese_and_nothing_is_stored(client, world, field, value, message):
    client.force_login(world.cast.supervisor)
    response = record(client, world, **{field: value})
    assert response.status_code == 200 and message in response.content.decode()
    assert not CompetenceRule.objects.exists()
    assert f'value="{value}"' in response.content.decode() or field in ("township", "body")  # input kept
