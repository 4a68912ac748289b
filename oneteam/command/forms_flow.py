"""Choices for the event flow's action forms (``Field.choices(process, user)``)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from oneteam.org.models import Body

from .choices import CheckVerdict, CoordinationKind
from .handlers import HANDLING_KINDS


def filing_conditions(process, user):
    return [(c, c) for c in process.record.category.filing_conditions]


def closing_conditions(process, user):
    return [(c, c) for c in process.record.category.closing_conditions]


def check_verdicts(process, user):
    return CheckVerdict.choices


def _label(body: Body, proposed_id) -> str:
    return _("%(b)s（系统建议）") % {"b": body.name} if body.pk == proposed_id else body.name


def township_bodies(process, user):
    """What a township room may dispatch to: its township's handling bodies,
    and the resolver's proposal (e.g. the hub town's team) first."""
    event = process.record
    bodies = list(Body.objects.filter(Q(township_id=event.township_id, kind__in=HANDLING_KINDS)
                                      | Q(pk=event.proposed_body_id), is_active=True).order_by("kind", "code"))
    bodies.sort(key=lambda b: b.pk != event.proposed_body_id)
    return [(b.pk, _label(b, event.proposed_body_id)) for b in bodies]


def any_handling_body(process, user):
    event = process.record
    bodies = list(Body.objects.filter(Q(township__isnull=True) | Q(township_id=event.township_id),
                                      kind__in=HANDLING_KINDS, is_active=True, level__in=["city", "township"])
                  .order_by("level", "kind", "code"))
    bodies.sort(key=lambda b: b.pk != event.proposed_body_id)
    return [(b.pk, _label(b, event.proposed_body_id)) for b in bodies]


def coordination_kinds(process, user):
    return CoordinationKind.choices


def merge_candidates(process, user):
    from .models import Event

    event = process.record
    # Suggested when the lead came in; offered while still open (the merge refuses a closed one).
    suggested = [s.candidate for s in event.duplicate_suggestions.select_related("candidate__process")
                 if not s.candidate.process.is_closed]
    # Open only, which leaves out merged leads too: "merged" is a terminal state.
    # (A test of duplicate_of IS NULL as well made SQLite read nearly every lead
    # through that index, whose statistics count each NULL as a distinct value:
    # 0.4-0.6 s a detail page at 10^6 leads.)
    others = (Event.objects.filter(township_id=event.township_id, category_id=event.category_id,
                                   process__closed_at__isnull=True)
              .exclude(pk=event.pk).select_related("process").order_by("-process__created_at")[:20])
    seen, out = set(), []
    for e in [*suggested, *others]:
        if e.pk not in seen:
            seen.add(e.pk)
            out.append((e.process.number, f"{e.process.number} {e.description[:30]}"))
    return out
