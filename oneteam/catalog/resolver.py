"""The competence resolver: for a (matter, place, date), who handles it and why (M2.3).

Steps, each explained by one Chinese reason line:

1. The place: a township, or a WGS84 point located to grid → village → township.
2. The matter's entry in a catalog version in force on the date (error when no
   catalog is in force yet, or the matter is not listed in any version in force).
3. An explicit :class:`~oneteam.catalog.models.CompetenceRule` valid that day
   (e.g. a dispute ruling) wins, a township-specific one before a city-wide one.
4. The township's enforcement mode that day; under "1+X" the hub town acts.
5. Matter empowered to the acting township that day → its enforcement team.
6. Otherwise the original competent department: its dispatched team in the
   township (then in the hub), else the department itself.

The original department keeps its other supervisory duties (条例 Art. 16):
``supervising``. For an empowered matter routine patrol lies with the township
team and targeted/special inspections are joint (team + department, 双重监管,
policy §三(三)2); for a matter not transferred, the handling body patrols and
the department inspects.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from oneteam.core.errors import InvalidInput
from oneteam.core.memo import Memo
from oneteam.org import geo
from oneteam.org.choices import BodyKind, EnforcementMode
from oneteam.org.models import Body, ModeDecision, Township, mode_on

from .models import CatalogVersion, CompetenceRule, Empowerment, Matter, MatterEntry
from .selectors import entry_for, find_matter, find_township


class CompetenceError(InvalidInput):
    """The question cannot be answered: unknown matter or place, no catalog in force …"""


@dataclass
class Answer:
    matter: Matter
    entry: MatterEntry
    on: dt.date
    township: Township
    acting_township: Township
    mode: ModeDecision | None
    body: Body
    #: How the body was found: "rule", "empowered", "dispatched_team" or "department".
    basis: str
    reasons: list[str]
    supervising: list[Body]
    patrol: Body | None
    targeted_inspection: list[Body]
    location: geo.Location | None = None
    empowerment: Empowerment | None = None
    rule: CompetenceRule | None = None
    point: tuple[float, float] | None = field(default=None)

    def as_dict(self) -> dict:
        def body(b: Body | None) -> dict | None:
            if b is None:
                return None
            return {"id": b.pk, "code": b.code, "name": b.name, "kind": b.kind}

        return {
            "matter": {"code": self.matter.code, "name": self.entry.name, "catalog": self.entry.version.catalog.name,
                       "version": self.entry.version.label},
            "date": self.on.isoformat(),
            "township": self.township.name,
            "township_code": self.township.code,
            "acting_township": self.acting_township.name,
            "mode": self.mode.mode if self.mode else None,
            "body": self.body.name,
            "body_code": self.body.code,
            "body_kind": self.body.kind,
            "basis": self.basis,
            "reasons": list(self.reasons),
            "supervising": [body(b) for b in self.supervising],
            "patrol": body(self.patrol),
            "targeted_inspection": [body(b) for b in self.targeted_inspection],
            "location": None if self.location is None else {
                "grid": self.location.grid_name, "grid_code": self.location.grid_code,
                "village": self.location.village_name, "township": self.location.township_name,
            },
            "empowerment_decision": self.empowerment.granted_by.decision_no if self.empowerment else None,
            "rule_source": self.rule.source if self.rule else None,
        }


def parse_point(text: str) -> tuple[float, float]:
    """"LNG,LAT" → (lng, lat) in WGS84, with a Chinese error for anything else."""
    try:
        lng_s, lat_s = (part.strip() for part in str(text).replace("，", ",").split(","))
        lng, lat = float(lng_s), float(lat_s)
    except (TypeError, ValueError):
        raise CompetenceError(_("坐标格式应为“经度,纬度”，例如 120.655,27.780；收到：%(t)s") % {"t": text},
                              code="bad_point") from None
    if not (-180 <= lng <= 180 and -90 <= lat <= 90):
        raise CompetenceError(_("坐标超出经纬度范围：%(t)s") % {"t": text}, code="bad_point")
    return lng, lat


def _d(value: dt.date) -> str:
    return _("%(y)d年%(m)d月%(d)d日") % {"y": value.year, "m": value.month, "d": value.day}


def who_handles(matter: Matter | str, *, township: Township | str | None = None,
                point: tuple[float, float] | str | None = None, on: dt.date | None = None,
                located: geo.Location | None = None) -> Answer:
    """Who handles ``matter`` at ``township`` or ``point`` on ``on`` (default today), and why.

    ``located`` is ``point``'s grid when the caller has already looked it up
    (``geo.locate``; intake does, for every lead): it is not looked up again.

    Raises :class:`CompetenceError` (Chinese message, stable code) for an
    unknown matter or township, a point outside every grid, a date before any
    catalog, or a matter not in force that day.
    """
    on = on or timezone.localdate()
    point_reason = None

    # 1. The place.
    location = None
    if point is not None and township is not None:
        raise CompetenceError(_("请只指定乡镇(街道)或坐标之一。"), code="place_ambiguous")
    if point is not None:
        lng, lat = parse_point(point) if isinstance(point, str) else point
        location = located or geo.locate(lng, lat)
        if location is None:
            raise CompetenceError(_("坐标 (%(lng)s, %(lat)s) 不在任何网格内，无法确定所属乡镇(街道)。")
                                  % {"lng": lng, "lat": lat}, code="outside_grids")
        point_reason = (_("坐标 (%(lng)s, %(lat)s) 位于 %(t)s %(v)s %(g)s（网格编码 %(gc)s）。") % {
            "lng": lng, "lat": lat, "t": location.township_name, "v": location.village_name,
            "g": location.grid_name, "gc": location.grid_code})
        place = location.township_id
    elif isinstance(township, Township):
        place = township
    elif township:
        found = find_township(str(township))
        if found is None:
            raise CompetenceError(_("未知的乡镇(街道)：%(t)s") % {"t": township}, code="unknown_township")
        place = found
    else:
        raise CompetenceError(_("请指定乡镇(街道)或坐标。"), code="place_required")

    answer = copy.copy(_cached(matter, place if isinstance(place, int) else place.pk, on, place))
    # Callers get their own reasons list (and the point's place in it).
    answer.reasons = [point_reason, *answer.reasons] if point_reason is not None else list(answer.reasons)
    if location is not None:
        answer.location = location
    return answer


# Answers are memoised per process: (matter, township, date) → Answer or the
# CompetenceError it raised (``oneteam.core.memo``). Any save of what the
# resolver reads drops the memo in this process at once and in the others
# within the memo's recheck interval (5 s); bulk writes call ``invalidate()``.
# Intake resolves every lead, so this is what keeps point → body in memory
# speed (benchmarks/bench_command.py).
_memo = Memo("catalog.resolver", watch=[
    "org.Body", "org.ModeDecision", "org.Township", "catalog.CatalogVersion", "catalog.Matter",
    "catalog.MatterEntry", "catalog.EmpowermentDecision", "catalog.Empowerment", "catalog.CompetenceRule"])
invalidate = _memo.changed


def _cached(matter, township_id: int, on: dt.date, place) -> Answer:
    # The reasons are text in the active language: one answer per language.
    key = (matter.pk if isinstance(matter, Matter) else str(matter or "").strip(), township_id, on,
           translation.get_language())

    def compute():
        try:
            return _resolve(matter, Township.objects.get(pk=place) if isinstance(place, int) else place, on)
        except CompetenceError as exc:
            return exc

    hit = _memo.get(key, compute)
    if isinstance(hit, CompetenceError):
        raise CompetenceError(hit.message, code=hit.code, detail=hit.detail)
    return hit


def _resolve(matter, place: Township, on: dt.date) -> Answer:
    """Steps 2–6 for a township (see the module docstring)."""
    reasons: list[str] = []
    location = None

    # 2. The matter in a catalog in force.
    if not isinstance(matter, Matter):
        code = str(matter or "").strip()
        found_matter = find_matter(code)
        if found_matter is None:
            raise CompetenceError(_("未知的执法事项编码：%(c)s") % {"c": code or _("（空）")}, code="unknown_matter")
        matter = found_matter
    if not CatalogVersion.objects.filter(effective_from__lte=on).exists():
        raise CompetenceError(_("%(d)s 早于所有执法事项目录的生效日期，当日没有可依据的目录。") % {"d": _d(on)},
                              code="no_catalog_in_force")
    entry = entry_for(matter, on)
    if entry is None:
        raise CompetenceError(_("事项 %(c)s 在 %(d)s 不在任何现行目录中（尚未列入或已被新版目录取消）。")
                              % {"c": matter.code, "d": _d(on)}, code="matter_not_in_force")
    version = entry.version
    reasons.append(_("事项「%(n)s」（%(c)s）列入《%(cat)s》%(v)s，自 %(d)s 起施行。") % {
        "n": entry.name, "c": matter.code, "cat": version.catalog.name, "v": version.label,
        "d": _d(version.effective_from)})
    department = entry.department

    # 3. Explicit overriding rules come first.
    rules = CompetenceRule.objects.valid_on(on).filter(matter=matter).select_related("body", "township")
    rule = (rules.filter(township=place).order_by("-valid_from", "-recorded_at").first()
            or rules.filter(township__isnull=True).order_by("-valid_from", "-recorded_at").first())
    mode = mode_on(place, on)
    if rule is not None:
        until = _("至 %(d)s") % {"d": _d(rule.valid_until)} if rule.valid_until else _("长期有效")
        where = rule.township.name if rule.township_id else _("全市")
        reasons.append(_("依据 %(s)s（自 %(f)s 起，%(u)s），该事项在%(w)s由 %(b)s 承办。") % {
            "s": rule.source, "f": _d(rule.valid_from), "u": until, "w": where, "b": rule.body.name})
        if rule.reason:
            reasons.append(rule.reason)
        return _finish(matter, entry, on, place, place, mode, rule.body, "rule", reasons, department,
                       location=location, rule=rule)

    # 4. The township's mode; under 1+X the hub acts.
    acting = place
    if mode is None:
        reasons.append(_("%(t)s 在 %(d)s 尚无执法模式决定，按派驻方式处理。") % {"t": place.name, "d": _d(on)})
    elif mode.mode == EnforcementMode.HUB_SERVED and mode.hub_id:
        acting = mode.hub
        reasons.append(_("%(t)s 自 %(d)s 起实行“1+X”方式，由 %(h)s 辐射（%(no)s），由 %(h)s 代为行使。") % {
            "t": place.name, "d": _d(mode.effective_from), "h": acting.name, "no": mode.decision_no})
    else:
        reasons.append(_("%(t)s 自 %(d)s 起实行“%(m)s”方式（%(no)s）。") % {
            "t": place.name, "d": _d(mode.effective_from), "m": mode.get_mode_display(), "no": mode.decision_no})

    # 5. Empowered to the acting township that day?
    history = list(Empowerment.objects.filter(township=acting, matter=matter)
                   .select_related("granted_by", "withdrawn_by").order_by("-effective_from"))
    active = next((e for e in history if e.is_active_on(on)), None)
    if active is not None:
        team = _team(acting)
        reasons.append(_("该事项依据 %(no)s 自 %(d)s 起赋权 %(t)s。") % {
            "no": active.granted_by.decision_no, "d": _d(active.effective_from), "t": acting.name})
        if team is None:
            raise CompetenceError(_("%(t)s 未登记综合行政执法队，无法确定承办单位。") % {"t": acting.name},
                                  code="no_team")
        reasons.append(_("由 %(b)s 办理。") % {"b": team.name})
        return _finish(matter, entry, on, place, acting, mode, team, "empowered", reasons, department,
                       location=location, empowerment=active)

    # Explain why it is not empowered when there is a history.
    pending = next((e for e in history if e.effective_from > on), None)
    lapsed = next((e for e in history if e.withdrawn_from is not None and e.withdrawn_from <= on), None)
    if pending is not None:
        reasons.append(_("该事项已依据 %(no)s 赋权 %(t)s，但自 %(d)s 起才生效。") % {
            "no": pending.granted_by.decision_no, "t": acting.name, "d": _d(pending.effective_from)})
    elif lapsed is not None:
        reasons.append(_("该事项曾依据 %(g)s 赋权 %(t)s，已依据 %(w)s 自 %(d)s 起收回。") % {
            "g": lapsed.granted_by.decision_no, "t": acting.name, "w": lapsed.withdrawn_by.decision_no,
            "d": _d(lapsed.withdrawn_from)})
    reasons.append(_("该事项在 %(d)s 未赋权 %(t)s，由原业务主管部门 %(dep)s 管辖。") % {
        "d": _d(on), "t": acting.name, "dep": department.name})

    # 6. The department's dispatched team where the place is (then in the hub), else the department.
    places = [place] if acting == place else [place, acting]
    teams = {b.township_id: b for b in Body.objects.filter(
        kind=BodyKind.DISPATCHED_TEAM, parent=department, township__in=places, is_active=True).order_by("-code")}
    for t in places:
        if t.pk in teams:
            team = teams[t.pk]
            reasons.append(_("由其派驻 %(t)s 的 %(b)s 办理。") % {"t": t.name, "b": team.name})
            return _finish(matter, entry, on, place, acting, mode, team, "dispatched_team", reasons, department,
                           location=location)
    reasons.append(_("%(dep)s 在 %(t)s 没有派驻机构，由 %(dep)s 直接办理。") % {
        "dep": department.name, "t": "、".join(t.name for t in places)})
    return _finish(matter, entry, on, place, acting, mode, department, "department", reasons, department,
                   location=location)


def _team(township: Township) -> Body | None:
    return (Body.objects.filter(kind=BodyKind.ENFORCEMENT_TEAM, township=township, is_active=True)
            .order_by("code").first())


def _finish(matter, entry, on, place, acting, mode, body, basis, reasons, department, **extra) -> Answer:
    if basis == "empowered":
        patrol = body
        targeted = [body, department]
        reasons.append(_("日常巡查由 %(b)s 承担；定向检查、专项检查由 %(b)s 与 %(dep)s 协同开展（双重监管）。") % {
            "b": body.name, "dep": department.name})
    else:
        patrol = body
        targeted = [body] if body == department else [body, department]
    reasons.append(_("原业务主管部门 %(dep)s 保留制定监管规则、标准、计划等监管职责"
                     "（《浙江省综合行政执法条例》第十六条）。") % {"dep": department.name})
    return Answer(matter=matter, entry=entry, on=on, township=place, acting_township=acting, mode=mode, body=body,
                  basis=basis, reasons=reasons, supervising=[department], patrol=patrol,
                  targeted_inspection=targeted, **extra)
