import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from oneteam.core.errors import InvalidInput
from oneteam.core.testing import make_grid, make_village, square
from oneteam.org import geo
from oneteam.org.grid_import import import_grids
from oneteam.org.models import Grid, Village

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_grids(cast):
    village = make_village(cast.township)
    west = make_grid(village, lng=120.60, lat=27.70, size=0.01, code="W")
    east = make_grid(village, lng=120.61, lat=27.70, size=0.01, code="E")
    return west, east


def test_locate_inside_returns_grid_village_township(two_grids, cast):
    west, _ = two_grids
    loc = geo.locate(120.605, 27.705)
    assert (loc.grid_code, loc.village_id, loc.township_name) == ("W", west.village_id, cast.township.name)


def test_locate_on_shared_border_is_deterministic(two_grids):
    # 120.61 is the shared edge: the grid with the lowest code wins ("E" < "W").
    assert geo.locate(120.61, 27.705).grid_code == "E"


def test_locate_outside_every_grid_returns_none(two_grids):
    assert geo.locate(121.5, 27.0) is None


def test_locate_many_matches_one_by_one(two_grids):
    points = [(120.605, 27.705), (120.615, 27.705), (121.5, 27.0)]
    many = geo.get_index().locate_many([p[0] for p in points], [p[1] for p in points])
    assert [m.grid_code if m else None for m in many] == ["W", "E", None]


def test_index_rebuilds_after_grid_change(two_grids, cast):
    assert geo.locate(120.625, 27.705) is None
    make_grid(two_grids[0].village, lng=120.62, lat=27.70, code="N")
    geo.invalidate()
    assert geo.locate(120.625, 27.705).grid_code == "N"


def feature(code, lng, lat, *, township="330381901000", village_code="V1", village="新村", size=0.01, geometry=None):
    return {"type": "Feature", "properties": {"code": code, "name": f"网格{code}", "township": township,
                                              "village_code": village_code, "village": village},
            "geometry": geometry or square(lng, lat, size)}


def test_import_valid_file_creates_grids_and_villages(cast):
    report = import_grids([feature("A1", 120.0, 27.0), feature("A2", 120.01, 27.0)], actor=cast.admin)
    assert (report.created, report.villages_created) == (2, 1)
    assert geo.locate(120.005, 27.005).grid_code == "A1"
    # Importing the same file again changes nothing.
    again = import_grids([feature("A1", 120.0, 27.0), feature("A2", 120.01, 27.0)], actor=cast.admin)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


@pytest.mark.parametrize(("bad", "message"), [
    ({"type": "Feature", "properties": {}, "geometry": square(120, 27)}, "缺少网格编码"),
    (feature("B", 120.2, 27.0, township="不存在镇"), "未知的乡镇"),
    (feature("B", 120.2, 27.0, geometry={"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}),
     "几何无效"),
    (feature("B", 120.2, 27.0, geometry={"type": "Point", "coordinates": [120, 27]}), "几何类型必须是"),
    (feature("B", 120.2, 27.0, geometry={"type": "Polygon", "coordinates": "garbage"}), "几何无法解析"),
    (feature("A1", 120.2, 27.0), "重复"),
    (feature("B", 120.005, 27.0), "重叠"),
])
def test_import_broken_feature_rejected_with_index_and_nothing_written(cast, bad, message):
    features = [feature("A1", 120.0, 27.0), bad]
    with pytest.raises(InvalidInput) as exc:
        import_grids(features, actor=cast.admin)
    assert any(line.startswith("第2个要素") and message in line for line in exc.value.detail), exc.value.detail
    assert not Grid.objects.filter(code__in=["A1", "B"]).exists()
    assert not Village.objects.filter(code="V1").exists()


def test_import_overlap_with_existing_grid_rejected(two_grids):
    with pytest.raises(InvalidInput) as exc:
        import_grids([feature("X", 120.605, 27.70)], actor=None)
    assert "与已有网格" in exc.value.detail[0]


def test_import_command_bad_file_exits_2(tmp_path, cast):
    path = tmp_path / "grids.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature("Z", 120, 27, township="?")]}))
    with pytest.raises(CommandError) as exc:
        call_command("import_grids", str(path))
    assert exc.value.returncode == 2
    path.write_text("{not json")
    with pytest.raises(CommandError):
        call_command("import_grids", str(path))


def test_import_command_dry_run_writes_nothing(tmp_path, cast, capsys):
    path = tmp_path / "grids.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature("Z", 120, 27)]}))
    call_command("import_grids", str(path), "--dry-run")
    assert "试运行" in capsys.readouterr().out
    assert not Grid.objects.filter(code="Z").exists()
