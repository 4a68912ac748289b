"""Fixtures for the linkage tests: the shared cast plus police, procuratorate,
court, a body head, a controllable clock and file helpers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from oneteam.core.testing import Cast, make_body, make_user
from oneteam.org.choices import BodyKind, Role

TZ = ZoneInfo("Asia/Shanghai")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def png(name: str = "m.png", extra: bytes = b"") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG + extra, content_type="image/png")


class Clock:
    def __init__(self, monkeypatch):
        self.now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=TZ)  # a Monday
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def set(self, *args) -> dt.datetime:
        self.now = dt.datetime(*args, tzinfo=TZ)
        return self.now

    def advance(self, **kw) -> dt.datetime:
        self.now = self.now + dt.timedelta(**kw)
        return self.now


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class LinkageCast:
    base: Cast
    police: object
    procuratorate: object
    court: object
    head: object
    policeman: object
    prosecutor: object
    judge: object
    other_head: object


@pytest.fixture
def lc(cast) -> LinkageCast:
    police = make_body(BodyKind.POLICE, name="市公安局")
    procuratorate = make_body(BodyKind.PROCURATORATE, name="市人民检察院")
    court = make_body(BodyKind.COURT, name="市人民法院")
    return LinkageCast(
        base=cast, police=police, procuratorate=procuratorate, court=court,
        head=make_user(cast.team, Role.BODY_HEAD, Role.ENFORCEMENT_OFFICER, username="head", certified=True),
        policeman=make_user(police, Role.DEPARTMENT_HANDLER, username="policeman"),
        prosecutor=make_user(procuratorate, Role.SUPERVISOR, username="prosecutor"),
        judge=make_user(court, Role.DEPARTMENT_HANDLER, username="judge"),
        other_head=make_user(cast.other_team, Role.BODY_HEAD, username="other_head", certified=True),
    )
