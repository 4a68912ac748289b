"""Fan-out of notices about a process: in-app notifications to the users of
the bodies concerned and one delivery per configured body channel.

Written inside the action's own transaction, so a notice exists exactly when
the action does (nothing is lost if the process stops between commit and
fan-out): one ``INSERT … SELECT`` for the notifications, and — only where a
notified body has an outbound channel — the delivery rows, whose first
attempt runs after commit (failures are retried by
``oneteam deliver-notifications``)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oneteam.core.i18n import record_language
from oneteam.core.memo import Memo
from oneteam.org.models import User

from .declare import get_flow
from .models import BodyChannel, Delivery, Notification, Party

log = logging.getLogger(__name__)

#: Bodies with an active outbound channel (few, rarely changed).
_channel_bodies = Memo("workflow.channel_bodies", watch=["workflow.BodyChannel"])


def _bodies_with_channels() -> frozenset[int]:
    return _channel_bodies.get("active", lambda: frozenset(
        BodyChannel.objects.filter(active=True).values_list("body_id", flat=True)))


def _fan_out(process, *, verb: str, text: str, exclude_user_id: int | None, actor_body_id: int | None) -> None:
    roles = list(get_flow(process.kind).notify_roles)
    if not roles:
        return
    q = connection.ops.quote_name
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    roles_sql = ", ".join(["%s"] * len(roles))
    # Active users of the active parties in the notified roles, each once.
    sql = (
        f"INSERT INTO {q(Notification._meta.db_table)} (user_id, process_id, verb, text, created_at) "
        f"SELECT DISTINCT u.id, %s, %s, %s, %s FROM {q(User._meta.db_table)} u "
        f"JOIN {q(Party._meta.db_table)} pa ON pa.body_id = u.body_id "
        f"WHERE pa.process_id = %s AND pa.active AND pa.role IN ({roles_sql}) AND u.is_active"
    )
    params = [process.pk, verb, text[:500], now, process.pk, *roles]
    if exclude_user_id is not None:
        sql += " AND u.id <> %s"
        params.append(exclude_user_id)
    with connection.cursor() as cur:
        cur.execute(sql, params)
    channel_bodies = _bodies_with_channels() - {actor_body_id}
    if channel_bodies:
        _deliveries(process, verb=verb, text=text, roles=roles, bodies=channel_bodies)


def _deliveries(process, *, verb: str, text: str, roles: list[str], bodies: frozenset[int]) -> None:
    notified = Party.objects.filter(process_id=process.pk, active=True, role__in=roles, body_id__in=bodies)
    channels = list(BodyChannel.objects.filter(body_id__in=notified.values("body_id"), active=True))
    if not channels:
        return
    url = process.get_absolute_url()
    base = settings.ONETEAM.get("PUBLIC_BASE_URL", "")
    payload = {"verb": verb, "text": text, "number": process.number, "kind": process.kind, "state": process.state,
               "process_id": process.pk, "url": f"{base}{url}" if base else url}
    deliveries = Delivery.objects.bulk_create(
        [Delivery(channel=c, process_id=process.pk, verb=verb, payload=payload) for c in channels])
    ids = [d.pk for d in deliveries]
    transaction.on_commit(lambda: _first_attempts(ids), robust=True)


def _first_attempts(ids: list[int]) -> None:
    from .channels import attempt

    for pk in ids:
        try:
            attempt(pk)
        except Exception:  # the retry command picks it up; never break the request
            log.exception("first delivery attempt failed for %s", pk)


def notify_transition(transition, process) -> None:
    """Notify the parties of ``process`` of ``transition`` (inside its transaction)."""
    flow = get_flow(process.kind)
    t = transition
    who = f"{t.body_name}{t.actor_name}" if t.body_name else t.actor_name
    with record_language():  # kept, and read by every party: the installation's language
        text = _("【%(flow)s】%(number)s %(title)s：%(who)s%(action)s，当前状态“%(state)s”。") % {
            "flow": flow.label,
            "number": process.number,
            "title": process.title,
            "who": who,
            "action": t.action_label,
            "state": flow.state_label(t.to_state),
        }
    _fan_out(process, verb=f"{process.kind}.{t.action}", text=text, exclude_user_id=t.actor_id, actor_body_id=t.body_id)


def notify_comment(comment, process) -> None:
    with record_language():
        text = _("【%(flow)s】%(number)s %(title)s：%(who)s发表了意见。") % {
            "flow": get_flow(process.kind).label,
            "number": process.number,
            "title": process.title,
            "who": f"{comment.body_name}{comment.author_name}",
        }
    _fan_out(process, verb=f"{process.kind}.comment", text=text, exclude_user_id=comment.author_id,
             actor_body_id=getattr(comment.author, "body_id", None))


def notify_process(process, *, verb: str, text: str) -> None:
    """A notice about a process that is not one of its transitions (e.g. a party change)."""
    _fan_out(process, verb=f"{process.kind}.{verb}", text=text, exclude_user_id=None, actor_body_id=None)
