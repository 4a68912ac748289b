"""Fixtures for the workflow kernel's tests: the test-only "drill" flow and
its record table, a controllable clock, a drill process factory."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

TZ = ZoneInfo("Asia/Shanghai")

#: Smallest valid PNG header plus padding: sniffed as image/png.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from .drill import create_table

    with django_db_blocker.unblock():
        create_table()


@pytest.fixture
def drill_flow():
    from oneteam.workflow.declare import register, unregister

    from .drill import FLOW

    register(FLOW)
    yield FLOW
    unregister(FLOW.kind)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


class Clock:
    def __init__(self, monkeypatch):
        self.now = dt.datetime(2026, 9, 28, 10, 0, tzinfo=TZ)
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def set(self, *args) -> dt.datetime:
        self.now = dt.datetime(*args, tzinfo=TZ)
        return self.now


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def png(name: str = "photo.png", extra: bytes = b""):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PNG + extra, content_type="image/png")


def png_stream(extra: bytes = b"") -> io.BytesIO:
    return io.BytesIO(PNG + extra)


@pytest.fixture
def start_drill(cast, drill_flow):
    """``start_drill(**overrides)``: the 甲镇 command room sends a drill to its
    team, copied to the department, supervised by the guidance office."""
    from oneteam.workflow.services import start_process

    def make(**kw):
        args = {
            "actor": cast.dispatcher,
            "initiator": cast.command_room,
            "assignees": [cast.team],
            "copied": [cast.department],
            "supervisor": cast.guidance_office,
            "title": "占道经营",
            "record_fields": {"address": "安阳街道1号"},
        }
        args.update(kw)
        return start_process("drill", **args)

    return make
