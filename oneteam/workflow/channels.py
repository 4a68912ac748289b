"""Outbound notification channels.

A :class:`Channel` turns a :class:`~oneteam.workflow.models.Delivery` into a
message on some external system and raises :class:`DeliveryError` when that
fails. Each body may configure channels (:class:`BodyChannel`); every delivery
is recorded with its attempts, and failed ones are retried with exponential
backoff by ``oneteam deliver-notifications`` (run it from cron or a systemd
timer, e.g. every minute).

Implementations: :class:`WebhookChannel` (JSON POST with an HMAC-SHA256
signature header) and :class:`DingTalkChannel` (DingTalk / 浙政钉 custom
robots: text message, ``timestamp`` + ``sign`` query parameters).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import BodyChannel, ChannelKind, Delivery, DeliveryStatus

SIGNATURE_HEADER = "X-OneTeam-Signature"
TIMESTAMP_HEADER = "X-OneTeam-Timestamp"


class DeliveryError(Exception):
    pass


def _setting(name: str, default):
    return settings.ONETEAM.get(name, default)


class Channel:
    """Base class: ``send(delivery)`` posts ``delivery.payload`` or raises."""

    def __init__(self, config: BodyChannel) -> None:
        self.config = config

    @property
    def timeout(self) -> float:
        return float(_setting("WEBHOOK_TIMEOUT", 5))

    def send(self, delivery: Delivery) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _post(self, url: str, body: bytes, headers: dict[str, str]) -> bytes:
        request = urllib.request.Request(
            url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8", **headers}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # admin-configured URL
                if not 200 <= response.status < 300:
                    raise DeliveryError(f"HTTP {response.status}")
                return response.read(65536)
        except urllib.error.HTTPError as exc:
            raise DeliveryError(f"HTTP {exc.code}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise DeliveryError(str(getattr(exc, "reason", exc))) from exc


class WebhookChannel(Channel):
    """POST the payload as JSON. With a secret, ``X-OneTeam-Signature`` is
    ``sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`` and
    ``X-OneTeam-Timestamp`` the Unix time, so receivers can reject replays."""

    def send(self, delivery: Delivery) -> None:
        body = json.dumps(delivery.payload, ensure_ascii=False, sort_keys=True).encode()
        headers = {}
        if self.config.secret:
            ts = str(int(time.time()))
            mac = hmac.new(self.config.secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
            headers = {SIGNATURE_HEADER: f"sha256={mac}", TIMESTAMP_HEADER: ts}
        self._post(self.config.url, body, headers)


class DingTalkChannel(Channel):
    """A DingTalk / 浙政钉 custom robot: a text message; with a secret the URL
    carries ``timestamp`` and ``sign`` (base64 HMAC-SHA256 of
    ``"<timestamp>\\n<secret>"``) as the robot API requires. A non-zero
    ``errcode`` in the answer is a failure."""

    def send(self, delivery: Delivery) -> None:
        url = self.config.url
        if self.config.secret:
            ts = str(int(time.time() * 1000))
            mac = hmac.new(self.config.secret.encode(), f"{ts}\n{self.config.secret}".encode(), hashlib.sha256)
            sign = urllib.parse.quote_plus(base64.b64encode(mac.digest()))
            url += ("&" if "?" in url else "?") + f"timestamp={ts}&sign={sign}"
        text = delivery.payload.get("text", "")
        if delivery.payload.get("url"):
            text += f"\n{delivery.payload['url']}"
        body = json.dumps({"msgtype": "text", "text": {"content": text}}, ensure_ascii=False).encode()
        answer = self._post(url, body, {})
        try:
            errcode = json.loads(answer or b"{}").get("errcode", 0)
        except ValueError:
            errcode = 0
        if errcode:
            raise DeliveryError(f"errcode {errcode}")


CHANNELS: dict[str, type[Channel]] = {
    ChannelKind.WEBHOOK: WebhookChannel,
    ChannelKind.DINGTALK: DingTalkChannel,
}


def channel_for(config: BodyChannel) -> Channel:
    return CHANNELS[config.kind](config)


def max_attempts() -> int:
    return int(_setting("WEBHOOK_MAX_ATTEMPTS", 6))


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next attempt: 1, 2, 4, 8 … minutes, at most a day."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 24 * 60))


def attempt(delivery_id: int) -> Delivery:
    """Try one delivery once, recording the outcome. Locks the row so a cron
    run and an on-commit attempt never send the same delivery twice."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().select_related("channel").get(pk=delivery_id)
        if delivery.status != DeliveryStatus.PENDING:
            return delivery
        now = timezone.now()
        delivery.attempts += 1
        try:
            if not delivery.channel.active:
                raise DeliveryError("channel disabled")
            channel_for(delivery.channel).send(delivery)
        except DeliveryError as exc:
            delivery.last_error = str(exc)[:2000]
            if delivery.attempts >= max_attempts():
                delivery.status = DeliveryStatus.FAILED
            else:
                delivery.next_attempt_at = now + backoff(delivery.attempts)
        else:
            delivery.status = DeliveryStatus.DELIVERED
            delivery.delivered_at = now
            delivery.last_error = ""
        delivery.save(update_fields=["attempts", "status", "last_error", "next_attempt_at", "delivered_at"])
        return delivery


def deliver_due(now: dt.datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Attempt every pending delivery whose time has come; returns counts."""
    now = now or timezone.now()
    ids = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    counts = {"attempted": 0, "delivered": 0, "failed": 0, "pending": 0}
    for pk in ids:
        d = attempt(pk)
        counts["attempted"] += 1
        counts[d.status] += 1
    return counts
