"""Importing real grids from GeoJSON (``oneteam import-grids``).

Every feature is checked before anything is written: a bad geometry, an
unknown township, a missing code or an overlap beyond the tolerance gives a
Chinese error naming the feature's index, and then nothing is imported.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _
from shapely.geometry import shape
from shapely.validation import explain_validity

from oneteam.core.errors import InvalidInput

from . import geo, services
from .choices import VillageKind
from .models import City, Grid, Township, User, Village

Progress = Callable[[int, int], None]


@dataclass
class GridRow:
    index: int
    code: str
    name: str
    township: Township
    village_code: str
    village_name: str
    village_kind: str
    geometry: dict
    geom: object
    chief: User | None


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    villages_created: int = 0
    errors: list[str] = field(default_factory=list)


def read_features(path: Path) -> list[dict]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InvalidInput(_("文件不存在：%(p)s") % {"p": path}, code="file_not_found") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(_("不是有效的 GeoJSON（UTF-8 JSON）文件：%(e)s") % {"e": exc}, code="bad_json") from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(
        data.get("features"), list
    ):
        raise InvalidInput(_("GeoJSON 顶层必须是 FeatureCollection。"), code="not_feature_collection")
    return data["features"]


def _township_lookup() -> dict[str, Township]:
    lookup: dict[str, Township] = {}
    for t in Township.objects.all():
        lookup[t.code] = t
        lookup[t.name] = t
    return lookup


def validate(features: list[dict], progress: Progress | None = None) -> tuple[list[GridRow], list[str]]:
    townships = _township_lookup()
    users = {u.username: u for u in User.objects.filter(is_active=True).only("pk", "username")}
    rows: list[GridRow] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    total = len(features)
    for i, feature in enumerate(features, start=1):
        if progress:
            progress(i, total)
        prefix = _("第%(i)d个要素") % {"i": i}

        def err(message: str, prefix=prefix) -> None:
            errors.append(f"{prefix}：{message}")

        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            err(_("不是 GeoJSON Feature。"))
            continue
        props = feature.get("properties") or {}
        code = str(props.get("code") or "").strip()
        if not code:
            err(_("缺少网格编码（properties.code）。"))
            continue
        if len(code) > 20:
            err(_("网格编码过长（最多20位）：%(c)s") % {"c": code})
            continue
        if code in seen:
            err(_("网格编码 %(c)s 与第%(j)d个要素重复。") % {"c": code, "j": seen[code]})
            continue
        seen[code] = i
        township_key = str(props.get("township") or props.get("township_code") or "").strip()
        township = townships.get(township_key)
        if township is None:
            err(_("未知的乡镇(街道)：%(t)s") % {"t": township_key or _("（空）")})
            continue
        village_code = str(props.get("village_code") or "").strip()
        village_name = str(props.get("village") or props.get("village_name") or "").strip()
        if not village_code or not village_name:
            err(_("缺少村(社区)编码或名称（properties.village_code / village）。"))
            continue
        try:
            geom = shape(feature.get("geometry") or {})
        except (ValueError, TypeError, AttributeError, KeyError, shapely.errors.GEOSException) as exc:
            err(_("几何无法解析：%(e)s") % {"e": exc})
            continue
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            err(_("几何类型必须是 Polygon 或 MultiPolygon，收到 %(t)s。") % {"t": geom.geom_type})
            continue
        if geom.is_empty or not geom.is_valid:
            err(_("几何无效：%(why)s") % {"why": explain_validity(geom)})
            continue
        minx, miny, maxx, maxy = geom.bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            err(_("坐标超出 WGS84 经纬度范围。"))
            continue
        chief_name = str(props.get("chief") or "").strip()
        chief = users.get(chief_name) if chief_name else None
        if chief_name and chief is None:
            err(_("网格责任人账号不存在：%(u)s") % {"u": chief_name})
            continue
        kind = VillageKind.COMMUNITY if village_name.endswith("社区") else VillageKind.VILLAGE
        rows.append(GridRow(i, code, str(props.get("name") or code), township, village_code, village_name, kind,
                            feature["geometry"], geom, chief))
    errors.extend(_overlap_errors(rows))
    return rows, errors


def _overlap_errors(rows: list[GridRow]) -> list[str]:
    """Pairs of grids (in the file, or a file grid against an existing grid it does
    not replace) whose intersection area exceeds the tolerance."""
    tolerance = settings.ONETEAM["GRID_OVERLAP_TOLERANCE"]
    errors: list[str] = []
    if not rows:
        return errors
    geoms = [r.geom for r in rows]
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        if a >= b:
            continue
        area = geoms[a].intersection(geoms[b]).area
        if area > tolerance:
            errors.append(_("第%(i)d个要素：与第%(j)d个要素（%(c)s）重叠，重叠面积超出容差。")
                          % {"i": rows[b].index, "j": rows[a].index, "c": rows[a].code})
    replaced = {r.code for r in rows}
    minx = min(g.bounds[0] for g in geoms)
    miny = min(g.bounds[1] for g in geoms)
    maxx = max(g.bounds[2] for g in geoms)
    maxy = max(g.bounds[3] for g in geoms)
    existing = Grid.objects.exclude(code__in=replaced).filter(
        Q(min_lng__lte=maxx) & Q(max_lng__gte=minx) & Q(min_lat__lte=maxy) & Q(max_lat__gte=miny)
    ).only("code", "geometry")
    for grid in existing:
        other = shape(grid.geometry)
        for r in rows:
            if r.geom.intersects(other) and r.geom.intersection(other).area > tolerance:
                errors.append(_("第%(i)d个要素：与已有网格 %(c)s 重叠，重叠面积超出容差。")
                              % {"i": r.index, "c": grid.code})
    return errors


def import_grids(features: list[dict], *, actor: User | None, dry_run: bool = False,
                 progress: Progress | None = None) -> ImportReport:
    """Validate every feature, then (unless ``dry_run`` or any error) create or
    update the grids and their villages in one transaction."""
    rows, errors = validate(features, progress)
    report = ImportReport(errors=errors)
    if errors:
        raise InvalidInput(_("GeoJSON 有%(n)d处错误，未导入任何网格。") % {"n": len(errors)}, code="invalid_grids",
                           detail=errors)
    with transaction.atomic():
        _apply(rows, actor, report)
        if dry_run:
            transaction.set_rollback(True)
            return report
        City.objects.filter(pk__in={r.township.city_id for r in rows}).update(grids_version=F("grids_version") + 1)
    geo.invalidate()
    return report


def _apply(rows: Iterable[GridRow], actor, report: ImportReport) -> None:
    villages = {v.code: v for v in Village.objects.all()}
    for r in rows:
        village = villages.get(r.village_code)
        if village is None:
            village = services.do_save_master(
                Village(township=r.township, code=r.village_code, name=r.village_name, kind=r.village_kind),
                actor=actor,
            )
            villages[r.village_code] = village
            report.villages_created += 1
        minx, miny, maxx, maxy = r.geom.bounds
        values = {"village": village, "name": r.name, "geometry": r.geometry, "min_lng": minx, "min_lat": miny,
                  "max_lng": maxx, "max_lat": maxy, "chief": r.chief, "is_synthetic": False}
        grid = Grid.objects.filter(code=r.code).first()
        if grid is None:
            services.do_save_master(Grid(code=r.code, **values), actor=actor)
            report.created += 1
        elif any(getattr(grid, k) != v for k, v in values.items()):
            services.do_save_master(grid, actor=actor, changes=values)
            report.updated += 1
        else:
            report.unchanged += 1
