"""Fan-out of notices after a transaction commits: in-app notifications to the
users of the bodies concerned and one delivery per configured body channel.
Called through ``transaction.on_commit`` by the services, never inside them."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from oneteam.org.models import User

from .declare import get_flow
from .models import BodyChannel, Comment, Delivery, Notification, Party, Transition

log = logging.getLogger(__name__)


def _recipient_bodies(process) -> set[int]:
    """Active parties in the roles the flow notifies (``Flow.notify_roles``)."""
    roles = list(get_flow(process.kind).notify_roles)
    return set(Party.objects.filter(process_id=process.pk, active=True, role__in=roles)
               .values_list("body_id", flat=True))


def _fan_out(process, *, verb: str, text: str, exclude_user_id: int | None, actor_body_id: int | None) -> int:
    bodies = _recipient_bodies(process)
    users = (
        User.objects.filter(body_id__in=bodies, is_active=True).exclude(pk=exclude_user_id).values_list("pk", flat=True)
    )
    with transaction.atomic():
        Notification.objects.bulk_create(
            [Notification(user_id=u, process=process, verb=verb, text=text[:500]) for u in users]
        )
        channels = list(BodyChannel.objects.filter(body_id__in=bodies - {actor_body_id}, active=True))
        url = process.get_absolute_url()
        base = settings.ONETEAM.get("PUBLIC_BASE_URL", "")
        deliveries = Delivery.objects.bulk_create(
            [
                Delivery(
                    channel=c,
                    process=process,
                    verb=verb,
                    payload={
                        "verb": verb,
                        "text": text,
                        "number": process.number,
                        "kind": process.kind,
                        "state": process.state,
                        "process_id": process.pk,
                        "url": f"{base}{url}" if base else url,
                    },
                )
                for c in channels
            ]
        )
    if deliveries:
        from .channels import attempt

        for d in deliveries:
            try:
                attempt(d.pk)
            except Exception:  # the retry command picks it up; never break the request
                log.exception("first delivery attempt failed for %s", d.pk)
    return len(users)


def notify_transition(transition_id: int) -> None:
    t = Transition.objects.select_related("process").get(pk=transition_id)
    process = t.process
    flow = get_flow(process.kind)
    who = f"{t.body_name}{t.actor_name}" if t.body_name else t.actor_name
    text = _("【%(flow)s】%(number)s %(title)s：%(who)s%(action)s，当前状态“%(state)s”。") % {
        "flow": flow.label,
        "number": process.number,
        "title": process.title,
        "who": who,
        "action": t.action_label,
        "state": flow.state_label(t.to_state),
    }
    _fan_out(process, verb=f"{process.kind}.{t.action}", text=text, exclude_user_id=t.actor_id, actor_body_id=t.body_id)


def notify_comment(comment_id: int) -> None:
    c = Comment.objects.select_related("process").get(pk=comment_id)
    process = c.process
    text = _("【%(flow)s】%(number)s %(title)s：%(who)s发表了意见。") % {
        "flow": get_flow(process.kind).label,
        "number": process.number,
        "title": process.title,
        "who": f"{c.body_name}{c.author_name}",
    }
    _fan_out(
        process,
        verb=f"{process.kind}.comment",
        text=text,
        exclude_user_id=c.author_id,
        actor_body_id=getattr(c.author, "body_id", None),
    )


def notify_process(process_id: int, *, verb: str, text: str) -> None:
    """A notice about a process that is not one of its transitions (e.g. a party change)."""
    from .models import Process

    process = Process.objects.get(pk=process_id)
    _fan_out(process, verb=f"{process.kind}.{verb}", text=text, exclude_user_id=None, actor_body_id=None)
