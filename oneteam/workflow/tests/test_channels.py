"""Outbound channels against a local HTTP server on 127.0.0.1: signature,
first attempt on commit, retries with backoff, failure after the last attempt."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.utils import timezone

from oneteam.workflow import channels, services
from oneteam.workflow.models import BodyChannel, ChannelKind, Delivery, DeliveryStatus

pytestmark = pytest.mark.django_db


class Receiver:
    def __init__(self):
        self.requests: list[tuple[str, dict, bytes]] = []
        self.status = 200
        self.answer = b"{}"
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((self.path, self.headers, body))
                self.send_response(receiver.status)
                self.end_headers()
                self.wfile.write(receiver.answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def test_accept_posts_signed_webhook_to_other_party_after_commit(
    cast, start_drill, receiver, django_capture_on_commit_callbacks
):
    BodyChannel.objects.create(body=cast.command_room, url=receiver.url, secret="s3cret")
    BodyChannel.objects.create(body=cast.team, url=receiver.url, secret="x")  # the actor's own body: not sent
    p = start_drill()
    receiver.requests.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.perform(p, "accept", actor=cast.officer)
    assert len(receiver.requests) == 1
    _path, headers, body = receiver.requests[0]
    ts = headers[channels.TIMESTAMP_HEADER]
    expected = hmac.new(b"s3cret", ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert headers[channels.SIGNATURE_HEADER] == f"sha256={expected}"
    payload = json.loads(body)
    assert payload["number"] == p.number and payload["verb"] == "drill.accept" and "签收" in payload["text"]
    d = Delivery.objects.get(verb="drill.accept")
    assert d.status == DeliveryStatus.DELIVERED and d.attempts == 1 and d.delivered_at is not None


def test_delivery_failure_retries_with_backoff_then_delivers(
    cast, start_drill, receiver, django_capture_on_commit_callbacks
):
    BodyChannel.objects.create(body=cast.command_room, url=receiver.url)
    receiver.status = 500
    p = start_drill()
    with django_capture_on_commit_callbacks(execute=True):
        services.perform(p, "accept", actor=cast.officer)
    d = Delivery.objects.get(verb="drill.accept")
    assert d.status == DeliveryStatus.PENDING and d.attempts == 1 and d.last_error == "HTTP 500"
    assert d.next_attempt_at > timezone.now()
    assert channels.deliver_due()["attempted"] == 0  # not due yet
    receiver.status = 200
    call_command("deliver-notifications")  # still not due
    d.refresh_from_db()
    assert d.attempts == 1
    later = timezone.now() + dt.timedelta(minutes=2)
    assert channels.deliver_due(now=later) == {"attempted": 1, "delivered": 1, "failed": 0, "pending": 0}
    d.refresh_from_db()
    assert d.status == DeliveryStatus.DELIVERED and d.attempts == 2 and d.last_error == ""


def test_delivery_out_of_attempts_failed(cast, receiver, settings):
    settings.ONETEAM = {**settings.ONETEAM, "WEBHOOK_MAX_ATTEMPTS": 2}
    receiver.status = 503
    ch = BodyChannel.objects.create(body=cast.team, url=receiver.url)
    d = Delivery.objects.create(channel=ch, verb="x", payload={"text": "hi"})
    channels.attempt(d.pk)
    channels.deliver_due(now=timezone.now() + dt.timedelta(days=2))
    d.refresh_from_db()
    assert d.status == DeliveryStatus.FAILED and d.attempts == 2 and len(receiver.requests) == 2


def test_backoff_doubles_and_is_capped():
    assert [channels.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert channels.backoff(30) == dt.timedelta(days=1)


def test_dingtalk_channel_signs_url_and_reads_errcode(cast, receiver):
    ch = BodyChannel.objects.create(
        body=cast.team, url=receiver.url + "?access_token=t", secret="SEC", kind=ChannelKind.DINGTALK
    )
    d = Delivery.objects.create(channel=ch, verb="x", payload={"text": "新事项", "url": "/flows/x/1/"})
    assert channels.attempt(d.pk).status == DeliveryStatus.DELIVERED
    path, _h, body = receiver.requests[0]
    assert "access_token=t&timestamp=" in path and "&sign=" in path
    assert json.loads(body) == {"msgtype": "text", "text": {"content": "新事项\n/flows/x/1/"}}
    receiver.answer = b'{"errcode": 310000, "errmsg": "sign not match"}'
    d2 = Delivery.objects.create(channel=ch, verb="x", payload={"text": "y"})
    d2 = channels.attempt(d2.pk)
    assert d2.status == DeliveryStatus.PENDING and d2.last_error == "errcode 310000"
