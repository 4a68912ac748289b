"""Navigation and page banners contributed by each app in ``AppConfig.ready``.

Apps register what they own; the base layout shows only entries whose URL
exists and whose predicate admits the user, so no link points to a page that
is not there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    order: int = 100
    visible: Callable | None = None  # visible(user) -> bool
    group: str = ""


_items: list[NavItem] = []
_banners: list[Callable] = []


def register_nav(label, url_name: str, *, order: int = 100, visible: Callable | None = None,
                 group: str = "") -> None:
    if any(item.url_name == url_name for item in _items):
        return
    _items.append(NavItem(label, url_name, order, visible, group))


def register_banner(func: Callable) -> None:
    """``func(request) -> list[dict(level, message)]`` adds banners to staff pages."""
    if func not in _banners:
        _banners.append(func)


#: Menu groups by URL namespace (an item's own ``group`` wins).
GROUPS = [
    ("command", _("协同指挥")), ("workflow", _("协同指挥")),
    ("cooperation", _("协作配合")), ("linkage", _("协作配合")),
    ("catalog", _("执法事项")),
    ("org", _("组织与人员")),
    ("oversight", _("监督考核")), ("ledger", _("监督考核")), ("worktime", _("监督考核")),
]


def _group_of(item: NavItem) -> str:
    if item.group:
        return str(item.group)
    namespace = item.url_name.split(":", 1)[0]
    return next((str(label) for ns, label in GROUPS if ns == namespace), str(_("其他")))


def nav_groups(request, items: list[dict] | None = None) -> list[dict]:
    """The menu: groups in the order of their first item, items by order
    (``items``: :func:`nav_for`'s answer, when the caller has it already)."""
    groups: dict[str, dict] = {}
    for item in nav_for(request) if items is None else items:
        group = groups.setdefault(item["group"], {"label": item["group"], "items": [], "active": False})
        group["items"].append(item)
        group["active"] = group["active"] or item["active"]
    return list(groups.values())


def nav_for(request) -> list[dict]:
    user = request.user
    out = []
    for item in sorted(_items, key=lambda i: (i.order, i.url_name)):
        if item.visible is not None and not item.visible(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        out.append({"label": item.label, "url": url, "active": request.path.startswith(url) and url != "/",
                    "group": _group_of(item)})
    return out


def banners_for(request) -> list[dict]:
    out: list[dict] = []
    for func in _banners:
        out.extend(func(request) or [])
    return out
