"""``oneteam serve [ADDR:PORT]``: gunicorn, a production-grade WSGI server,
with static files served by WhiteNoise."""

import gc
import multiprocessing
import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections


class Command(BaseCommand):
    help = "以生产级 WSGI 服务器（gunicorn）启动 OneTeam。"

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=int(os.environ.get("ONETEAM_WORKERS", "0")) or None)
        parser.add_argument("--threads", type=int, default=int(os.environ.get("ONETEAM_THREADS", "0")) or None)

    def handle(self, *args, addrport, workers, threads, **options):
        from gunicorn.app.base import BaseApplication

        host, port = parse_addrport(addrport)
        addrport = f"{host}:{port}"
        call_command("collectstatic", interactive=False, verbosity=0)
        workers = workers or min(4, multiprocessing.cpu_count() * 2)
        threads = threads or default_threads(connection.vendor)
        from oneteam.core import sqlite
        from oneteam.wsgi import application

        # SQLite only (see oneteam.core.sqlite): checkpoints in the background,
        # writers queue in the kernel instead of sleeping in SQLite's busy handler.
        sqlite.use_background_checkpoints()
        if settings.ONETEAM["SQLITE_WRITE_QUEUE"]:
            sqlite.use_write_queue()

        freeze_startup_heap()
        # No database connection crosses the fork: each worker thread opens its own
        # (an SQLite connection must never be used by two processes; a PostgreSQL
        # socket shared by them would interleave their statements).
        connections.close_all()
        stdout = self.stdout

        class App(BaseApplication):
            def load_config(self):
                self.cfg.set("bind", addrport)
                self.cfg.set("workers", workers)
                self.cfg.set("threads", threads)
                self.cfg.set("worker_class", "gthread")
                self.cfg.set("accesslog", os.environ.get("ONETEAM_ACCESS_LOG", None))
                self.cfg.set("timeout", 120)
                self.cfg.set("post_worker_init", lambda worker: sqlite.start_checkpointer())

            def load(self):
                return application

        stdout.write(self.style.SUCCESS(f"\nOneTeam 已启动：{base_url(addrport)}/   （Ctrl+C 停止）\n"))
        App().run()


def default_threads(vendor: str) -> int:
    """Threads per worker: 8 on PostgreSQL, 4 on SQLite.

    On PostgreSQL a lead's write waits on round trips and on the ledger's head
    row (the GIL released), so a process holding more intakes at once
    writes more of them in one group-commit transaction
    (``oneteam.core.groupcommit``; 1.96 leads a batch with 4 threads, 3.2–4.0
    with 8). At 2·10⁴ leads, 2 workers, 16 connections, intake went from
    217–252 leads/s with 4 threads to 342–344 with 8 (346 with 16), the bare
    insert unchanged. On SQLite's single writer the extra threads only queue
    for its lock (``benchmarks/README.md``, "Threads per worker")."""
    return 8 if vendor == "postgresql" else 4


def parse_addrport(addrport: str) -> tuple[str, str]:
    """``ADDR:PORT``, a bare port (on 127.0.0.1) or a bare address (port 8000) → (host, port)."""
    if ":" not in addrport:
        addrport = f"127.0.0.1:{addrport}" if addrport.isdigit() else f"{addrport}:8000"
    host, _, port = addrport.rpartition(":")
    if not port.isdigit():
        raise CommandError(f"地址格式应为 ADDR:PORT，收到：{addrport}")
    return host, port


def base_url(addrport: str) -> str:
    """Where to open the server started on ``addrport`` (all interfaces: this machine)."""
    host, port = parse_addrport(addrport)
    return f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}"


def freeze_startup_heap() -> None:
    """Load what every request needs (the URLconf), then move the objects
    alive now — Django's apps, models, URL patterns, translations — into the
    collector's permanent generation, just before gunicorn forks its workers.

    A full collection then walks only what the worker made since: on the
    command room at 10⁶ leads its pauses went from 75–115 ms to 20–25 ms
    (``docs/development.md``). The collector also no longer writes to the
    startup objects' headers, so the workers keep sharing those pages with
    the master (the use Python's ``gc.freeze`` documentation describes)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports the URLconfs, and through them the views)
    gc.collect()
    gc.freeze()
