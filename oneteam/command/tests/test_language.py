"""What a lead keeps is written in the installation's language (Chinese),
whatever language the person who reported or acted reads the pages in;
what they are told (a refusal) is in their own (``oneteam.core.i18n``)."""

import re

import pytest
from django.utils import translation

from oneteam.command import services
from oneteam.command.services import Intake
from oneteam.core.errors import InvalidInput
from oneteam.workflow.models import Notification
from oneteam.workflow.services import perform

pytestmark = pytest.mark.django_db
HAN = re.compile(r"[\u4e00-\u9fff]")


def test_an_english_reader_leaves_a_chinese_record(world):
    with translation.override("en"):
        event = services.report_event(Intake(channel="grid_patrol", category="ZDJY", description="东村菜场门口占道摆摊",
                                             lng=120.61, lat=27.71), actor=world.gridder).event
        perform(event.process, "file", actor=world.dispatcher, data={"conditions": ["存在摆摊设点经营行为"]})
    assert event.proposal_reasons and all(HAN.search(r) for r in event.proposal_reasons)
    labels = list(event.process.transitions.order_by("seq").values_list("action_label", flat=True))
    assert labels == ["发起", "立案"]
    texts = list(Notification.objects.filter(process=event.process).values_list("text", flat=True))
    assert texts and all("当前状态" in t for t in texts)
    # The resolver's memo keeps one answer per language: a Chinese reader after an English one reads Chinese.
    from oneteam.catalog.resolver import CompetenceError, who_handles

    for language, chinese in (("en", False), ("zh-hans", True)):
        with translation.override(language), pytest.raises(CompetenceError) as unknown:
            who_handles("NO-SUCH-MATTER", point=(120.61, 27.71))
        assert bool(HAN.search(str(unknown.value))) is chinese, str(unknown.value)


def test_a_refusal_speaks_the_readers_language(world):
    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        services.report_event(Intake(channel="grid_patrol", category="ZDJY", description=""), actor=world.gridder)
    assert not HAN.search(str(refused.value))
    with pytest.raises(InvalidInput) as refused:
        services.report_event(Intake(channel="grid_patrol", category="ZDJY", description=""), actor=world.gridder)
    assert HAN.search(str(refused.value))
