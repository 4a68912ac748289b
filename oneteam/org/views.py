"""Staff pages for organisation and jurisdiction. Every read goes through
``visible_to(user)``; a township outside the user's scope is a 404."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from . import geo
from .choices import BodyKind, BodyLevel, EnforcementMode
from .models import Body, EnforcementCertificate, Grid, ModeDecision, Township, User
from .selectors import townships_with_mode


def _date(request) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return timezone.localdate()


@login_required
def township_list(request):
    on = _date(request)
    townships = townships_with_mode(request.user, on)
    mode = request.GET.get("mode")
    if mode in EnforcementMode.values:
        townships = [t for t in townships if t.current_mode and t.current_mode.mode == mode]
    return render(request, "org/township_list.html", {
        "townships": townships, "on": on, "modes": EnforcementMode.choices, "mode": mode,
    })


@login_required
def township_detail(request, pk: int):
    township = get_object_or_404(Township.objects.visible_to(request.user), pk=pk)
    today = timezone.localdate()
    decisions = list(township.mode_decisions.select_related("hub", "recorded_by").order_by("effective_from",
                                                                                           "recorded_at"))
    current = [d for d in decisions if d.effective_from <= today]
    villages = township.villages.annotate(grid_count=Count("grids")).order_by("code")
    bodies = Body.objects.filter(township=township, village__isnull=True).select_related("parent")
    served = ModeDecision.objects.filter(hub=township).select_related("township")
    return render(request, "org/township_detail.html", {
        "township": township, "decisions": decisions, "current": current[-1] if current else None,
        "villages": villages, "bodies": bodies, "served": served, "today": today,
    })


@login_required
def city_map(request):
    return render(request, "org/city_map.html", {"townships": townships_with_mode(request.user, timezone.localdate())})


@login_required
def grids_geojson(request):
    """Visible grids as a GeoJSON FeatureCollection, optionally one township's."""
    grids = Grid.objects.visible_to(request.user).select_related("village__township", "chief")
    if township := request.GET.get("township"):
        grids = grids.filter(village__township_id=township)
    today = timezone.localdate()
    modes = {t.pk: t.current_mode for t in townships_with_mode(request.user, today)}
    features = []
    for g in grids.order_by("code"):
        mode = modes.get(g.village.township_id)
        features.append({
            "type": "Feature",
            "geometry": g.geometry,
            "properties": {
                "code": g.code, "name": g.name, "village": g.village.name, "township": g.village.township.name,
                "township_id": g.village.township_id, "mode": mode.mode if mode else None,
                "mode_label": mode.label if mode else "", "chief": str(g.chief) if g.chief else "",
                "synthetic": g.is_synthetic,
            },
        })
    return JsonResponse({"type": "FeatureCollection", "features": features})


@login_required
def locate(request):
    """htmx fragment: which grid, village and township a clicked point lies in."""
    context: dict = {}
    try:
        lng, lat = float(request.GET["lng"]), float(request.GET["lat"])
    except (KeyError, ValueError):
        context["error"] = _("请提供有效的经纬度。")
    else:
        context.update(lng=lng, lat=lat, location=geo.locate(lng, lat))
        if context["location"] is not None and not Township.objects.visible_to(request.user).filter(
            pk=context["location"].township_id
        ).exists():
            context["location"] = None
            context["outside_scope"] = True
    return render(request, "org/partials/locate.html", context)


@login_required
def body_list(request):
    bodies = Body.objects.visible_to(request.user).select_related("township", "parent").annotate(
        staff_count=Count("staff")
    )
    kind = request.GET.get("kind")
    if kind in BodyKind.values:
        bodies = bodies.filter(kind=kind)
    if q := request.GET.get("q", "").strip():
        bodies = bodies.filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code__icontains=q))
    if not kind and not q:
        bodies = bodies.exclude(kind=BodyKind.VILLAGE_COMMITTEE)
    groups: dict[str, list] = {}
    for body in bodies.order_by("level", "kind", "code"):
        groups.setdefault(f"{body.get_level_display()} · {body.get_kind_display()}", []).append(body)
    # The directory lists every township's bodies; only the reader's own townships' pages open.
    openable = set(Township.objects.visible_to(request.user).values_list("pk", flat=True))
    return render(request, "org/body_list.html", {
        "groups": groups, "kinds": BodyKind.choices, "kind": kind, "q": q, "levels": BodyLevel.choices,
        "openable_townships": openable,
    })


@login_required
def people_list(request):
    people = User.objects.visible_to(request.user).filter(is_active=True).select_related(
        "body", "body__township"
    ).prefetch_related("roles", Prefetch("certificates", queryset=EnforcementCertificate.objects.order_by(
        "-valid_until")))
    if q := request.GET.get("q", "").strip():
        people = people.filter(Q(full_name__icontains=q) | Q(username__icontains=q) | Q(body__name__icontains=q))
    page = Paginator(people.order_by("body__code", "username"), 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for person in page:
        person.today_certificate = next((c for c in person.certificates.all() if c.is_valid_on(today)), None)
    return render(request, "org/people_list.html", {"page": page, "q": q, "today": today})


@login_required
def person_detail(request, pk: int):
    person = get_object_or_404(User.objects.visible_to(request.user).select_related("body"), pk=pk)
    today = timezone.localdate()
    return render(request, "org/person_detail.html", {
        "person": person, "today": today,
        "certificates": person.certificates.order_by("-valid_until"),
        "qualifications": person.legal_qualifications.all(),
        "trainings": person.trainings.all(),
        "commendations": person.commendations.all(),
        "warning_days": settings.ONETEAM["CERTIFICATE_WARNING_DAYS"],
    })


@login_required
def certificate_list(request):
    today = timezone.localdate()
    days = settings.ONETEAM["CERTIFICATE_WARNING_DAYS"]
    certs = EnforcementCertificate.objects.visible_to(request.user).select_related("user", "user__body")
    return render(request, "org/certificate_list.html", {
        "expiring": certs.expiring(days, today).order_by("valid_until"),
        "expired": certs.filter(Q(valid_until__lt=today) | Q(revoked_on__lte=today)).order_by("-valid_until")[:100],
        "valid_count": certs.valid_on(today).count(),
        "days": days, "today": today,
    })
