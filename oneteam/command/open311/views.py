"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) over the
event intake: discovery, services, service definitions, service requests
(POST to file a lead, GET to follow it). Plain Django views: the spec fixes
the URL shapes (``.json``/``.xml``), the form-encoded POST and the error
format, none of which is DRF's.

Writes go through :func:`oneteam.command.services.report_event`; reads
through :func:`.public.requests_for`. POST authenticates with an external
system's ``api_key``; every view is CSRF-exempt because no session or cookie
is ever used here (so a wrong method gets the spec's 405, not a CSRF page).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from oneteam.core.errors import InvalidInput, NotPermitted, ServiceError
from oneteam.org.models import City

from ..models import ExternalSystem
from ..services import Intake, config, find_category, report_event
from . import parsing, public
from .formats import error, render

#: When this endpoint's contract last changed (discovery ``changeset``).
CHANGESET = "2026-05-06T00:00:00+08:00"
READ_METHODS = ("GET", "HEAD")


def _api_key(request) -> str:
    return (request.POST.get("api_key") or request.GET.get("api_key") or request.headers.get("X-API-Key")
            or "").strip()


def _not_allowed(fmt: str):
    return error(fmt, 405, _("不支持该请求方法。"), code="method_not_allowed")


def _bad_key(fmt: str, key: str):
    if not key:
        return error(fmt, 403, _("缺少 api_key。"), code="api_key_required")
    return error(fmt, 403, _("api_key 无效或已停用。"), code="api_key_invalid")


def _jurisdiction_error(request, fmt: str):
    """``jurisdiction_id`` is optional (one city per installation); if given it
    must name this city by code (330381) or name (瑞安市)."""
    value = (request.POST.get("jurisdiction_id") or request.GET.get("jurisdiction_id") or "").strip()
    if value and not City.objects.filter(Q(code=value) | Q(name=value)).exists():
        return error(fmt, 404, _("未知的 jurisdiction_id：%(j)s") % {"j": value[:40]}, code="unknown_jurisdiction")
    return None


def _service_error(fmt: str, exc: ServiceError):
    status = 403 if isinstance(exc, NotPermitted) else (exc.status_code or 400)
    return error(fmt, status, exc.message, code=exc.code)


# ---------------------------------------------------------------- discovery and services


@csrf_exempt
def discovery(request, fmt: str):
    if request.method not in READ_METHODS:
        return _not_allowed(fmt)
    base = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt})).rsplit("/", 1)[0] + "/"
    return render(fmt, "discovery", {
        "changeset": CHANGESET,
        "contact": str(config("OPEN311_CONTACT", _("瑞安市行政执法指挥中心"))),
        "key_service": str(config("OPEN311_KEY_SERVICE",
                                  _("向市行政执法指挥中心申请；管理员用 oneteam open311-key 签发密钥。"))),
        "endpoints": [{
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": base,
            "changeset": CHANGESET,
            "type": "production",
            "formats": ["application/json", "text/xml"],
        }],
    })


@csrf_exempt
def services(request, fmt: str):
    if request.method not in READ_METHODS:
        return _not_allowed(fmt)
    if response := _jurisdiction_error(request, fmt):
        return response
    return render(fmt, "services", [public.service_dict(c) for c in public.active_categories()])


@csrf_exempt
def service_definition(request, service_code: str, fmt: str):
    if request.method not in READ_METHODS:
        return _not_allowed(fmt)
    if response := _jurisdiction_error(request, fmt):
        return response
    category = find_category(service_code, service_code=True)
    if category is None:
        return error(fmt, 404, _("未知的服务代码：%(c)s") % {"c": service_code[:40]}, code="unknown_service")
    return render(fmt, "service_definition", public.service_definition(category))


# ---------------------------------------------------------------- service requests


@csrf_exempt
def requests(request, fmt: str):
    if request.method == "POST":
        return _create(request, fmt)
    if request.method not in READ_METHODS:
        return _not_allowed(fmt)
    return _list(request, fmt)


@csrf_exempt
def request_detail(request, request_id: str, fmt: str):
    if request.method not in READ_METHODS:
        return _not_allowed(fmt)
    system, response = _reader(request, fmt)
    if response is not None:
        return response
    event = public.requests_for(system).filter(process__number=request_id).first()
    if event is None:
        return error(fmt, 404, _("未找到服务请求：%(n)s") % {"n": request_id[:40]}, code="unknown_request")
    return render(fmt, "service_requests", [public.request_dict(event)])


def _reader(request, fmt: str):
    """The reading system (None in public mode without a key) or an error response."""
    if response := _jurisdiction_error(request, fmt):
        return None, response
    key = _api_key(request)
    system = ExternalSystem.authenticate(key) if key else None
    if key and system is None:
        return None, _bad_key(fmt, key)
    if system is None and public.read_mode() != public.READ_PUBLIC:
        return None, _bad_key(fmt, key)
    return system, None


def _list(request, fmt: str):
    system, response = _reader(request, fmt)
    if response is not None:
        return response
    qs = public.requests_for(system)
    params = request.GET
    try:
        ids = [i.strip() for i in params.get("service_request_id", "").split(",") if i.strip()]
        # The spec: with service_request_id every other filter is ignored.
        qs = qs.filter(process__number__in=ids[:public.MAX_REQUESTS]) if ids else _filter(qs, params)
    except InvalidInput as exc:
        return _service_error(fmt, exc)
    return render(fmt, "service_requests", [public.request_dict(e) for e in qs[:public.MAX_REQUESTS]])


def _filter(qs, params):
    codes = [c.strip() for c in params.get("service_code", "").split(",") if c.strip()]
    if codes:
        qs = qs.filter(Q(category__open311_code__in=codes) | Q(category__open311_code="", category__code__in=codes))
    statuses = {s.strip().lower() for s in params.get("status", "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        raise InvalidInput(_("status 只能是 open 或 closed。"), code="bad_status")
    if statuses == {"open"}:
        qs = qs.exclude(public.is_closed_q())
    elif statuses == {"closed"}:
        qs = qs.filter(public.is_closed_q())
    start = parsing.datetime_value(params.get("start_date"), "start_date")
    end = parsing.datetime_value(params.get("end_date"), "end_date", end_of_day=True)
    if start is None:
        start = (end or timezone.now()) - dt.timedelta(days=public.DEFAULT_DAYS)
    if end is not None and end < start:
        raise InvalidInput(_("end_date 早于 start_date。"), code="bad_date_range")
    qs = qs.reported_since(start)
    if end is not None:
        qs = qs.filter(process__created_at__lte=end)
    return qs


def _attributes(post) -> dict[str, str]:
    """``attribute[code]=value`` fields (a multi-value list keeps its first value)."""
    out = {}
    for name in post:
        if name.startswith("attribute[") and name.endswith("]"):
            out[name[len("attribute["):-1]] = post.get(name, "")
    return out


def _reporter_name(first: str, last: str) -> str:
    first, last = first.strip(), last.strip()
    # Chinese names are written surname first without a space.
    if any("\u4e00" <= ch <= "\u9fff" for ch in first + last):
        return f"{last}{first}"
    return f"{first} {last}".strip()


def _create(request, fmt: str):
    key = _api_key(request)
    system = ExternalSystem.authenticate(key)
    if system is None:
        return _bad_key(fmt, key)
    if response := _jurisdiction_error(request, fmt):
        return response
    post = request.POST
    service_code = post.get("service_code", "").strip()
    category = find_category(service_code, service_code=True)
    if category is None:
        message = (_("未知的服务代码：%(c)s") % {"c": service_code[:40]}) if service_code else _("缺少 service_code。")
        return error(fmt, 400, message, code="unknown_service")
    attrs = _attributes(post)
    try:
        lat = parsing.coordinate(post.get("lat"), "lat", -90, 90)
        lng = parsing.coordinate(post.get("long"), "long", -180, 180)
        dissuasion = parsing.dissuasion_outcome(attrs.get("dissuasion_outcome"))
        dissuaded = parsing.boolean(attrs.get("dissuaded"), "dissuaded")
        intake = Intake(
            channel=system.channel, category=category, description=post.get("description", ""),
            lng=lng, lat=lat, address=post.get("address_string", "").strip(),
            township=parsing.township(attrs.get("township")) or None,
            urgency=parsing.urgency(attrs.get("urgency")),
            reporter_name=_reporter_name(post.get("first_name", ""), post.get("last_name", "")),
            reporter_phone=post.get("phone", "").strip(),
            occurred_at=parsing.datetime_value(attrs.get("occurred_at"), "occurred_at"),
            idempotency_key=(request.headers.get("Idempotency-Key") or attrs.get("idempotency_key") or "").strip(),
            external_id=(attrs.get("external_id") or "").strip(),
            dissuaded=True if dissuasion and dissuaded is None else dissuaded,
            dissuasion_outcome=dissuasion,
        )
        # email, media_url, device_id, account_id: not stored (see docs/open311.md); media is never fetched.
        result = report_event(intake, system=system)
    except ServiceError as exc:
        return _service_error(fmt, exc)
    event = result.event
    return render(fmt, "service_requests", [{
        "service_request_id": event.process.number,
        "service_notice": _("已受理。%(t)s") % {"t": public.service_notice(event)},
        "account_id": None,
    }], status=201 if result.created else 200)
