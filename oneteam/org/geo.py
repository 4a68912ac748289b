"""Point → grid → village → township, with shapely's STRtree.

The tree is built once per process and rebuilt only when the grid set changes
(``City.grids_version``, checked at most every few seconds), so a lookup is a
tree query with no SQL.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import shapely
from shapely.geometry import shape

from .models import City, Grid

RECHECK_SECONDS = 5.0


@dataclass(frozen=True)
class Location:
    grid_id: int
    grid_code: str
    grid_name: str
    village_id: int
    village_name: str
    township_id: int
    township_name: str


class GridIndex:
    def __init__(self, rows: list[tuple[Location, object]], version: int) -> None:
        self.version = version
        self.locations = [loc for loc, _ in rows]
        self.geoms = [geom for _, geom in rows]
        self.tree = shapely.STRtree(self.geoms)

    @classmethod
    def build(cls) -> GridIndex:
        version = current_version()
        rows = []
        qs = Grid.objects.select_related("village__township").order_by("code")
        for grid in qs.iterator(chunk_size=2000):
            geom = shape(grid.geometry)
            shapely.prepare(geom)
            rows.append((
                Location(grid.pk, grid.code, grid.name, grid.village_id, grid.village.name,
                         grid.village.township_id, grid.village.township.name),
                geom,
            ))
        return cls(rows, version)

    def locate(self, lng: float, lat: float) -> Location | None:
        """The grid containing the point; a point on a shared border belongs to
        the grid with the lowest code (deterministic). None outside every grid."""
        hits = self.tree.query(shapely.Point(lng, lat), predicate="intersects")
        if len(hits) == 0:
            return None
        return self.locations[int(min(hits))]  # rows are ordered by code

    def locate_many(self, lngs, lats) -> list[Location | None]:
        points = shapely.points(lngs, lats)
        pairs = self.tree.query(points, predicate="intersects")
        best: list[int | None] = [None] * len(points)
        for point_i, geom_i in zip(pairs[0].tolist(), pairs[1].tolist(), strict=True):
            if best[point_i] is None or geom_i < best[point_i]:
                best[point_i] = geom_i
        return [None if i is None else self.locations[i] for i in best]


_lock = threading.Lock()
_index: GridIndex | None = None
_checked_at = 0.0


def current_version() -> int:
    return sum(City.objects.values_list("grids_version", flat=True))


def get_index() -> GridIndex:
    global _index, _checked_at
    now = time.monotonic()
    if _index is not None and now - _checked_at < RECHECK_SECONDS:
        return _index
    with _lock:
        if _index is None or current_version() != _index.version:
            _index = GridIndex.build()
        _checked_at = now
        return _index


def invalidate() -> None:
    """Drop this process's index (other processes notice ``grids_version``)."""
    global _index
    with _lock:
        _index = None


def locate(lng: float, lat: float) -> Location | None:
    return get_index().locate(lng, lat)
