"""The three flow declarations are sound and registered with their routes."""

import pytest

from oneteam.cooperation import conf, flows
from oneteam.workflow.declare import get_flow


@pytest.mark.parametrize("flow", flows.FLOWS, ids=lambda f: f.kind)
def test_flow_declaration_sound_and_registered(flow):
    assert flow.problems() == []
    assert get_flow(flow.kind) is flow


def test_config_override_changes_reply_period(settings):
    settings.ONETEAM_COOPERATION = {"COLLABORATION_REPLY_DAYS": 7}
    assert conf.working_days("COLLABORATION_REPLY_DAYS").amount == 7
    assert conf.get("COLLABORATION_EXTENSION_DAYS") == 5
