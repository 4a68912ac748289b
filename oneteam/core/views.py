"""Cross-app pages: the home dashboard."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone

from oneteam.org.models import EnforcementCertificate, Township
from oneteam.org.selectors import townships_with_mode


@login_required
def home(request):
    today = timezone.localdate()
    townships = townships_with_mode(request.user, today)
    mode_counts: dict[str, int] = {}
    for t in townships:
        if t.current_mode:
            label = t.current_mode.get_mode_display()
            mode_counts[label] = mode_counts.get(label, 0) + 1
    expiring = (
        EnforcementCertificate.objects.visible_to(request.user)
        .expiring(settings.ONETEAM["CERTIFICATE_WARNING_DAYS"], today)
        .select_related("user", "user__body")
        .order_by("valid_until")[:20]
    )
    kinds = Township.objects.visible_to(request.user).values("kind").annotate(n=Count("pk"))
    return render(request, "core/home.html", {
        "townships": townships,
        "mode_counts": mode_counts,
        "expiring": expiring,
        "kinds": kinds,
        "today": today,
    })
