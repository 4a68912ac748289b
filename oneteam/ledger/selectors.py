"""Reads of the record for pages and the API. Lists are for administrators and
supervisors (:mod:`.access`); an empty queryset for anyone else."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import LedgerCheckpoint, LedgerEntry


def entries_visible_to(user) -> QuerySet[LedgerEntry]:
    """Newest first."""
    return LedgerEntry.objects.visible_to(user).order_by("-seq")


def checkpoints_visible_to(user) -> QuerySet[LedgerCheckpoint]:
    """Newest first. Checkpoints hold only hashes, so every signed-in user may read them."""
    if user is None or not user.is_authenticated:
        return LedgerCheckpoint.objects.none()
    return LedgerCheckpoint.objects.order_by("-tree_size", "-id")


def latest_checkpoint() -> LedgerCheckpoint | None:
    return LedgerCheckpoint.objects.order_by("-tree_size", "-id").first()
