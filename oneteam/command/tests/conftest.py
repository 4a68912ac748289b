import pytest

from oneteam.command.choices import Level
from oneteam.command.models import EventCategory
from oneteam.core.testing import make_body, make_grid, make_user, make_village
from oneteam.org.choices import BodyKind, Role


@pytest.fixture
def category(db):
    return EventCategory.objects.create(
        code="ZDJY", name="占道经营", filing_conditions=["存在摆摊设点经营行为"], closing_conditions=["摊点已撤离"],
        respond_kind="working_hours", respond_amount=2, handle_kind="working_days", handle_amount=1,
        level=Level.TOWNSHIP,
    )


@pytest.fixture
def world(cast, category):
    """The cast plus grids, a village committee with a grid officer, and the village as a handling body."""
    village = make_village(cast.township, "东村")
    other_village = make_village(cast.other_township, "西村")
    grid = make_grid(village, lng=120.60, lat=27.70, size=0.02)
    other_grid = make_grid(other_village, lng=120.70, lat=27.70, size=0.02)
    committee = make_body(BodyKind.VILLAGE_COMMITTEE, township=cast.township, name="甲镇东村", village=village)
    gridder = make_user(committee, Role.GRID_OFFICER, username="gridder2")
    cast.village, cast.grid, cast.other_grid, cast.committee, cast.gridder = (
        village, grid, other_grid, committee, gridder)
    return cast
