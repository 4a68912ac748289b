"""The header's unread-notification count.

Add ``"oneteam.workflow.context_processors.notifications"`` to the template
context processors: it exposes ``unread_notifications`` as a callable (templates call it when
used), so the COUNT query runs only on pages that show it, once per request."""

from __future__ import annotations

from functools import partial


def unread_count(request, user) -> int:
    cached = getattr(request, "_oneteam_unread", None) if request is not None else None
    if cached is not None:
        return cached
    from .models import Notification

    n = Notification.objects.filter(user=user, read_at__isnull=True).count()
    if request is not None:
        request._oneteam_unread = n
    return n


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": partial(unread_count, request, user)}
