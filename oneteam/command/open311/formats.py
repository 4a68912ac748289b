"""Open311 GeoReport v2 wire formats: the same data as JSON or XML, and the
spec's error shape (``[{"code": 400, "description": …}]`` /
``<errors><error><code>400</code><description>…</description></error></errors>``).

Values are plain Python: ``None`` → JSON ``null`` / empty XML element,
``bool`` → ``true``/``false``, lists of dicts → repeated child elements named
by the caller (``services`` → ``service``)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from django.http import HttpResponse

JSON = "json"
XML = "xml"
CONTENT_TYPES = {JSON: "application/json; charset=utf-8", XML: "text/xml; charset=utf-8"}

#: For lists inside an object: the XML element name of each item.
ITEM_NAMES = {
    "endpoints": "endpoint", "formats": "format", "attributes": "attribute", "values": "value",
    "services": "service", "service_requests": "request", "errors": "error",
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        item_name = ITEM_NAMES.get(element.tag, "item")
        for child in value:
            _fill(ET.SubElement(element, item_name), child)
    else:
        element.text = _text(value)


def to_xml(root: str, value: Any) -> bytes:
    element = ET.Element(root)
    _fill(element, value)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def render(fmt: str, root: str, value: Any, *, status: int = 200) -> HttpResponse:
    """``value`` as JSON, or as XML under the element ``root`` (a list's items
    are named from :data:`ITEM_NAMES`)."""
    body = to_xml(root, value) if fmt == XML else json.dumps(value, ensure_ascii=False).encode()
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES.get(fmt, CONTENT_TYPES[JSON]))


def error(fmt: str, status: int, description: str, *, code: str = "") -> HttpResponse:
    """The spec's error list with one error. Our machine code (e.g.
    ``outside_grids``) travels in the ``X-OneTeam-Error`` header so the body
    stays exactly the spec's shape."""
    response = render(fmt, "errors", [{"code": status, "description": str(description)}], status=status)
    if code:
        response["X-OneTeam-Error"] = code
    return response
