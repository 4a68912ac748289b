"""Navigation and page banners contributed by each app in ``AppConfig.ready``.

Apps register what they own; the base layout shows only entries whose URL
exists and whose predicate admits the user, so no link points to a page that
is not there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


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
                    "group": item.group})
    return out


def banners_for(request) -> list[dict]:
    out: list[dict] = []
    for func in _banners:
        out.extend(func(request) or [])
    return out
