"""Scoped reads of processes for pages and the API (inbox, lists, detail)."""

from __future__ import annotations

import datetime as dt
from functools import reduce
from operator import or_

from django.db import connections
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oneteam.core.access import scope_for
from oneteam.core.errors import InvalidInput
from oneteam.core.paging import Chained, in_key_order, keys_of
from oneteam.org.models import Body
from oneteam.worktime.services import due_text, status_text

from . import clock
from .declare import PartyRole, all_flows
from .models import MOST_PRESSING, Attachment, Party, Process, ProcessDeadline, Transition

INBOX_TABS = {
    "todo": _("待我处理"),
    "overdue": _("已超期"),
    "copied": _("抄送我的"),
    "initiated": _("我发起的"),
}

#: The orders of a process list: the most pressing first (the earliest
#: running clock, ``Process.next_due``; none running — finished, suspended —
#: last), the newest first, the last changed first.
ORDERS = {
    "due": _("最紧迫"),
    "new": _("最新发起"),
    "updated": _("最近更新"),
}
_ORDER_BY = {
    "due": MOST_PRESSING,
    "new": ("-created_at", "-pk"),
    "updated": ("-updated_at", "-pk"),
}
#: A tab's order when none is asked for: work to do by its deadline.
INBOX_ORDER = {"todo": "due", "overdue": "due", "copied": "updated", "initiated": "updated"}

_NONE = Q(pk__in=[])


def order_of(value: str | None, default: str) -> str:
    """``value`` if it names an order (:data:`ORDERS`), else ``default``: a
    page's reading of ``?order=`` (a hand-edited URL gets the default list)."""
    return value if value in ORDERS else default


def _ordered(qs: QuerySet, order: str | None, default: str) -> QuerySet:
    """``qs`` in ``order`` (``default`` for None); a name that is not an
    order is refused (``unknown_order``), whoever asks."""
    order = order or default
    if order not in ORDERS:
        raise InvalidInput(_("不支持的排序方式：%(order)s（可选：%(choices)s）。")
                           % {"order": order[:40], "choices": "、".join(ORDERS)}, code="unknown_order")
    return qs.order_by(*_ORDER_BY[order])


def actionable_q(user) -> Q:
    """Processes on which ``user`` can take at least one action now, as one
    SQL condition built from every registered flow's declaration: (kind, state)
    pairs per party role, combined with the user's body being an active party
    in that role. Mirrors :func:`oneteam.workflow.services.can_act`.

    A role in which the body is no active party anywhere is left out: one
    query on the party index by body and role tells (:func:`_roles_taken`).
    Its term tested every candidate process and found nothing: the city
    centre is no assignee, and its to-do at 10⁶ leads probed the parties of
    12,600 open leads for one (``benchmarks/README.md``, "Roles a body never
    takes")."""
    if not getattr(user, "is_authenticated", False) or not user.body_id:
        return _NONE
    roles = user.role_set
    by_party: dict[str, dict[str, set[str]]] = {}
    for flow in all_flows():
        for action in flow.actions:
            if action.roles and not roles.intersection(action.roles):
                continue
            for party_role in action.parties:
                by_party.setdefault(party_role, {}).setdefault(flow.kind, set()).update(action.source)
    taken = _roles_taken(user.body_id, by_party)
    terms = []
    for party_role, kinds in by_party.items():
        if party_role not in taken:
            continue
        states = reduce(or_, (Q(kind=k, state__in=sorted(s)) for k, s in sorted(kinds.items())))
        is_party = Exists(
            Party.objects.filter(process=OuterRef("pk"), body_id=user.body_id, role=party_role, active=True)
        )
        terms.append(states & Q(is_party))
    return reduce(or_, terms) if terms else _NONE


def _roles_taken(body_id: int, roles) -> set[str]:
    """Those of ``roles`` in which body ``body_id`` is an active party of
    some process: one query, the first such party per role read from the
    party index by body and role (a lookup each, however many parties the
    body has). Asked as ``EXISTS``, PostgreSQL scanned the whole party table
    for a role the city centre never takes (it expects the first hit early):
    250 ms at 10⁶ leads; ordered by the process alone, SQLite walked the
    unique index by process for it (130 ms). Ordered as the index by body and
    role is, both walk that index: under 1 ms. (The body's own row only
    carries the subqueries: one query, one row.)"""
    if not roles:
        return set()
    names = {f"r{i}": role for i, role in enumerate(roles)}
    first = {name: Subquery(Party.objects.filter(body_id=body_id, role=role, active=True)
                            .order_by("body_id", "role", "active", "process_id").values("process_id")[:1])
             for name, role in names.items()}
    found = next(iter(Body.objects.filter(pk=body_id).order_by().values(**first)[:1]), {})
    return {role for name, role in names.items() if found.get(name) is not None}


def overdue_deadlines_q(now: dt.datetime) -> Q:
    return Q(
        Exists(
            ProcessDeadline.objects.filter(
                process=OuterRef("pk"), stopped_at__isnull=True, paused_since__isnull=True, due_at__lt=now
            )
        )
    )


def _involved_q(user, roles: list[str]) -> Q:
    body_ids = scope_for(user).body_ids
    if not body_ids:
        return _NONE
    return Q(Exists(Party.objects.filter(process=OuterRef("pk"), body_id__in=body_ids, role__in=roles, active=True)))


def with_list_data(qs: QuerySet) -> QuerySet:
    """What a list row shows, in a fixed number of queries: township and
    initiator joined, active parties and open deadlines prefetched."""
    return qs.select_related("township", "initiator_body").prefetch_related(
        Prefetch(
            "parties", queryset=Party.objects.filter(active=True).select_related("body"), to_attr="active_parties"
        ),
        Prefetch(
            "deadlines", queryset=ProcessDeadline.objects.filter(stopped_at__isnull=True), to_attr="open_deadlines"
        ),
    )


def flow_list_keys(qs: QuerySet):
    """The keys of a flow's ordered list ``qs`` (:func:`processes_of`) for a
    page (``keys_of``).

    In the most pressing order (:data:`MOST_PRESSING`) they are read in two
    steps (:class:`~oneteam.core.paging.Chained`): the processes with a
    running clock by ``next_due``, which the partial indexes on a kind's open
    processes walk, then the rest by key. Only an open process has a
    ``next_due`` (the kernel clears it at the end), so this is the same list.
    Sorted in one query, every process the reader can see was sorted for each
    page: 250 ms for the city centre's leads at 10⁶ on SQLite. (The inbox
    spans kinds and holds open processes only: no index walks it by
    ``next_due``, and two steps measured no better there.)
    """
    keys = keys_of(qs)
    if tuple(qs.query.order_by) != tuple(MOST_PRESSING):
        return keys
    running = Q(closed_at__isnull=True, next_due__isnull=False)
    return Chained(keys.order_by(), keys.filter(running).order_by("next_due", "pk"),
                   keys.exclude(running).order_by("pk"))


def list_rows(keys: list) -> list[Process]:
    """The processes ``keys`` with what a list row shows (:func:`with_list_data`),
    in that order: a page read keys first (``core.paging.keys_of``, :func:`flow_list_keys`)."""
    return in_key_order(with_list_data(Process.objects.all()), keys)


#: A query is read from a narrower set of processes when it holds at most this many.
FEW = 5000


def _read_from(few, base: QuerySet) -> QuerySet:
    """``base`` read from the processes ``few`` (a subquery of keys that
    ``base``'s rows all belong to) when those are at most :data:`FEW`: one
    cut count, under 1 ms, tells. The list is the same either way.

    SQLite only. It reads a query from the first of its ``id IN (subquery)``
    terms and, without statistics of skew, takes the access filter's (a
    township's own leads or a body's party set, tens of thousands at 10⁶)
    for smaller than a rare kind or a department's own parties. PostgreSQL
    plans the plain query well, and the extra count and semi-join cost it
    5–10 ms a page (``benchmarks/README.md``, "Most pressing first …")."""
    if connections[base.db].vendor != "sqlite" or few.order_by()[:FEW + 1].count() > FEW:
        return base
    return read_first(base, few)


def read_first(base: QuerySet, keys, *, field: str = "pk") -> QuerySet:
    """``base`` with ``field IN (keys)`` as its first condition, on SQLite
    (which reads a query from the first of its ``IN (subquery)`` terms):
    ``keys`` must hold every row of ``base``, so the rows are the same. Any
    other database gets ``base`` unchanged."""
    if connections[base.db].vendor != "sqlite":
        return base
    return base.model.objects.filter(**{f"{field}__in": keys}) & base


def _from_own_parties(user, base: QuerySet) -> QuerySet:
    """``base`` (the processes ``user`` can see) read from the processes in
    which the user's body is an active party, when those are few. A to-do is
    always one of them (an action needs an active party). For a department:
    its 1,900 against the 36,000 processes of its 24 bodies at 10⁶ leads,
    55 → 18 ms for each of the to-do's two queries on SQLite. A township
    room is a party of every lead of its township and the city centre of
    most: theirs keep the access filter's order."""
    if not getattr(user, "is_authenticated", False) or not user.body_id:
        return base
    return _read_from(Party.objects.filter(body_id=user.body_id, active=True).values("process_id"), base)


def inbox(user, tab: str = "todo", *, now: dt.datetime | None = None, order: str | None = None) -> QuerySet:
    """The user's inbox tab: ``todo`` (open, an action is available to them),
    ``overdue`` (open, a deadline of a process their body takes part in has
    passed), ``copied`` (their body is a copied party), ``initiated`` (sent by
    their body). Always within ``visible_to(user)``. In ``order``
    (:data:`ORDERS`; by default the tab's, :data:`INBOX_ORDER`)."""
    now = now or timezone.now()
    base = Process.objects.visible_to(user)
    if tab == "todo":
        qs = _from_own_parties(user, base).open().filter(actionable_q(user))
    elif tab == "overdue":
        involved = _involved_q(user, [PartyRole.INITIATOR, PartyRole.ASSIGNEE, PartyRole.SUPERVISOR])
        qs = base.open().filter(involved & overdue_deadlines_q(now))
    elif tab == "copied":
        qs = base.filter(_involved_q(user, [PartyRole.COPIED]))
    elif tab == "initiated":
        qs = base.filter(initiator_body_id__in=scope_for(user).body_ids)
    else:
        qs = base.none()
    return _ordered(with_list_data(qs), order, INBOX_ORDER.get(tab, "updated"))


def inbox_counts(user, *, now: dt.datetime | None = None) -> dict[str, int]:
    return {tab: inbox(user, tab, now=now).count() for tab in INBOX_TABS}


def visible_of_kind(user, kind: str) -> QuerySet:
    """The processes of ``kind`` visible to ``user``; a rare kind (a
    township's collaborations among a million leads) is read from its own
    rows (:func:`_read_from`): 95 → 5 ms for a township's count at 10⁶ on
    SQLite."""
    of_kind = Process.objects.filter(kind=kind)
    return _read_from(of_kind.values("pk"), Process.objects.visible_to(user).filter(kind=kind))


def processes_of(user, kind: str, *, state: str | None = None, order: str | None = None) -> QuerySet:
    """The processes of ``kind`` visible to ``user`` (in ``state``), in
    ``order`` (:data:`ORDERS`; newest first by default; any other name is
    refused)."""
    qs = visible_of_kind(user, kind)
    if state:
        qs = qs.filter(state=state)
    return _ordered(with_list_data(qs), order, "new")


def detail_queryset(user) -> QuerySet:
    return Process.objects.visible_to(user).select_related("township", "initiator_body", "created_by")


def timeline(process: Process) -> list[Transition]:
    return list(
        Transition.objects.filter(process=process)
        .select_related("actor")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.select_related("blob")))
        .order_by("seq")
    )


def deadline_rows(process: Process, now: dt.datetime | None = None) -> list[dict]:
    """Deadlines for display, newest first, each with its status (label,
    level) and stored explanation."""
    now = now or timezone.now()
    flow = process.flow
    out = []
    for d in ProcessDeadline.objects.filter(process=process).order_by("-started_at", "-pk"):
        if d.superseded:
            status_label, level = _("已重新起算"), "muted"
        elif d.stopped_at is not None:
            status_label, level = (_("按期完成"), "ok") if d.met_on_time else (_("超期完成"), "bad")
        elif d.paused_since is not None:
            status_label, level = _("已中止计时"), "warn"
        else:
            s = clock.status(d.due_at, now)
            status_label, level = status_text(s), s.level
        out.append(
            {
                "deadline": d,
                "label": flow.deadline_label(d.name),
                "status": str(status_label),
                "level": level,
                "lines": d.explanation.get("explanation", []),
                "warnings": d.explanation.get("warnings", []),
                "due_display": due_text(d.due_at, d.period_kind),
            }
        )
    return out


def row_deadline(process: Process, now: dt.datetime | None = None) -> dict | None:
    """The most urgent open deadline of a list row (uses the prefetched ``open_deadlines``)."""
    now = now or timezone.now()
    running = [d for d in getattr(process, "open_deadlines", []) if d.paused_since is None]
    if not running:
        paused = getattr(process, "open_deadlines", [])
        return {"label": str(_("已中止计时")), "level": "warn", "name": paused[0].name} if paused else None
    d = min(running, key=lambda x: x.due_at)
    s = clock.status(d.due_at, now)
    return {"label": status_text(s), "level": s.level, "name": process.flow.deadline_label(d.name), "due_at": d.due_at}
