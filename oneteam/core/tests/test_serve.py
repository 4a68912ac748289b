"""``oneteam serve`` hands gunicorn a master whose startup heap is frozen."""

import gc
import io

import pytest
from django.core.management import call_command
from django.urls import get_resolver

from oneteam.core import sqlite as core_sqlite
from oneteam.core.management.commands import serve


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


def _tracked(obj) -> bool:
    """In one of the collector's three generations (frozen objects are in none)."""
    return any(o is obj for o in gc.get_objects())


def test_startup_heap_is_frozen_with_the_urlconf_loaded(unfrozen):
    patterns = get_resolver().url_patterns
    assert _tracked(patterns)
    serve.freeze_startup_heap()
    assert gc.get_freeze_count() > 10_000
    assert not _tracked(patterns)
    fresh = [object()]  # made after the freeze: collected as usual
    assert _tracked(fresh)


def test_serve_freezes_before_the_workers_fork(unfrozen, monkeypatch):
    from gunicorn.app.base import BaseApplication

    frozen_at_run = []
    monkeypatch.setattr(core_sqlite, "_queue_writers", False)
    monkeypatch.setattr(core_sqlite, "_background", False)
    monkeypatch.setattr(serve, "call_command", lambda *args, **kwargs: None)  # no collectstatic
    monkeypatch.setattr(BaseApplication, "run", lambda self: frozen_at_run.append(gc.get_freeze_count()))
    call_command("serve", "127.0.0.1:0", stdout=io.StringIO())
    assert frozen_at_run and frozen_at_run[0] > 10_000



def test_no_database_connection_crosses_the_fork(monkeypatch):
    """Connections persist (CONN_MAX_AGE), so one the master opened would be
    inherited by every worker: serve closes them after its last use of the
    database and before gunicorn forks. (Recorded, not observed: the SQLite
    test database is in memory, and Django never closes those.)"""
    from types import SimpleNamespace

    from gunicorn.app.base import BaseApplication

    steps = []
    monkeypatch.setattr(core_sqlite, "_queue_writers", False)
    monkeypatch.setattr(core_sqlite, "_background", False)
    monkeypatch.setattr(serve, "call_command", lambda *args, **kwargs: steps.append("collectstatic"))
    monkeypatch.setattr(serve, "freeze_startup_heap", lambda: steps.append("freeze"))
    monkeypatch.setattr(serve, "connections", SimpleNamespace(close_all=lambda: steps.append("close")))
    monkeypatch.setattr(BaseApplication, "run", lambda self: steps.append("fork"))
    call_command("serve", "127.0.0.1:0", stdout=io.StringIO())
    assert steps == ["collectstatic", "freeze", "close", "fork"]


@pytest.mark.parametrize(("vendor", "flag", "env", "threads"), [
    ("sqlite", None, None, 4),
    ("postgresql", None, None, 8),
    ("postgresql", "2", None, 2),
    ("sqlite", None, "6", 6),
])
def test_threads_per_worker_by_backend_unless_told(monkeypatch, vendor, flag, env, threads):
    """PostgreSQL's intake gains from more intakes per group-commit batch; SQLite's one writer does not."""
    from types import SimpleNamespace

    from gunicorn.app.base import BaseApplication

    ran = []
    monkeypatch.setattr(core_sqlite, "_queue_writers", False)
    monkeypatch.setattr(core_sqlite, "_background", False)
    monkeypatch.setattr(serve, "call_command", lambda *args, **kwargs: None)
    monkeypatch.setattr(serve, "freeze_startup_heap", lambda: None)
    monkeypatch.setattr(serve, "connection", SimpleNamespace(vendor=vendor))
    monkeypatch.setattr(BaseApplication, "run", lambda self: ran.append(self.cfg.settings["threads"].value))
    if env is None:
        monkeypatch.delenv("ONETEAM_THREADS", raising=False)
    else:
        monkeypatch.setenv("ONETEAM_THREADS", env)
    call_command("serve", "127.0.0.1:0", *(["--threads", flag] if flag else []), stdout=io.StringIO())
    assert ran == [threads]


@pytest.mark.parametrize(("addrport", "host", "port", "url"), [
    ("127.0.0.1:8000", "127.0.0.1", "8000", "http://127.0.0.1:8000"),
    ("9000", "127.0.0.1", "9000", "http://127.0.0.1:9000"),
    ("0.0.0.0:8080", "0.0.0.0", "8080", "http://127.0.0.1:8080"),
    ("example.org", "example.org", "8000", "http://example.org:8000"),
])
def test_addrport_and_the_url_to_open(addrport, host, port, url):
    assert serve.parse_addrport(addrport) == (host, port)
    assert serve.base_url(addrport) == url


def test_bad_addrport_is_refused_in_chinese():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="地址格式应为 ADDR:PORT"):
        serve.parse_addrport("host:http")


@pytest.mark.django_db
def test_demo_prints_the_open311_url_of_the_server_it_starts():
    out = io.StringIO()
    call_command("demo", "0.0.0.0:9123", "--no-serve", stdout=out)
    assert "Open311：http://127.0.0.1:9123/open311/v2/discovery.json" in out.getvalue()
