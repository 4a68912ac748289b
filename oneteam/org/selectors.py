"""Scoped reads of organisation data for pages and the API."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch

from .models import Body, ModeDecision, Township, User


def townships_with_mode(user, on: dt.date) -> list[Township]:
    """Townships visible to ``user`` with ``current_mode`` (the decision in force
    on ``on``) and counts, in two queries regardless of the number of townships."""
    townships = list(
        Township.objects.visible_to(user)
        .annotate(village_count=Count("villages", distinct=True), grid_count=Count("villages__grids"))
        .prefetch_related(
            Prefetch(
                "mode_decisions",
                queryset=ModeDecision.objects.select_related("hub").order_by("effective_from", "recorded_at"),
            )
        )
        .order_by("code")
    )
    for t in townships:
        in_force = [d for d in t.mode_decisions.all() if d.effective_from <= on]
        t.current_mode = in_force[-1] if in_force else None
    return townships


def bodies_visible_to(user):
    return Body.objects.visible_to(user).select_related("township", "parent")


def people_visible_to(user):
    return User.objects.visible_to(user).select_related("body", "body__township").prefetch_related("roles")
