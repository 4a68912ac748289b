"""``{% load ledger %}``: an object's timeline, and action labels.

Other apps show an object's history with ``{% ledger_history obj %}`` (or
``{% include "ledger/partials/history.html" with entries=... %}`` when they
already hold the entries). The object's own access rules apply: only include
it on pages of objects the user may see.
"""

import json

from django import template

from oneteam.ledger.labels import action_label as _action_label
from oneteam.ledger.services import history

register = template.Library()


@register.inclusion_tag("ledger/partials/history.html")
def ledger_history(obj, limit: int | None = None):
    entries = history(obj)
    if limit:
        entries = list(entries.order_by("-seq")[:limit])[::-1]
    return {"entries": entries}


@register.filter
def action_label(action: str) -> str:
    return _action_label(action)


@register.filter
def pretty_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)
