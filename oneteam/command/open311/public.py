"""What Open311 shows: services (event categories) and service requests
(events) in their public form.

A service request shows only what the public may see: no reporter name,
phone, account or external system, no routing reasons, no duplicates; free
text (description, address, result) passes through :func:`mask_text`.
Every read goes through :func:`requests_for`, the one place that decides
which requests a caller may list.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from oneteam.org.models import Township
from oneteam.workflow.models import ProcessDeadline

from ..choices import DissuasionOutcome, Urgency
from ..models import Event, EventCategory, ExternalSystem
from ..services import config
from .masking import mask_text

#: States reported as Open311 ``closed`` (besides any process the kernel closed).
CLOSED_STATES = ("closed", "archived", "cancelled", "merged")
#: The open deadline shown as ``expected_datetime``, first found wins.
EXPECTED_DEADLINES = ("handling", "response", "verify")
MAX_REQUESTS = 1000
DEFAULT_DAYS = 90

#: Who may read service requests (``ONETEAM_COMMAND["OPEN311_READ"]``):
#: ``own`` (default) an api_key is required and a system sees the requests it
#: filed; ``all`` an api_key is required and sees every request; ``public`` no
#: key needed, every request. The output is the masked public form in all three.
READ_OWN, READ_ALL, READ_PUBLIC = "own", "all", "public"


def read_mode() -> str:
    mode = str(config("OPEN311_READ", READ_OWN))
    return mode if mode in (READ_OWN, READ_ALL, READ_PUBLIC) else READ_OWN


def iso(value: dt.datetime | None) -> str | None:
    """ISO 8601 in local time with its offset (``2026-05-06T09:30:00+08:00``)."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


# ---------------------------------------------------------------- services


def active_categories() -> QuerySet[EventCategory]:
    return EventCategory.objects.filter(active=True).order_by("code")


def _times(category: EventCategory, urgency: str = Urgency.NORMAL) -> str:
    return _("响应时限%(r)s，处置时限%(h)s。") % {
        "r": category.period("respond", urgency), "h": category.period("handle", urgency)}


def service_dict(category: EventCategory) -> dict:
    description = _("%(name)s。一般事件%(normal)s紧急事件%(urgent)s") % {
        "name": category.name, "normal": _times(category), "urgent": _times(category, Urgency.URGENT)}
    return {
        "service_code": category.service_code,
        "service_name": category.name,
        "description": description,
        # Every service has at least the urgency attribute.
        "metadata": True,
        "type": "realtime",
        "keywords": ",".join(k.strip() for k in category.keywords.replace("，", ",").split(",") if k.strip()),
        "group": category.field,
    }


def _attribute(order: int, code: str, description: str, *, datatype: str = "string", required: bool = False,
               variable: bool = True, values: list[tuple[str, str]] | None = None, datatype_description: str = ""):
    return {
        "variable": variable, "code": code, "datatype": datatype, "required": required,
        "datatype_description": datatype_description or None, "order": order, "description": description,
        **({"values": [{"key": k, "name": str(n)} for k, n in values]} if values is not None else {}),
    }


def township_values() -> list[tuple[str, str]]:
    return list(Township.objects.order_by("code").values_list("code", "name"))


def service_definition(category: EventCategory) -> dict:
    """The attributes a client may send with a request of this service, then
    the category's filing conditions as information (``variable`` false)."""
    attributes = [
        _attribute(1, "urgency", _("紧急程度"), datatype="singlevaluelist",
                   values=[(v, label) for v, label in Urgency.choices],
                   datatype_description=_("默认：一般")),
        _attribute(2, "township", _("所在乡镇(街道)"), datatype="singlevaluelist", values=township_values(),
                   datatype_description=_("只提供地址（address_string）而无经纬度时必填；可填代码或名称。")),
        _attribute(3, "dissuaded", _("报告时是否已劝阻"), datatype="singlevaluelist",
                   values=[("true", _("是")), ("false", _("否"))]),
        _attribute(4, "dissuasion_outcome", _("劝阻结果"), datatype="singlevaluelist",
                   values=list(DissuasionOutcome.choices)),
        _attribute(5, "occurred_at", _("发现时间"), datatype="datetime",
                   datatype_description=_("ISO 8601，如 2026-05-06T09:30:00+08:00；默认为提交时间。")),
        _attribute(6, "external_id", _("外部工单编号"), datatype_description=_("如12345热线工单号，最多100个字符。")),
    ]
    for i, condition in enumerate(category.filing_conditions or [], start=1):
        attributes.append(_attribute(len(attributes) + 1, f"filing_condition_{i}",
                                     _("立案条件：%(c)s") % {"c": condition}, variable=False))
    return {"service_code": category.service_code, "attributes": attributes}


# ---------------------------------------------------------------- requests


def requests_for(system: ExternalSystem | None) -> QuerySet[Event]:
    """The requests the caller may read (see :data:`READ_OWN`), with what
    :func:`request_dict` needs loaded in a fixed number of queries."""
    qs = Event.objects.select_related(
        "process", "process__initiator_body", "category", "handling_body", "duplicate_of__process",
    ).prefetch_related(
        Prefetch("process__deadlines", to_attr="open_deadlines",
                 queryset=ProcessDeadline.objects.filter(stopped_at__isnull=True, name__in=EXPECTED_DEADLINES)),
    )
    if read_mode() == READ_OWN:
        qs = qs.filter(external_system=system) if system is not None else qs.none()
    return qs.order_by("-process__created_at", "-process_id")


def is_closed_q() -> Q:
    return Q(process__closed_at__isnull=False) | Q(process__state__in=CLOSED_STATES)


def status_of(event: Event) -> str:
    process = event.process
    return "closed" if process.closed_at is not None or process.state in CLOSED_STATES else "open"


def _status_notes(event: Event) -> str:
    process = event.process
    notes = str(process.state_label)
    if process.state == "merged" and event.duplicate_of_id:
        notes += _("：与%(n)s合并处理") % {"n": event.duplicate_of.process.number}
    elif status_of(event) == "closed" and event.result:
        notes += _("：%(r)s") % {"r": mask_text(event.result)}
    return notes


def agency_of(event: Event) -> str:
    """The handling body once dispatched; until then the command room that dispatches."""
    body = event.handling_body or event.process.initiator_body
    return body.name if body is not None else ""


def service_notice(event: Event) -> str:
    return _times(event.category, event.urgency)


def _expected(event: Event) -> str | None:
    process = event.process
    loaded = getattr(process, "open_deadlines", None)  # prefetched by requests_for()
    if loaded is None:
        loaded = process.deadlines.filter(stopped_at__isnull=True, name__in=EXPECTED_DEADLINES)
    deadlines = {d.name: d for d in loaded}
    for name in EXPECTED_DEADLINES:
        if name in deadlines:
            return iso(deadlines[name].due_at)
    return None


def request_dict(event: Event) -> dict:
    process = event.process
    return {
        "service_request_id": process.number,
        "status": status_of(event),
        "status_notes": _status_notes(event),
        "service_name": event.category.name,
        "service_code": event.category.service_code,
        "description": mask_text(event.description),
        "agency_responsible": agency_of(event),
        "service_notice": service_notice(event),
        "requested_datetime": iso(process.created_at),
        "updated_datetime": iso(process.updated_at),
        "expected_datetime": _expected(event),
        "address": mask_text(event.address),
        "address_id": "",
        "zipcode": "",
        "lat": event.lat,
        "long": event.lng,
        "media_url": "",
    }

