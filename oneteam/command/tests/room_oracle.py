"""What a command room should show, read one lead at a time from the
deadline rows themselves — not from ``Process.next_due``, the kernel's copy
that the room reads — so tests of the room's SQL also check that copy."""

from django.db.models import Min
from django.utils import timezone

from oneteam.command import selectors
from oneteam.command.models import Event
from oneteam.workflow.models import ProcessDeadline


def lead_by_lead(township_id, bucket, now, *, area="township"):
    """``(counts, order, table)`` of the open leads (of ``township_id``, or
    all): counts as :func:`selectors.room_counts` gives them, the list order
    of ``bucket`` and the table per ``area`` as ``{area_id: {open, overdue,
    to_dispatch, coordinating, urgent}}``. A lead's clock is the earliest due
    time of its deadlines neither stopped nor paused."""
    end = timezone.localtime(now).replace(hour=23, minute=59, second=59)
    leads = Event.objects.filter(process__closed_at__isnull=True, process__state__in=selectors.OPEN_STATES)
    if township_id:
        leads = leads.filter(process__township_id=township_id)
    rows = []
    for event in leads.select_related("process"):
        due = ProcessDeadline.objects.filter(process_id=event.pk, stopped_at__isnull=True,
                                             paused_since__isnull=True).aggregate(m=Min("due_at"))["m"]
        rows.append((event.pk, event.process.state, event.urgency, due, getattr(event, f"{area}_id")))

    def named(state, urgency, due):
        names = {name for name, states in selectors.BUCKETS.items() if state in states}
        if due is not None and due < now:
            names.add("overdue")
        if due is not None and now <= due <= end:
            names.add("due_today")
        if urgency == "urgent":
            names.add("urgent")
        return names

    counts = dict.fromkeys([*selectors.LISTS, "urgent", "total"], 0)
    table = {}
    for _pk, state, urgency, due, of_area in rows:
        names = named(state, urgency, due)
        for name in names:
            counts[name] += 1
        counts["total"] += 1
        row = table.setdefault(of_area, dict.fromkeys(["open", "overdue", "to_dispatch", "coordinating", "urgent"], 0))
        row["open"] += 1
        row["overdue"] += "overdue" in names
        row["to_dispatch"] += bool(names & {"to_file", "to_dispatch"})
        row["coordinating"] += "coordinating" in names
        row["urgent"] += "urgent" in names
    listed = [(pk, due) for pk, state, urgency, due, _a in rows
              if bucket not in selectors.LISTS or bucket in named(state, urgency, due)]
    listed.sort(key=lambda r: (r[1] is None, r[1] or now, r[0]))
    return counts, [pk for pk, _ in listed], table
