import pytest

from oneteam.command.choices import Level
from oneteam.command.models import EventCategory
from oneteam.core.testing import make_body, make_grid, make_user, make_village
from oneteam.org.choices import BodyKind, Role


@pytest.fixture(autouse=True)
def rollup_hook():
    """The roll-ups follow the kernel through its after-action hook
    (registered by ``OversightConfig.ready``); every test here relies on it."""
    from oneteam.oversight import rollups
    from oneteam.workflow import hooks

    assert rollups.on_transition in hooks._after_action


@pytest.fixture
def category(db):
    return EventCategory.objects.create(
        code="ZDJY", name="占道经营", filing_conditions=["存在摆摊设点经营行为"], closing_conditions=["摊点已撤离"],
        respond_kind="working_hours", respond_amount=2, handle_kind="working_days", handle_amount=1,
        level=Level.TOWNSHIP,
    )


@pytest.fixture
def world(cast, category):
    """The cast plus a grid in each township and a village committee that can handle leads."""
    village = make_village(cast.township, "东村")
    other_village = make_village(cast.other_township, "西村")
    cast.grid = make_grid(village, lng=120.60, lat=27.70, size=0.02)
    cast.other_grid = make_grid(other_village, lng=120.70, lat=27.70, size=0.02)
    cast.committee = make_body(BodyKind.VILLAGE_COMMITTEE, township=cast.township, name="甲镇东村")
    cast.gridder = make_user(cast.committee, Role.GRID_OFFICER, username="gridder2")
    cast.other_gridder = make_user(cast.other_command_room, Role.GRID_OFFICER, username="gridder3")
    cast.category = category
    return cast
