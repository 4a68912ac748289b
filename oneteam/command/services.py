"""Every write of the command context: intake from every channel, duplicate
suggestions, supervision, patrols. State changes of a lead go through the
kernel's ``perform``; this module starts leads and records what is not a
state change."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oneteam.core import rows
from oneteam.core.errors import InvalidInput, NotPermitted
from oneteam.core.groupcommit import GroupCommit
from oneteam.core.i18n import record_language
from oneteam.core.memo import Memo
from oneteam.ledger import services as ledger
from oneteam.org import geo
from oneteam.org.choices import BodyKind
from oneteam.org.models import Body, Grid, Township, User, Village
from oneteam.workflow import services as kernel
from oneteam.workflow.declare import PartyRole
from oneteam.workflow.models import Party, Process

from .choices import Channel, DissuasionOutcome, Level, Urgency
from .models import DuplicateSuggestion, Event, EventCategory, ExternalSystem, Patrol

MAX_DESCRIPTION = 2000


def config(name: str, default: Any) -> Any:
    return getattr(settings, "ONETEAM_COMMAND", {}).get(name, default)


@dataclass
class Intake:
    """What a channel hands in. ``lng``/``lat`` or ``address`` + ``township`` is required."""

    channel: str
    category: EventCategory | str
    description: str
    lng: float | None = None
    lat: float | None = None
    address: str = ""
    township: Township | str | None = None
    urgency: str = Urgency.NORMAL
    reporter_name: str = ""
    reporter_phone: str = ""
    occurred_at: dt.datetime | None = None
    idempotency_key: str = ""
    external_id: str = ""
    dissuaded: bool | None = None
    dissuasion_outcome: str = ""
    attachments: list = field(default_factory=list)


@dataclass
class IntakeResult:
    event: Event
    created: bool
    duplicates: list[DuplicateSuggestion]


# Reference data every lead reads, memoised per process (``oneteam.core.memo``).
_categories = Memo("command.categories", watch=["command.EventCategory"])
_townships = Memo("command.townships", watch=["org.Township", "org.City"])
_bodies = Memo("command.bodies", watch=["org.Body"])


def _active_categories() -> dict[str, dict[str, EventCategory]]:
    """Active categories by own ``code`` and by Open311 ``service_code``."""
    def compute():
        index: dict[str, dict[str, EventCategory]] = {"code": {}, "open311": {}, "service": {}}
        for c in EventCategory.objects.filter(active=True).order_by("code"):  # the first by code wins
            index["code"].setdefault(c.code, c)
            index["service"].setdefault(c.service_code, c)
            if c.open311_code:
                index["open311"].setdefault(c.open311_code, c)
        return index

    return _categories.get("active", compute)


def find_category(value: str, *, service_code: bool = False) -> EventCategory | None:
    """The active category with ``code`` (or Open311 code) ``value``; with
    ``service_code`` only the Open311 ``service_code`` (Open311 code, else own code) counts."""
    value = str(value or "").strip()
    index = _active_categories()
    if service_code:
        return index["service"].get(value)
    return index["code"].get(value) or index["open311"].get(value)


def _category(value) -> EventCategory:
    if isinstance(value, EventCategory):
        return value
    category = find_category(value)
    if category is None:
        raise InvalidInput(_("未知的事件类别：%(c)s") % {"c": value}, code="unknown_category")
    return category


def township_by_pk(pk: int) -> Township:
    return _townships.get(("pk", pk), lambda: Township.objects.select_related("city").get(pk=pk))


def _township(value) -> Township | None:
    if value is None or value == "":
        return None
    if isinstance(value, Township):
        return value

    def compute():
        t = Township.objects.filter(code=str(value)).first() or Township.objects.filter(name=str(value)).first()
        return t.pk if t is not None else None

    pk = _townships.get(("name", str(value)), compute, keep=lambda found: found is not None)
    if pk is None:
        raise InvalidInput(_("未知的乡镇(街道)：%(t)s") % {"t": value}, code="unknown_township")
    return township_by_pk(pk)


def _locate(intake: Intake) -> tuple[Township, geo.Location | None]:
    """The lead's township and, for a point, its grid (which names its village)."""
    if (intake.lng is None) != (intake.lat is None):
        raise InvalidInput(_("经纬度须同时提供。"), code="bad_location")
    if intake.lng is not None:
        try:
            lng, lat = float(intake.lng), float(intake.lat)
        except (TypeError, ValueError):
            raise InvalidInput(_("经纬度格式有误。"), code="bad_location") from None
        if not (-180 <= lng <= 180 and -90 <= lat <= 90) or math.isnan(lng) or math.isnan(lat):
            raise InvalidInput(_("经纬度超出范围。"), code="bad_location")
        location = geo.locate(lng, lat)
        if location is None:
            raise InvalidInput(_("该位置（%(lng).5f, %(lat).5f）不在本市任何网格内，请核对位置。")
                               % {"lng": lng, "lat": lat}, code="outside_grids")
        township = township_by_pk(location.township_id)
        stated = _township(intake.township)
        if stated is not None and stated.pk != township.pk:
            raise InvalidInput(_("所填乡镇（%(a)s）与定位所在乡镇（%(b)s）不一致。") % {"a": stated, "b": township},
                               code="township_mismatch")
        return township, location
    township = _township(intake.township)
    if not intake.address.strip() or township is None:
        raise InvalidInput(_("请提供事件位置：经纬度，或地址加所在乡镇(街道)。"), code="location_required")
    return township, None


def _body(kind: str, township: Township) -> Body | None:
    return _bodies.get((kind, township.pk), lambda: Body.objects.filter(
        township=township, kind=kind, is_active=True).order_by("pk").first())


def dispatching_body(category: EventCategory, township: Township) -> Body:
    """The command room that files and dispatches: the township's, or the city
    command centre for city-level categories (and townships without a room)."""
    if category.level == Level.TOWNSHIP:
        room = _body(BodyKind.TOWNSHIP_COMMAND_ROOM, township)
        if room is not None:
            return room
    return command_centre(township)


def command_centre(township: Township) -> Body:
    centre = _bodies.get(("centre", township.city_id), lambda: Body.objects.filter(
        city_id=township.city_id, kind=BodyKind.COMMAND_CENTRE, is_active=True).order_by("pk").first())
    if centre is None:
        raise InvalidInput(_("未配置市行政执法指挥中心，无法受理事件。"), code="no_command_centre")
    return centre


def propose(category: EventCategory, township: Township, lng, lat, on: dt.date,
            located: geo.Location | None = None) -> tuple[Body | None, list[str]]:
    """The competence resolver's answer for the category's matter at the place
    (``located``: the point's grid, when the caller has looked it up).
    The reasons are kept on the lead: written in the installation's language
    whoever reports (``oneteam.core.i18n``)."""
    from oneteam.catalog.resolver import CompetenceError, who_handles

    with record_language():
        if not category.matter_codes:
            return None, [_("该类别未对应执法事项，由指挥室人工判断。")]
        try:
            if lng is not None:
                answer = who_handles(category.matter_codes[0], point=(float(lng), float(lat)), on=on,
                                     located=located)
            else:
                answer = who_handles(category.matter_codes[0], township=township, on=on)
        except CompetenceError as exc:
            return None, [exc.message]
    return answer.body, list(answer.reasons)


def _validate_text(intake: Intake) -> str:
    description = (intake.description or "").strip()
    if not description:
        raise InvalidInput(_("请填写事件描述。"), code="description_required")
    if len(description) > MAX_DESCRIPTION:
        raise InvalidInput(_("事件描述不能超过%(n)d字（当前%(m)d字）。")
                           % {"n": MAX_DESCRIPTION, "m": len(description)}, code="description_too_long")
    if intake.channel not in Channel.values:
        raise InvalidInput(_("未知的来源渠道：%(c)s") % {"c": intake.channel}, code="unknown_channel")
    if intake.urgency not in Urgency.values:
        raise InvalidInput(_("紧急程度无效。"), code="bad_urgency")
    if intake.dissuasion_outcome and intake.dissuasion_outcome not in DissuasionOutcome.values:
        raise InvalidInput(_("劝阻结果无效。"), code="bad_dissuasion")
    if len(intake.idempotency_key) > 100:
        raise InvalidInput(_("幂等键过长（最多100个字符）。"), code="bad_idempotency_key")
    return description


def _keyed(source: str, key: str):
    """The lead filed by ``source`` with idempotency ``key``. The ``exclude``
    repeats the partial unique index's condition so SQLite can use the index
    (it does not infer ``key <> ''`` from ``key = 'abc'``; without it, a scan
    of every lead)."""
    return Event.objects.filter(idempotency_source=source, idempotency_key=key).exclude(idempotency_key="")


def report_event(intake: Intake, *, actor: User | None = None, system: ExternalSystem | None = None,
                 reporter_body: Body | None = None) -> IntakeResult:
    """File a lead from any channel.

    Preconditions: a staff ``actor`` (grid officer, hotline clerk …) or an
    authenticated external ``system``. Locates the point (grid → village →
    township), asks the competence resolver for a proposal, finds possible
    duplicates, and starts an ``event`` process with the dispatching command
    room as initiator, the reporting body copied and the city command centre
    supervising; the dispatch deadline starts. A retry with the same
    idempotency key returns the first lead, never a second one.
    """
    if actor is None and system is None:
        raise NotPermitted(_("匿名来源不能直接上报，请通过外部系统接口。"), code="not_permitted")
    source = f"system:{system.pk}" if system is not None else f"user:{actor.pk}"
    key = (intake.idempotency_key or "").strip()
    if key:
        existing = _keyed(source, key).select_related(
            "process").first()
        if existing is not None:
            return IntakeResult(existing, False, list(existing.duplicate_suggestions.all()))
    description = _validate_text(intake)
    category = _category(intake.category)
    township, location = _locate(intake)
    reporter = reporter_body or (system.body if system is not None else actor.body)
    if reporter is None:
        raise NotPermitted(_("您的账号未关联单位，不能上报事件。"), code="no_body")
    now = timezone.now()
    occurred_at = intake.occurred_at or now
    proposed, reasons = propose(category, township, intake.lng, intake.lat, timezone.localdate(now), location)
    room = dispatching_body(category, township)
    # Everything but the inserts happens before the write transaction: it holds
    # SQLite's one write lock (and on PostgreSQL the ledger's head row).
    nearby = find_duplicates(category, township, intake.lng, intake.lat, occurred_at)
    plan = kernel.plan_start(
        "event", actor=None, initiator=room, copied=[reporter] if reporter.pk != room.pk else [],
        supervisor=command_centre(township) if room.kind != BodyKind.COMMAND_CENTRE else None,
        title=f"{category.name}：{description[:40]}", township=township,
        record_fields={
            "channel": intake.channel, "category": category, "matter_code": (category.matter_codes or [""])[0],
            "description": description, "urgency": intake.urgency,
            "occurred_at": occurred_at, "lng": intake.lng, "lat": intake.lat,
            "address": intake.address.strip()[:300], "township": township,
            # Instances with only their keys: the grid index vouches for them (no look-up, see ``kernel._clean``).
            "village": Village(pk=location.village_id) if location else None,
            "grid": Grid(pk=location.grid_id) if location else None, "reporter_name": intake.reporter_name.strip()[:50],
            "reporter_phone": intake.reporter_phone.strip()[:30], "reporter_user": actor,
            "external_system": system, "external_id": intake.external_id[:100],
            "idempotency_source": source if key else "", "idempotency_key": key,
            "proposed_body": proposed, "proposal_reasons": reasons, "dissuaded": intake.dissuaded,
            "dissuasion_outcome": intake.dissuasion_outcome,
        },
        data={"channel": intake.channel, "reported_by": str(actor or system), "reporter_body": str(reporter)},
    )
    try:
        event, duplicates = _leads.submit(_Lead(plan, intake.attachments, actor, system, nearby))
    except IntegrityError:
        # Two retries raced on the same idempotency key: the other one won.
        existing = _keyed(source, key).first() if key else None
        if existing is None:
            raise
        return IntakeResult(existing, False, list(existing.duplicate_suggestions.all()))
    return IntakeResult(event, True, duplicates)


@dataclass
class _Lead:
    """A planned lead waiting for its write (see ``_write_leads``)."""

    plan: kernel.StartPlan
    files: list
    actor: User | None
    system: ExternalSystem | None
    nearby: list[tuple[int, float]]


def _write_leads(leads: Sequence[_Lead]) -> list[tuple[Event, list[DuplicateSuggestion]]]:
    """Write planned leads in the current transaction: their photos (uploaded
    in the reporter's name, hashed, type-checked, a ledger entry at upload:
    evidence fixing, then bound to the start of the lead), the kernel starts,
    and the duplicate suggestions."""
    for lead in leads:
        lead.plan.attachments = kernel_uploads(lead.files, lead.actor, lead.system)
    processes = kernel.write_starts([lead.plan for lead in leads])
    found = [[DuplicateSuggestion(event=process.record, candidate_id=pk, distance_m=d) for pk, d in lead.nearby]
             for lead, process in zip(leads, processes, strict=True)]
    rows.insert([suggestion for suggestions in found for suggestion in suggestions])
    return [(process.record, suggestions) for process, suggestions in zip(processes, found, strict=True)]


def _number_leads(leads: Sequence[_Lead]) -> None:
    """On PostgreSQL the batch's numbers are taken before its transaction, so
    the number row is not locked until the commit (the other server
    processes' batches would queue on it); a lead that then fails (a lost
    idempotency race) leaves a gap in the numbers. SQLite's one writer
    serialises the whole transaction anyway: numbers stay inside it, gap-free."""
    if connection.vendor == "postgresql":
        kernel.number_starts([lead.plan for lead in leads])


#: Concurrent intakes of this process share a write transaction (``oneteam.core.groupcommit``).
_leads = GroupCommit("command.leads", _write_leads, before=_number_leads)


def kernel_uploads(files, actor, system=None):
    """Files handed in with a report, uploaded through the kernel in the
    reporter's (or the external system's) name."""
    return [kernel.do_upload(f, actor=actor, on_behalf_of=system.body if system and actor is None else None,
                             uploader_name=str(system or "")) if hasattr(f, "read") else f
            for f in (files or [])]


_NEAR_SQL: dict[str, str] = {}


def _near_sql(connection) -> str:
    """Leads of a category and township in a lng/lat box since a time, not
    merged: the same query as ``Event.objects.filter(...).values_list(...)``,
    written once per backend because every intake runs it (the ORM's query
    compilation was most of its cost).

    The unary ``+`` keeps the planner off the township and ``duplicate_of``
    indexes: with statistics, SQLite took "``duplicate_of`` IS NULL" for
    selective and scanned nearly every lead (0.4 s a lead at 10⁶ leads); the
    ``(category, lng, lat)`` range reads a few hundred index entries."""
    if connection.vendor not in _NEAR_SQL:
        qn, col = connection.ops.quote_name, (lambda name: qn(Event._meta.get_field(name).column))
        _NEAR_SQL[connection.vendor] = (
            f"SELECT {col('process')}, {col('lng')}, {col('lat')} FROM {qn(Event._meta.db_table)} "
            f"WHERE {col('category')} = %s AND +{col('township')} = %s AND {col('lng')} BETWEEN %s AND %s "
            f"AND {col('lat')} BETWEEN %s AND %s AND {col('occurred_at')} >= %s "
            f"AND +{col('duplicate_of')} IS NULL LIMIT 100")
    return _NEAR_SQL[connection.vendor]


def find_duplicates(category: EventCategory, township: Township, lng, lat,
                    occurred_at: dt.datetime) -> list[tuple[int, float]]:
    """Open leads of the same category within the radius and time window of a
    new lead at (``lng``, ``lat``): ``(event pk, distance in metres)``, nearest first."""
    if lng is None or lat is None:
        return []
    lng, lat = float(lng), float(lat)
    radius = float(config("DUPLICATE_RADIUS_M", 100))
    window = dt.timedelta(hours=float(config("DUPLICATE_WINDOW_HOURS", 72)))
    dlat = radius / 111_320
    dlng = radius / (111_320 * max(math.cos(math.radians(lat)), 0.01))
    # Two steps: the box on the (category, lng, lat) index without a join, so
    # the usual answer (nothing near) costs one index range; then which of the
    # few found are still open.
    with connection.cursor() as cur:
        cur.execute(_near_sql(connection), [
            category.pk, township.pk, lng - dlng, lng + dlng, lat - dlat, lat + dlat,
            connection.ops.adapt_datetimefield_value(occurred_at - window)])
        near = cur.fetchall()
    found = {pk: round(distance_m(lng, lat, c_lng, c_lat), 1) for pk, c_lng, c_lat in near}
    found = {pk: d for pk, d in found.items() if d <= radius}
    if not found:
        return []
    # Written out for the same reason as the box: the ORM's compilation cost more than the look-up.
    q, ids = connection.ops.quote_name, list(found)
    with connection.cursor() as cur:
        cur.execute(f"SELECT {q('id')} FROM {q(Process._meta.db_table)} WHERE {q('closed_at')} IS NULL "
                    f"AND {q('id')} IN ({', '.join(['%s'] * len(ids))})", ids)
        open_ids = [pk for (pk,) in cur.fetchall()]
    return sorted(((pk, found[pk]) for pk in open_ids), key=lambda c: (c[1], c[0]))[:20]


def distance_m(lng1, lat1, lng2, lat2) -> float:
    """Haversine distance in metres."""
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


@transaction.atomic
def do_keep_not_duplicate(suggestion: DuplicateSuggestion, *, actor: User) -> None:
    """The dispatcher decides a suggested duplicate is a separate lead."""
    if not kernel.can_act(suggestion.event.process, suggestion.event.process.flow.action("merge"), actor):
        raise NotPermitted(_("只有派遣单位的调度员可以判断重复。"), code="not_permitted")
    suggestion.decision = DuplicateSuggestion.Decision.KEPT
    suggestion.decided_at = timezone.now()
    suggestion.save(update_fields=["decision", "decided_at"])
    ledger.append("event.duplicate_kept", actor=actor, obj=suggestion.event.process,
                  payload={"candidate": suggestion.candidate.process.number})


SUPERVISING_KINDS = {BodyKind.COMMAND_CENTRE, BodyKind.GUIDANCE_OFFICE, BodyKind.TOWNSHIP_COMMAND_ROOM}


@transaction.atomic
def do_supervise(event: Event, *, actor: User, reason: str) -> None:
    """督办: mark an open lead as supervised and notify the handling body and
    the chain above it (its command room and the city centre). No state change."""
    process = event.process
    if process.is_closed:
        raise InvalidInput(_("已办结的事件无需督办。"), code="closed")
    if actor.body is None or actor.body.kind not in SUPERVISING_KINDS or (not Party.objects.filter(
        process=process, body=actor.body, active=True
    ).exists() and actor.body.kind != BodyKind.GUIDANCE_OFFICE):
        raise NotPermitted(_("只有指挥室、市指挥中心或市指导办可以督办。"), code="not_permitted")
    if not reason.strip():
        raise InvalidInput(_("督办须写明事由。"), code="reason_required")
    # The comment is the record (ledger entry ``event.comment``) and notifies every party.
    kernel.do_comment(process, actor=actor, text=_("【督办】%(r)s") % {"r": reason.strip()})


# ---------------------------------------------------------------- patrols


@transaction.atomic
def do_start_patrol(officer: User, *, lng: float | None = None, lat: float | None = None) -> Patrol:
    if Patrol.objects.filter(officer=officer, ended_at__isnull=True).exists():
        raise InvalidInput(_("您已有进行中的巡查，请先结束。"), code="patrol_open")
    grid = None
    if lng is not None and lat is not None:
        loc = geo.locate(float(lng), float(lat))
        grid = Grid(pk=loc.grid_id) if loc else None
    grid = grid or officer.grids_patrolled.first()
    patrol = Patrol.objects.create(officer=officer, grid=grid,
                                   route=[[lng, lat, timezone.now().isoformat()]] if lng is not None else [])
    ledger.append("patrol.start", actor=officer, obj=patrol, payload={"grid": getattr(grid, "pk", None)})
    return patrol


@transaction.atomic
def do_add_route_points(patrol: Patrol, *, actor: User, points: list) -> Patrol:
    patrol = Patrol.objects.select_for_update().get(pk=patrol.pk)
    if patrol.officer_id != actor.pk or patrol.ended_at is not None:
        raise InvalidInput(_("只能向自己进行中的巡查添加轨迹。"), code="patrol_closed")
    clean = []
    for p in points[:500]:
        try:
            lng, lat = float(p[0]), float(p[1])
        except (TypeError, ValueError, IndexError):
            raise InvalidInput(_("轨迹点格式有误。"), code="bad_point") from None
        at = str(p[2]) if len(p) > 2 else timezone.now().isoformat()
        clean.append([lng, lat, at])
    last = patrol.route[-1] if patrol.route else None
    for point in clean:
        if last is not None and last[0] is not None:
            patrol.distance_m += distance_m(last[0], last[1], point[0], point[1])
        last = point
    patrol.route = [*patrol.route, *clean]
    patrol.save(update_fields=["route", "distance_m"])
    return patrol


@transaction.atomic
def do_end_patrol(patrol: Patrol, *, actor: User) -> Patrol:
    if patrol.officer_id != actor.pk or patrol.ended_at is not None:
        raise InvalidInput(_("只能结束自己进行中的巡查。"), code="patrol_closed")
    patrol.ended_at = timezone.now()
    patrol.save(update_fields=["ended_at"])
    ledger.append("patrol.end", actor=actor, obj=patrol,
                  payload={"points": len(patrol.route), "distance_m": round(patrol.distance_m)})
    return patrol


__all__ = ["Intake", "IntakeResult", "PartyRole", "report_event"]
