"""Synthetic divisions for a demo: a partition of a county outline into
township areas around their seats, then villages and grids inside each.

Deterministic (seeded), so loading the demo twice gives the same shapes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import shapely
from shapely.geometry import MultiPoint, Point, Polygon, mapping


@dataclass
class Area:
    key: str
    polygon: Polygon


def _largest(geom) -> Polygon:
    if geom.geom_type == "Polygon":
        return geom
    return max(getattr(geom, "geoms", [geom]), key=lambda g: g.area)


def partition(outline: Polygon, seeds: list[tuple[str, float, float]]) -> list[Area]:
    """Voronoi cells of ``seeds`` clipped to ``outline``, one per seed, in seed order."""
    points = MultiPoint([(lng, lat) for _, lng, lat in seeds])
    cells = shapely.voronoi_polygons(points, extend_to=outline, ordered=True)
    out = []
    for (key, _lng, _lat), cell in zip(seeds, cells.geoms, strict=True):
        out.append(Area(key, _largest(cell.intersection(outline))))
    return out


def random_points_in(polygon: Polygon, n: int, rng: random.Random) -> list[tuple[float, float]]:
    minx, miny, maxx, maxy = polygon.bounds
    points: list[tuple[float, float]] = []
    attempts = 0
    while len(points) < n and attempts < 10_000:
        attempts += 1
        p = (rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if polygon.contains(Point(p)):
            points.append(p)
    return points


def subdivide(polygon: Polygon, n: int, rng: random.Random) -> list[Polygon]:
    """Split ``polygon`` into ``n`` Voronoi pieces around random interior points."""
    seeds = random_points_in(polygon, n, rng)
    if len(seeds) < 2:
        return [polygon]
    return [a.polygon for a in partition(polygon, [(str(i), x, y) for i, (x, y) in enumerate(seeds)])]


def to_geojson(polygon: Polygon, precision: int = 6) -> dict:
    polygon = shapely.set_precision(polygon, 10 ** -precision)
    polygon = _largest(polygon) if polygon.geom_type != "Polygon" else polygon
    return mapping(polygon) | {"coordinates": [[[round(x, precision), round(y, precision)] for x, y in ring]
                                               for ring in mapping(polygon)["coordinates"]]}
