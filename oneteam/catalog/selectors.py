"""Reads of the catalog context for pages, the API and commands.

Catalogs, matters, published decisions and power lists are public to all
staff (the county publishes them before they take effect, 条例 Art. 9), so
these reads only need ``visible_to`` to shut out anonymous users.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from oneteam.org.models import Township

from .models import (
    Catalog,
    CatalogVersion,
    DiscretionTier,
    Empowerment,
    EmpowermentDecision,
    Matter,
    MatterEntry,
)


def versions_in_force(on: dt.date) -> list[CatalogVersion]:
    """The version of each catalog in force on ``on`` (one query)."""
    return list(CatalogVersion.objects.in_force(on).select_related("catalog").order_by("catalog__order"))


def catalogs_with_versions(user) -> list[Catalog]:
    return list(
        Catalog.objects.visible_to(user).prefetch_related(
            Prefetch("versions", queryset=CatalogVersion.objects.order_by("-effective_from"))
        )
    )


def entries_in_force(user, on: dt.date) -> QuerySet[MatterEntry]:
    """Every matter entry of the catalog versions in force on ``on``."""
    return (
        MatterEntry.objects.visible_to(user)
        .in_force(on)
        .select_related("version__catalog", "matter", "department")
        .order_by("matter__code", "version__catalog__order")
    )


def search_entries(qs: QuerySet[MatterEntry], *, q: str = "", field: str = "", catalog: str = "",
                   kind: str = "") -> QuerySet[MatterEntry]:
    """Filter entries by free text (code or name), field, catalog code and kind."""
    q = q.strip()
    if q:
        qs = qs.filter(Q(matter__code__startswith=q) | Q(name__icontains=q))
    if field:
        qs = qs.filter(field=field)
    if catalog:
        qs = qs.filter(version__catalog__code=catalog)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def fields_in_force(on: dt.date) -> list[str]:
    return sorted(set(MatterEntry.objects.in_force(on).values_list("field", flat=True)))


def entry_for(matter: Matter, on: dt.date) -> MatterEntry | None:
    """The entry describing ``matter`` on ``on``: from the catalog versions in
    force that list it, the one of the township-selectable catalog first (it is
    the one empowerment refers to), then by catalog order."""
    return (
        MatterEntry.objects.in_force(on)
        .filter(matter=matter)
        .select_related("version__catalog", "department", "matter")
        .prefetch_related(Prefetch("tiers", queryset=DiscretionTier.objects.order_by("order")))
        .order_by("-version__catalog__township_selectable", "version__catalog__order")
        .first()
    )


def matter_history(matter: Matter) -> list[MatterEntry]:
    """Every entry of ``matter`` in every version, newest first."""
    return list(
        MatterEntry.objects.filter(matter=matter)
        .select_related("version__catalog", "department")
        .prefetch_related(Prefetch("tiers", queryset=DiscretionTier.objects.order_by("order")))
        .order_by("-version__effective_from", "version__catalog__order")
    )


@dataclass(frozen=True)
class PowerListItem:
    entry: MatterEntry
    empowerment: Empowerment


def power_list(township: Township, on: dt.date) -> list[PowerListItem]:
    """A township's power list (权力清单) on ``on``: matters empowered to it and
    in force that day, each with the catalog entry that describes it. Derived
    from the published decisions and the catalogs; three queries."""
    empowerments = {
        e.matter_id: e
        for e in Empowerment.objects.active_on(on).filter(township=township).select_related("granted_by", "matter")
    }
    if not empowerments:
        return []
    entries: dict[int, MatterEntry] = {}
    qs = (
        MatterEntry.objects.in_force(on)
        .filter(matter_id__in=list(empowerments))
        .select_related("version__catalog", "department", "matter")
        .order_by("matter__code", "-version__catalog__township_selectable", "version__catalog__order")
    )
    for entry in qs:
        entries.setdefault(entry.matter_id, entry)
    return [PowerListItem(entries[mid], empowerments[mid]) for mid in sorted(entries, key=lambda m: entries[m]
                                                                             .matter.code)]


def decisions_for(user, township: Township | None = None) -> QuerySet[EmpowermentDecision]:
    qs = EmpowermentDecision.objects.visible_to(user).select_related("township", "mode_decision")
    if township is not None:
        qs = qs.filter(township=township)
    return qs


def find_township(text: str) -> Township | None:
    """A township by exact name, 12-digit code, 3-digit short code, or a
    unique name prefix ("安阳" → 安阳街道)."""
    text = (text or "").strip()
    if not text:
        return None
    qs = Township.objects.select_related("city")
    found = qs.filter(Q(name=text) | Q(code=text)).first()
    if found:
        return found
    if text.isdigit() and len(text) == 3:
        matches = list(qs.filter(code__endswith=f"{text}000", code__regex=r"^[0-9]{6}" + text + "000$")[:2])
        if len(matches) == 1:
            return matches[0]
    matches = list(qs.filter(name__startswith=text)[:2])
    return matches[0] if len(matches) == 1 else None


def find_matter(text: str) -> Matter | None:
    text = (text or "").strip()
    if not text:
        return None
    return Matter.objects.filter(code=text).first()
