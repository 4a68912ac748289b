"""Scoped reads of the cooperation app. Every staff read goes through
``visible_to(user)`` (kernel processes, shared items)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from oneteam.org.choices import BodyKind, BodyLevel
from oneteam.org.models import Body
from oneteam.workflow import selectors as kernel_selectors
from oneteam.workflow.declare import PartyRole
from oneteam.workflow.models import Party, Process, ProcessDeadline

from . import flows, rules
from .models import CaseTransfer, Dispute, SharedItem, ShareRead, ShareReceipt


def processes(user, kind: str) -> QuerySet:
    return kernel_selectors.processes_of(user, kind)


def overdue(user, kind: str, *, now) -> QuerySet:
    """Open processes of ``kind`` the user may see whose running deadline has
    passed: the overdue flag shown to the department, the township and the
    guidance office alike (the kernel's "overdue" inbox tab misses citywide
    supervisors, whose scope has no body ids; reported to the kernel owner)."""
    qs = kernel_selectors.visible_of_kind(user, kind).open().filter(kernel_selectors.overdue_deadlines_q(now))
    return kernel_selectors.with_list_data(qs).order_by("created_at", "pk")


def transfer_for_letter(user, pk: int) -> CaseTransfer | None:
    """The transfer record whose letter ``user`` may download (a party or township staff)."""
    visible = Process.objects.visible_to(user).filter(kind=flows.CASE_TRANSFER.kind, pk=pk)
    return (CaseTransfer.objects.filter(process__in=visible).select_related("letter__blob", "process").first())


def open_disputes(user) -> QuerySet:
    """Open disputes the user may see, with their subject lead, the interim
    holder, the subject's current assignees and the running stage deadline,
    in a fixed number of queries (the dashboard "leads under dispute")."""
    visible = kernel_selectors.visible_of_kind(user, flows.DISPUTE.kind).filter(closed_at__isnull=True)
    return (
        Dispute.objects.filter(process__in=visible)
        .select_related("process", "process__township", "process__initiator_body", "subject", "subject__township",
                        "interim_body", "matter")
        .prefetch_related(
            Prefetch("process__deadlines", queryset=ProcessDeadline.objects.filter(stopped_at__isnull=True),
                     to_attr="open_deadlines"),
            Prefetch("subject__parties", queryset=Party.objects.filter(role=PartyRole.ASSIGNEE, active=True)
                     .select_related("body"), to_attr="current_assignees"),
            Prefetch("subject__deadlines", queryset=ProcessDeadline.objects.filter(stopped_at__isnull=True),
                     to_attr="open_deadlines"),
        )
        .order_by("-process__created_at", "-pk")
    )


def shares(user, *, q: str = "", field: str = "", category: str = "", matter: str = "",
           unread: bool = False) -> QuerySet:
    """Shared items visible to ``user`` (a township sees what was delivered to
    it, a publisher what it published), searchable by text, field, category
    and matter code, each marked read/unread for the user."""
    qs = SharedItem.objects.visible_to(user).select_related("publisher", "matter")
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(content__icontains=q) | Q(document_no__icontains=q))
    if field:
        qs = qs.filter(field=field)
    if category:
        qs = qs.filter(category=category)
    if matter:
        qs = qs.filter(Q(matter__code=matter) | Q(matter__name__icontains=matter))
    qs = qs.annotate(is_read=Exists(ShareRead.objects.filter(item=OuterRef("pk"), user_id=getattr(user, "pk", None))))
    if unread:
        qs = qs.filter(is_read=False)
    return qs.order_by("-published_at", "-pk")


def receipts(item: SharedItem) -> QuerySet:
    return ShareReceipt.objects.filter(item=item).select_related("township").order_by("township__code")


def share_fields() -> list[str]:
    return list(SharedItem.objects.exclude(field="").values_list("field", flat=True).distinct().order_by("field"))


def departments() -> QuerySet:
    return Body.objects.filter(kind=BodyKind.DEPARTMENT, level=BodyLevel.CITY, is_active=True).order_by("code")


def prefecture_departments() -> QuerySet:
    return Body.objects.filter(kind=BodyKind.DEPARTMENT, level=BodyLevel.PREFECTURE, is_active=True).order_by("code")


def transfer_receivers(sender: Body | None) -> list[Body]:
    """Bodies a transfer from ``sender`` may go to (same level, legal receivers)."""
    if sender is None:
        return []
    qs = Body.objects.filter(Q(kind=BodyKind.DEPARTMENT, level=BodyLevel.CITY)
                             | Q(kind__in=rules.TOWNSHIP_SENDER_KINDS, level=BodyLevel.TOWNSHIP),
                             city_id=sender.city_id, is_active=True).exclude(pk=sender.pk)
    out = []
    for body in qs.select_related("township").order_by("level", "code"):
        try:
            rules.check_transfer_pair(sender, body)
        except Exception:  # not a legal pair: not offered
            continue
        out.append(body)
    return out


def active_bodies() -> QuerySet:
    return Body.objects.filter(is_active=True).exclude(kind=BodyKind.VILLAGE_COMMITTEE).order_by("level", "code")
