"""Coordinated command at city scale: each figure beside a baseline measured in
the same run on the same database.

Run from the repository root::

    .venv/bin/python benchmarks/bench_command.py [--events 100000] [--database-url postgres://…] [--reuse]

Without ``--database-url`` a SQLite database is created under ``var/bench/``;
with one, that (existing, empty or reused) PostgreSQL database is used. The
script migrates, loads the Rui'an demo, generates the city
(``oneteam generate-city``), then measures:

(a) the command-room list (one township, open leads by next due, 50 rows) —
    the oversight selector and the command room page — and the lead detail
    page, through Django's test client as that township's dispatcher, against
    a bare hand-written SQL query for the same rows;
(b) the metrics page for all units over the year (as the guidance office)
    against the best hand-written SQL for the same numbers: over the roll-up
    table (same work, no framework) and over the raw rows (no roll-ups);
(c) intake over HTTP: ``oneteam serve`` on 127.0.0.1, 16 connections (wrk)
    POSTing to Open311 ``/open311/v2/requests.json`` against a bare Django
    POST → one INSERT view on the same server in the same run;
(d) point → grid → responsible body in-process (``org.geo`` + the catalog
    resolver) against point → grid alone;
(e) the wall screen's data (``/command/wall/data/``: counts, townships,
    30-day trend, channels, categories, heat map) as the city command centre —
    a server process's first poll and its later ones — against hand-written
    SQL for the same numbers over the raw rows;
(f) where an intake's time goes, in-process: Open311 POSTs through Django's
    test client (no HTTP server, no wrk, so far steadier figures than (c)),
    each phase's time per lead, against the bare insert view's request in
    the same run; with the server's background checkpoints.

Prints a table and writes a JSON summary to ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import json
import os
import platform
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO / "var" / "bench"
RESULTS = REPO / "benchmarks" / "results"
BARE_TABLE = "bench_bare_insert"
#: The external system (c) files its leads as.
BENCH_SYSTEM = "benchmark (bench_command.py)"


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--events", type=int, default=100_000)
    p.add_argument("--database-url", default="", help="PostgreSQL URL (default: a SQLite file under var/bench/)")
    p.add_argument("--year", type=int, default=None, help="year of the synthetic city (default: this year)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--reuse", action="store_true", help="keep an existing benchmark database and its leads")
    p.add_argument("--repeat", type=int, default=60, help="samples per page figure")
    p.add_argument("--duration", type=int, default=10, help="seconds per HTTP load run")
    p.add_argument("--warmup", type=int, default=30,
                   help="seconds of load on each HTTP path before measuring (fills the per-process memos: "
                        "the steady state of a running server)")
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers for (c)")
    p.add_argument("--threads", type=int, default=None,
                   help="gunicorn threads per worker for (c) (default: oneteam serve's for the backend)")
    p.add_argument("--intake-leads", type=int, default=400, help="leads per round of (f) (3 rounds)")
    p.add_argument("--skip", default="", help="comma-separated parts to skip: a,b,c,d,e,f")
    return p.parse_args(argv)


def configure(args) -> dict[str, str]:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    env = {"ONETEAM_DATA_DIR": str(BENCH_DIR / "data"), "DJANGO_SETTINGS_MODULE": "oneteam.settings",
           "ONETEAM_LOG_LEVEL": "WARNING", "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver"}
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    else:
        path = BENCH_DIR / f"command-{args.events}.sqlite3"
        if not args.reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.update(env)
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    return env


# --------------------------------------------------------------------------
# Preparation
# --------------------------------------------------------------------------


def prepare(args, say) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from oneteam.org.models import Township
    from oneteam.oversight import rollups
    from oneteam.oversight.generator import Generator
    from oneteam.workflow.models import Process

    out: dict = {}
    call_command("migrate", interactive=False, verbosity=0)
    if not Township.objects.exists():
        say("载入演示数据 …")
        t = time.perf_counter()
        call_command("demo", "--no-serve", verbosity=0)
        out["demo_s"] = round(time.perf_counter() - t, 1)
    have = Process.objects.filter(kind="event", data__synthetic=True).count()
    need = args.events - have
    if need > 0:
        say(f"生成 {need} 个合成事件 …")
        year = args.year or dt.date.today().year
        t = time.perf_counter()
        done = [0]

        def progress(n: int) -> None:
            done[0] += n
            if done[0] % max(args.events // 20, 1) < n or done[0] == need:
                say(f"  {done[0]:,}/{need:,} ({done[0] / (time.perf_counter() - t):,.0f} 件/秒)")

        totals = Generator(events=need, year=year, seed=args.seed + have).run(progress=progress)
        out["generate_s"] = round(time.perf_counter() - t, 1)
        out["generated_rows"] = totals.get("rows", 0)
        out["generate_leads_per_s"] = round(need / (time.perf_counter() - t), 1)
        t = time.perf_counter()
        out["rebuild"] = rollups.rebuild()
        out["rebuild_s"] = round(time.perf_counter() - t, 1)
    from oneteam.oversight.models import UnitFact
    from oneteam.workflow.declare import PartyRole
    from oneteam.workflow.models import Party

    # One fact per assignee party: fewer means an interrupted generation or rebuild (the demo's own leads
    # have facts, so "any facts" is not enough).
    if need <= 0 and have and UnitFact.objects.count() != Party.objects.filter(role=PartyRole.ASSIGNEE).count():
        t = time.perf_counter()
        out["rebuild"] = rollups.rebuild()
        out["rebuild_s"] = round(time.perf_counter() - t, 1)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"CREATE TABLE IF NOT EXISTS {BARE_TABLE} (id BIGSERIAL PRIMARY KEY, payload TEXT NOT NULL, "
                        "created_at TIMESTAMPTZ NOT NULL)")
            # VACUUM as autovacuum would have after bulk inserts: without the visibility map an
            # index-only scan reads the heap (the party set of a department's list: 10 ms → 190 ms).
            cur.execute("VACUUM ANALYZE")
        else:
            cur.execute(f"CREATE TABLE IF NOT EXISTS {BARE_TABLE} (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                        "payload TEXT NOT NULL, created_at DATETIME NOT NULL)")
            cur.execute("ANALYZE")
    out["events"] = Process.objects.filter(kind="event").count()
    return out


# --------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------


def ms_samples(fn, n: int, warm: int = 3) -> list[float]:
    for _ in range(warm):
        fn()
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def summary(samples: list[float]) -> dict:
    s = sorted(samples)
    p95 = s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]
    return {"median_ms": round(statistics.median(s), 2), "p95_ms": round(p95, 2), "n": len(s)}


def raw(sql: str, params=()):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def measured_room():
    """(a)'s township and its dispatcher: the township room with the most open
    generated leads, leaving out those (c) filed, so reruns on one database
    (``--reuse``) measure the same room; (c) files none there (``bench_intake``)."""
    from django.db.models import Count

    from oneteam.command.models import Event
    from oneteam.org.choices import BodyKind, Role
    from oneteam.org.models import User

    busiest = (Event.objects.filter(process__closed_at__isnull=True).exclude(external_system__name=BENCH_SYSTEM)
               .values("township_id").annotate(n=Count("pk")).order_by("-n", "township_id"))
    rooms = {u.body.township_id: u for u in User.objects.filter(
        roles__role=Role.DISPATCHER, body__kind=BodyKind.TOWNSHIP_COMMAND_ROOM, is_active=True)
        .select_related("body").order_by("pk")}
    row = next(r for r in busiest if r["township_id"] in rooms)
    return row["township_id"], rooms[row["township_id"]]


def bench_pages(args, say) -> dict:
    """(a) command-room list and lead detail."""
    from django.test import Client
    from django.utils import timezone

    from oneteam.command import selectors
    from oneteam.org.choices import BodyKind, Role
    from oneteam.org.models import User
    from oneteam.workflow.models import Process

    township_id, dispatcher = measured_room()
    open_here = Process.objects.filter(kind="event", closed_at__isnull=True, township_id=township_id).count()
    say(f"(a) 乡镇 {dispatcher.body.township} 在办 {open_here} 件，调度员 {dispatcher.username}")
    client = Client()
    client.force_login(dispatcher)

    def selector():  # what the room page reads: 50 keys by next due, then their rows
        return selectors.room_rows(list(selectors.room_list(dispatcher, township_id=township_id)[:50]))

    # The kernel keeps each process's earliest running due time (``next_due``):
    # the best hand-written SQL reads it as the selector does.
    sql_list = """
SELECT p.id, p.number, p.title, p.state, p.created_at, p.next_due, e.*
FROM workflow_process p JOIN command_event e ON e.process_id = p.id
WHERE p.kind = 'event' AND p.township_id = %s AND p.closed_at IS NULL
ORDER BY p.next_due ASC NULLS LAST, p.id LIMIT 50"""
    mine = [r[0] for r in raw(sql_list, [township_id])]
    got = [e.pk for e in selector()]
    assert got == mine, "selector and hand SQL disagree"

    def room_page():
        r = client.get("/command/")
        assert r.status_code == 200, r.status_code

    pks = list(Process.objects.filter(kind="event", township_id=township_id).order_by("?")
               .values_list("pk", flat=True)[:args.repeat + 3])
    it = iter(pks * 3)
    it_sql = iter(pks * 3)

    def detail():
        r = client.get(f"/flows/events/{next(it)}/")
        assert r.status_code == 200, r.status_code

    def detail_sql():
        pk = next(it_sql)
        raw("SELECT * FROM workflow_process WHERE id = %s", [pk])
        raw("SELECT * FROM command_event WHERE process_id = %s", [pk])
        raw("SELECT * FROM workflow_transition WHERE process_id = %s ORDER BY seq", [pk])
        raw("SELECT * FROM workflow_processdeadline WHERE process_id = %s ORDER BY started_at, id", [pk])
        raw("SELECT * FROM workflow_party WHERE process_id = %s", [pk])

    # The city command centre's room: every township's open leads counted per
    # township, state and urgency, and the first 50 by next due.
    centre = User.objects.filter(roles__role=Role.DISPATCHER, body__kind=BodyKind.COMMAND_CENTRE,
                                 is_active=True).order_by("pk").first()
    city_client = Client()
    city_client.force_login(centre)
    city_open = Process.objects.filter(kind="event", closed_at__isnull=True).count()
    say(f"(a) 市指挥中心 在办 {city_open} 件，调度员 {centre.username}")
    sql_city_counts = """
SELECT e.township_id, p.state, e.urgency, COUNT(*),
       SUM(CASE WHEN p.next_due < %s THEN 1 ELSE 0 END),
       SUM(CASE WHEN p.next_due >= %s AND p.next_due <= %s THEN 1 ELSE 0 END)
FROM workflow_process p JOIN command_event e ON e.process_id = p.id
WHERE p.kind = 'event' AND p.closed_at IS NULL
GROUP BY e.township_id, p.state, e.urgency"""
    sql_city_list = """
SELECT e.*, p.* FROM workflow_process p JOIN command_event e ON e.process_id = p.id
WHERE p.kind = 'event' AND p.closed_at IS NULL
ORDER BY p.next_due ASC NULLS LAST, p.id LIMIT 50"""

    def city_sql():
        from django.db import connection

        now = timezone.now()
        end = timezone.localtime(now).replace(hour=23, minute=59, second=59)
        raw(sql_city_counts, [connection.ops.adapt_datetimefield_value(t) for t in (now, now, end)])
        raw(sql_city_list, [])

    def city_room_page():
        r = city_client.get("/command/")
        assert r.status_code == 200, r.status_code

    # The kernel's own list of leads, /flows/events/ (all states, newest first,
    # counted for the pager) as three scopes see it: the township's room, a
    # department (the parties of its body and the bodies under it) and the
    # city centre (everything). The bare SQL counts (as far as the pager does)
    # and pages the same rows.
    dept = department_user()
    lists = {}
    inboxes = {}
    for label, who in (("township", dispatcher), ("department", dept), ("city", centre)):
        lists[label] = list_figures(label, who, say, args.repeat)
        inboxes[label] = inbox_figures(who, args.repeat)
    n = args.repeat
    out = {
        "lists": lists,
        "inboxes": inboxes,
        "city_open_events": city_open,
        "city_room_page": summary(ms_samples(city_room_page, max(10, n // 2))),
        "city_bare_sql": summary(ms_samples(city_sql, n)),
        "township_open_events": open_here,
        "list_selector": summary(ms_samples(selector, n)),
        "list_room_page": summary(ms_samples(room_page, max(10, n // 2))),
        "list_bare_sql": summary(ms_samples(lambda: raw(sql_list, [township_id]), n)),
        "detail_page": summary(ms_samples(detail, n)),
        "detail_bare_sql": summary(ms_samples(detail_sql, n)),
    }
    return out


def department_user():
    """The department whose handler (a) and (e) measure: the first active
    department handler's, as in the demo's log-ins."""
    from oneteam.org.choices import BodyKind, Role
    from oneteam.org.models import User

    return (User.objects.filter(roles__role=Role.DEPARTMENT_HANDLER, body__kind=BodyKind.DEPARTMENT, is_active=True)
            .select_related("body").order_by("pk").first())


def list_figures(label: str, who, say, repeat: int) -> dict:
    """(a) ``/flows/events/`` as ``who``: pages 1 and 5 (the pager's count up
    to its limit, a page of keys, their rows), page 1 most pressing first
    (``?order=due``) and the API's page 1 (``/api/v1/events/``), each beside
    the bare SQL for the same rows."""
    from django.test import Client

    from oneteam.core.access import scope_for
    from oneteam.core.paging import count_limit
    from oneteam.workflow import selectors
    from oneteam.workflow.views import PAGE_SIZE

    client = Client()
    client.force_login(who)
    scope = scope_for(who)
    where, params = ["p.kind = 'event'"], []
    if not scope.everything:
        parts = []
        if scope.township_ids:
            parts.append(f"p.township_id IN ({', '.join('%s' for _ in scope.township_ids)})")
            params += sorted(scope.township_ids)
        parts.append(f"p.id IN (SELECT process_id FROM workflow_party WHERE body_id IN "
                     f"({', '.join('%s' for _ in scope.body_ids)}))")
        params += sorted(scope.body_ids)
        where.append("(" + " OR ".join(parts) + ")")
    where_sql = " AND ".join(where)
    total = raw(f"SELECT COUNT(*) FROM workflow_process p WHERE {where_sql}", params)[0][0]
    say(f"(a) 事件列表 /flows/events/：{label} {who.username} 可见 {total} 件")

    def bare(number: int, *, also: str = "", order: str = "p.created_at DESC, p.id DESC"):
        # The pager's count stops at its limit (``core.paging.BoundedPaginator``); so does this one.
        limit = count_limit(PAGE_SIZE, number)
        raw(f"SELECT COUNT(*) FROM (SELECT p.id FROM workflow_process p WHERE {where_sql} LIMIT {limit + 1}) t", params)
        keys = [r[0] for r in raw(f"SELECT p.id FROM workflow_process p WHERE {where_sql}{also} ORDER BY {order} "
                                  f"LIMIT {PAGE_SIZE} OFFSET {(number - 1) * PAGE_SIZE}", params)]
        marks = ", ".join("%s" for _ in keys)
        raw(f"SELECT p.*, e.* FROM workflow_process p JOIN command_event e ON e.process_id = p.id "
            f"WHERE p.id IN ({marks})", keys)
        return keys

    def bare_due():
        # The most pressing first, as the page reads it (``selectors.flow_list_keys``):
        # the running clocks by next due, from the open processes' partial index.
        return bare(1, also=" AND p.closed_at IS NULL AND p.next_due IS NOT NULL", order="p.next_due, p.id")

    def page(number: int, url: str = "/flows/events/?page={number}"):
        r = client.get(url.format(number=number))
        assert r.status_code == 200, r.status_code

    # What the page lists (its selector's first keys) is what the bare SQL lists.
    mine = list(selectors.processes_of(who, "event").values_list("pk", flat=True)[:PAGE_SIZE])
    assert mine == bare(1), f"{label}: the page and the bare SQL list different leads"
    pressing = selectors.flow_list_keys(selectors.processes_of(who, "event", order="due"))
    due = bare_due()  # fewer than a page when the reader has fewer running clocks (a small city)
    assert list(pressing[:len(due)]) == due, f"{label}: ?order=due and its bare SQL differ"
    n = max(10, repeat // 2)
    return {
        "user": who.username,
        "visible": total,
        "page_size": PAGE_SIZE,
        "count": f"count up to {count_limit(PAGE_SIZE) + 1:,}",
        "page_1": summary(ms_samples(lambda: page(1), n)),
        "page_5": summary(ms_samples(lambda: page(5), n)),
        "bare_sql": summary(ms_samples(lambda: bare(1), n)),
        "bare_sql_page_5": summary(ms_samples(lambda: bare(5), n)),
        "page_1_due": summary(ms_samples(lambda: page(1, "/flows/events/?order=due"), n)),
        "bare_sql_due": summary(ms_samples(bare_due, n)),
        "api_page_1": summary(ms_samples(lambda: page(1, "/api/v1/events/"), n)),
    }


def inbox_figures(who, repeat: int) -> dict:
    """(a) ``/flows/inbox/`` as ``who``, its default tab (to do, the most
    pressing first), beside the same three queries run by hand: the
    selector's SQL for the pager's count and for the page's keys, then the
    rows by key."""
    from django.test import Client
    from django.utils import timezone

    from oneteam.core.paging import count_limit, keys_of
    from oneteam.workflow import selectors
    from oneteam.workflow.views import PAGE_SIZE

    client = Client()
    client.force_login(who)
    keys = keys_of(selectors.inbox(who, "todo", now=timezone.now(), order=selectors.INBOX_ORDER["todo"]))
    limit = count_limit(PAGE_SIZE)
    count_sql, count_params = keys.order_by()[: limit + 1].query.sql_with_params()
    keys_sql, keys_params = keys[:PAGE_SIZE].query.sql_with_params()

    def by_hand():
        raw(f"SELECT COUNT(*) FROM ({count_sql}) t", count_params)
        found = [r[0] for r in raw(keys_sql, keys_params)]
        if found:
            raw(f"SELECT p.* FROM workflow_process p WHERE p.id IN ({', '.join('%s' for _ in found)})", found)
        return found

    def page():
        r = client.get("/flows/inbox/")
        assert r.status_code == 200, r.status_code

    to_do = raw(f"SELECT COUNT(*) FROM ({count_sql}) t", count_params)[0][0]
    n = max(10, repeat // 2)
    return {"user": who.username, "to_do": min(to_do, limit), "more": to_do > limit,
            "page": summary(ms_samples(page, n)), "by_hand": summary(ms_samples(by_hand, n))}


def bench_metrics(args, say) -> dict:
    """(b) the metrics page, all units, one year."""
    from django.db import connection
    from django.test import Client

    from oneteam.org.choices import BodyKind
    from oneteam.org.models import User
    from oneteam.oversight import rollups, selectors
    from oneteam.workflow.models import Process

    year = Process.objects.filter(kind="event", data__synthetic=True).latest("created_at").created_at.year
    user = User.objects.filter(body__kind__in=[BodyKind.GUIDANCE_OFFICE, BodyKind.COMMAND_CENTRE],
                               is_active=True).order_by("pk").first()
    client = Client()
    client.force_login(user)
    url = f"/oversight/metrics/?kind=event&from={year}-01-01&to={year}-12-31"
    api = f"/api/v1/metrics/?kind=event&from={year}-01-01&to={year}-12-31"
    say(f"(b) 效能指标：{year} 年全部单位，用户 {user.username}")

    def page():
        r = client.get(url)
        assert r.status_code == 200

    def api_call():
        r = client.get(api)
        assert r.status_code == 200

    sums = ", ".join(f"SUM({c})" for c in rollups.COUNTERS)
    rollup_sql = (f"SELECT body_id, {sums} FROM oversight_unitdaystats WHERE kind = 'event' AND day >= %s "
                  f"AND day <= %s GROUP BY body_id")
    now = dt.datetime.now(dt.UTC)
    over_sql, over_params = rollups.overdue_now_sql("body", kind="event", now=now)
    d0, d1 = dt.date(year, 1, 1), dt.date(year, 12, 31)
    start, end = rollups.local_midnight(d0), rollups.local_midnight(d1 + dt.timedelta(days=1))

    def hand_rollup():
        raw(rollup_sql, [d0, d1])
        raw(over_sql, over_params)

    facts = rollups._facts_sql("p.kind = 'event' AND p.created_at >= %s AND p.created_at < %s")
    fact_sums = ", ".join(f"SUM(f.{c})" for c in rollups.COUNTERS)
    raw_sql = f"SELECT f.body_id, {fact_sums} FROM ({facts}) f GROUP BY f.body_id"

    # Same numbers? (The raw scan is timed once here: it takes seconds to minutes.)
    data = selectors.metrics(user, selectors.Filters(kind="event", date_from=d0, date_to=d1))
    by_body = {r["id"]: r["counts"] for r in data["rows"]}
    t = time.perf_counter()
    raw_rows = raw(raw_sql, [rollups.db_datetime(start), rollups.db_datetime(end)])
    raw(over_sql, over_params)
    raw_ms = (time.perf_counter() - t) * 1000
    for body_id, *vals in raw_rows:
        assert [by_body[body_id][c] for c in rollups.COUNTERS] == [int(v) for v in vals], body_id
    n = max(8, args.repeat // 4)
    out = {
        "units": len(data["rows"]),
        "rollup_rows": raw("SELECT COUNT(*) FROM oversight_unitdaystats WHERE day >= %s AND day <= %s",
                           [d0, d1])[0][0],
        "page": summary(ms_samples(page, n)),
        "api": summary(ms_samples(api_call, n)),
        "hand_sql_rollups": summary(ms_samples(hand_rollup, n)),
        "hand_sql_raw_rows": summary([raw_ms]),
        "vendor": connection.vendor,
    }
    return out


def bench_wall(args, say) -> dict:
    """(e) the wall screen's data as the city command centre."""
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from oneteam.command import selectors
    from oneteam.command.models import reported_days
    from oneteam.org.choices import BodyKind
    from oneteam.org.models import User
    from oneteam.oversight import rollups

    user = User.objects.filter(body__kind=BodyKind.COMMAND_CENTRE, is_active=True).exclude(
        is_superuser=True).order_by("pk").first()
    client = Client()
    client.force_login(user)
    say(f"(e) 指挥大屏数据：用户 {user.username}")

    def poll() -> dict:
        r = client.get("/command/wall/data/")
        assert r.status_code == 200, r.status_code
        return r.json()

    def first_poll():
        reported_days.clear()  # a server process that has not polled yet
        poll()

    now = timezone.now()
    end = timezone.localtime(now).replace(hour=23, minute=59, second=59)
    _first, since = selectors.window_start(30)
    counts_sql = """
SELECT e.township_id, p.state, e.urgency,
       CASE WHEN p.next_due < %s THEN 'overdue' WHEN p.next_due <= %s THEN 'due_today' ELSE '' END, COUNT(*)
FROM workflow_process p JOIN command_event e ON e.process_id = p.id
WHERE p.kind = 'event' AND p.closed_at IS NULL
GROUP BY 1, 2, 3, 4"""
    day = rollups._day_sql("p.created_at")
    activity_sql = f"""
SELECT {day}, e.channel, e.category_id, COUNT(*) FROM command_event e JOIN workflow_process p ON p.id = e.process_id
WHERE p.created_at >= %s GROUP BY 1, 2, 3"""
    heat_sql = f"""
SELECT FLOOR(e.lng / {selectors.HEAT_CELL}), FLOOR(e.lat / {selectors.HEAT_CELL}), COUNT(*)
FROM command_event e JOIN workflow_process p ON p.id = e.process_id
WHERE p.created_at >= %s AND e.lng IS NOT NULL AND e.lat IS NOT NULL GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 5000"""
    at = [rollups.db_datetime(now), rollups.db_datetime(end)]
    start = [rollups.db_datetime(since)]

    def hand_sql():
        return raw(counts_sql, at), raw(activity_sql, start), raw(heat_sql, start)

    # Same numbers? (Open leads and the window's leads in all; the busiest cells.)
    counts, activity, heat = hand_sql()
    data = poll()
    assert data["counts"]["total"] == sum(r[-1] for r in counts)
    assert data["counts"]["overdue"] == sum(r[-1] for r in counts if r[3] == "overdue")
    assert sum(r["n"] for r in data["trend"]) == sum(r[-1] for r in activity)
    assert [c[2] for c in data["heat"][:50]] == [r[2] for r in heat[:50]]
    _township_id, dispatcher = measured_room()
    township = Client()
    township.force_login(dispatcher)

    def township_poll():
        r = township.get("/command/wall/data/")
        assert r.status_code == 200, r.status_code

    department = Client()
    department.force_login(department_user())

    def department_poll():
        r = department.get("/command/wall/data/")
        assert r.status_code == 200, r.status_code

    n = max(8, args.repeat // 4)
    return {
        "user": user.username,
        "township_poll": summary(ms_samples(township_poll, n)),
        "department_poll": summary(ms_samples(department_poll, n)),
        "township_user": dispatcher.username,
        "open_events": data["counts"]["total"],
        "window_events": sum(r["n"] for r in data["trend"]),
        "heat_cells": len(data["heat"]),
        "poll": summary(ms_samples(poll, n)),
        "first_poll": summary(ms_samples(first_poll, n, warm=1)),
        "hand_sql_raw_rows": summary(ms_samples(hand_sql, n)),
        "parts": {
            "counts": summary(ms_samples(lambda: selectors.room_counts(user), n)),
            "activity": summary(ms_samples(lambda: selectors.recent_activity(user), n)),
            "heat": summary(ms_samples(lambda: selectors.heat_cells(user), n)),
        },
        "vendor": connection.vendor,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


WRK_SCRIPT = """
local points = {%(points)s}
local codes = {%(codes)s}
local path = "%(path)s"
local key = "%(key)s"
local desc = "%(desc)s"
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) %% 100000)
request = function()
  local p = points[math.random(#points)]
  local body = string.format("api_key=%%s&service_code=%%s&lat=%%.6f&long=%%.6f&description=%%s",
                             key, codes[math.random(#codes)], p[2], p[1], desc)
  return wrk.format("POST", path, {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
"""


def wrk(url: str, script: str, args) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        out = subprocess.run(["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--latency", "-s",
                              f.name, url], capture_output=True, text=True, timeout=args.duration + 60).stdout
    finally:
        os.unlink(f.name)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    value, unit = re.search(r"requests in ([\d.]+)(ms|s|m|h)", out).groups()  # wrk prints 1.00m past 60 s
    secs = float(value) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    p50 = re.search(r"50%\s+([\d.]+)(\w+)", out)
    ok = total - (int(bad.group(1)) if bad else 0)
    return {"requests": total, "ok": ok, "per_s": round(ok / secs, 1), "non_2xx": total - ok,
            "socket_errors": errors.group(1) if errors else "", "p50": "".join(p50.groups()) if p50 else ""}


#: What (c) and (f) file as each lead's description.
INTAKE_DESCRIPTION = "基准测试：路口占道摆摊，影响通行"


def intake_inputs(seed: int) -> tuple[str, list[tuple[float, float]], list[str]]:
    """(c) and (f)'s leads: a fresh API key of the benchmark's external system,
    points inside the grids (three per village, none in (a)'s township: its
    room would grow by every run's leads, all left open) and the active
    categories' Open311 service codes."""
    import numpy as np

    from oneteam.command.models import EventCategory
    from oneteam.command.services_keys import issue_key
    from oneteam.org.choices import BodyKind
    from oneteam.org.models import Body
    from oneteam.oversight.generator import load_city, sample_points

    _system, key = issue_key(BENCH_SYSTEM, body=Body.objects.get(kind=BodyKind.COMMAND_CENTRE), rotate=True)
    city = load_city(dt.date.today(), resolve=False)
    measured, _dispatcher = measured_room()
    need = {i: 3 for i, place in enumerate(city.places) if place.township_id != measured}
    points = [p for v in sample_points(city, need, np.random.default_rng(seed)).values() for p in v]
    return key, points, [c.service_code for c in EventCategory.objects.filter(active=True)]


def bench_intake(args, env, say) -> dict:
    """(c) intake over HTTP vs a bare insert view, same server, same run."""
    from django.conf import settings
    from django.db import connection

    from oneteam.command.models import Event
    from oneteam.core.management.commands.serve import default_threads

    if shutil.which("wrk") is None:
        return {"skipped": "wrk not installed (apt-get install -y wrk)"}
    key, pts, codes = intake_inputs(7)
    random.Random(7).shuffle(pts)
    desc = urllib.parse.quote(INTAKE_DESCRIPTION)
    threads = args.threads or default_threads(connection.vendor)
    port = free_port()
    server_env = {**os.environ, **env, "DJANGO_SETTINGS_MODULE": "bench_command_settings",
                  "PYTHONPATH": os.pathsep.join([str(REPO / "benchmarks"), str(REPO)])}
    cmd = [str(REPO / ".venv" / "bin" / "oneteam"), "serve", f"127.0.0.1:{port}", "--workers", str(args.workers),
           "--threads", str(threads)]
    say(f"(c) 启动 gunicorn 127.0.0.1:{port}（{args.workers} workers × {threads} threads）")
    server = subprocess.Popen(cmd, env=server_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(480):
            try:
                urllib.request.urlopen(f"{base}/login/", timeout=2)
                break
            except Exception:
                if server.poll() is not None:
                    raise RuntimeError(server.stderr.read()) from None
                time.sleep(0.5)
        points = ", ".join(f"{{{lng}, {lat}}}" for lng, lat in pts)
        quoted = ", ".join(f'"{c}"' for c in codes)
        open311 = WRK_SCRIPT % {"points": points, "codes": quoted, "path": "/open311/v2/requests.json", "key": key,
                                "desc": desc}
        bare = WRK_SCRIPT % {"points": points, "codes": quoted, "path": "/bare-insert/", "key": key, "desc": desc}
        # Warm both paths (imports, grid index, calendar, the memos of API keys,
        # categories, rooms and resolver answers in every worker) before measuring.
        wrk_args = argparse.Namespace(**{**vars(args), "duration": args.warmup})
        wrk(f"{base}/bare-insert/", bare, wrk_args)
        wrk(f"{base}/open311/v2/requests.json", open311, wrk_args)
        before = Event.objects.count()
        b1 = wrk(f"{base}/bare-insert/", bare, args)
        o = wrk(f"{base}/open311/v2/requests.json", open311, args)
        b2 = wrk(f"{base}/bare-insert/", bare, args)
        created = Event.objects.count() - before
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    failed = {name: run["non_2xx"] for name, run in (("open311", o), ("bare insert before", b1),
                                                     ("bare insert after", b2)) if run["non_2xx"]}
    if failed:  # figures of failing requests would measure the error page
        raise RuntimeError(f"(c) requests failed {failed}; the server said: {server.stderr.read()[-3000:]}")
    bare_per_s = round((b1["per_s"] + b2["per_s"]) / 2, 1)
    return {"open311": o, "bare_insert_before": b1, "bare_insert_after": b2, "bare_insert_per_s": bare_per_s,
            "leads_created": created, "fraction": round(o["per_s"] / bare_per_s, 3) if bare_per_s else None,
            "connections": args.connections, "workers": args.workers, "threads": threads,
            # SQLite only: the server's writers' queue (oneteam.core.sqlite); the server reads the same setting.
            "sqlite_write_queue": settings.ONETEAM["SQLITE_WRITE_QUEUE"]}


#: (f)'s phases: (label, module, attribute), each timed inclusively (a phase
#: contains those indented under it in the table). Patched where they are looked up.
INTAKE_PHASES = [
    ("Open311 view", "oneteam.command.open311.views", "_create"),
    ("report_event", "oneteam.command.open311.views", "report_event"),
    ("locate the point", "oneteam.command.services", "_locate"),
    ("competence proposal", "oneteam.command.services", "propose"),
    ("duplicates near", "oneteam.command.services", "find_duplicates"),
    ("plan the start", "oneteam.workflow.services", "plan_start"),
    ("write transaction (with commit)", "oneteam.core.groupcommit", "GroupCommit._run"),
    ("rows.insert (with its SQL)", "oneteam.core.rows", "insert"),
    ("ledger entry", "oneteam.ledger.services", "append_many"),
    ("notifications", "oneteam.workflow.notify", "notify_transition"),
    ("commit", "django.db.backends.base.base", "BaseDatabaseWrapper.commit"),
    ("every SQL statement", "django.db.backends.utils", "CursorWrapper._execute"),
]


@contextlib.contextmanager
def timed_phases(spent: dict[str, float]):
    """Add each :data:`INTAKE_PHASES` call's wall time to ``spent[label]`` while inside."""
    import importlib

    patched = []
    for label, module, name in INTAKE_PHASES:
        owner = importlib.import_module(module)
        *path, attr = name.split(".")
        for part in path:
            owner = getattr(owner, part)
        original = getattr(owner, attr)

        def timed(*a, _original=original, _label=label, **kw):
            t = time.perf_counter()
            try:
                return _original(*a, **kw)
            finally:
                spent[_label] += time.perf_counter() - t

        setattr(owner, attr, timed)
        patched.append((owner, attr, original))
    try:
        yield
    finally:
        for owner, attr, original in reversed(patched):
            setattr(owner, attr, original)


def bench_intake_phases(args, say) -> dict:
    """(f) a lead's time by phase, in-process, against the bare insert view's request."""
    from urllib.parse import urlencode

    from django.db import connection
    from django.test import Client, override_settings

    from oneteam.catalog.resolver import CompetenceError, who_handles
    from oneteam.command.models import EventCategory
    from oneteam.core import sqlite
    from oneteam.org.models import Township

    # As under `oneteam serve`: the requests' commits leave the WAL to a checkpointer thread.
    connection.close()
    sqlite.use_background_checkpoints()
    checkpointer = sqlite.start_checkpointer()
    key, points, codes = intake_inputs(11)
    rng = random.Random(11)
    client = Client()
    form = "application/x-www-form-urlencoded"

    def lead():
        lng, lat = rng.choice(points)
        r = client.post("/open311/v2/requests.json", urlencode({
            "api_key": key, "service_code": rng.choice(codes), "lat": f"{lat:.6f}", "long": f"{lng:.6f}",
            "description": INTAKE_DESCRIPTION}), content_type=form)
        assert r.status_code == 201, r.content[:300]

    def bare():
        r = client.post("/bare-insert/", urlencode({"api_key": key, "description": INTAKE_DESCRIPTION}),
                        content_type=form)
        assert r.status_code == 201, r.content[:300]

    # The resolver's memo holds an answer per (matter, township) in a running server: warm them all here
    # (a cold answer costs ~13 ms, and 50 warm-up leads meet only a few of the pairs).
    for category in EventCategory.objects.filter(active=True).exclude(matter_codes=[]):
        for township in Township.objects.all():
            with contextlib.suppress(CompetenceError):
                who_handles(category.matter_codes[0], township=township)
    n, rounds = args.intake_leads, []
    spent: dict[str, float] = dict.fromkeys([label for label, *_ in INTAKE_PHASES], 0.0)
    try:
        with override_settings(ROOT_URLCONF="bench_command_urls"):
            for _ in range(50):  # the memos, as (c)'s warm-up
                lead()
                bare()
            for _ in range(3):  # alternated, so both see the same machine
                t = time.perf_counter()
                for _ in range(n):
                    bare()
                bare_ms = (time.perf_counter() - t) / n * 1000
                with timed_phases(spent):
                    t = time.perf_counter()
                    for _ in range(n):
                        lead()
                    lead_ms = (time.perf_counter() - t) / n * 1000
                rounds.append({"lead_ms": round(lead_ms, 3), "bare_ms": round(bare_ms, 3)})
    finally:
        if checkpointer is not None:
            checkpointer.stop()
    say(f"(f) 3 轮 × {n} 次 Open311 受理与 {n} 次裸插入（进程内）")
    lead_ms = statistics.median(r["lead_ms"] for r in rounds)
    bare_ms = statistics.median(r["bare_ms"] for r in rounds)
    return {"lead_ms": lead_ms, "bare_ms": bare_ms, "fraction": round(bare_ms / lead_ms, 3), "rounds": rounds,
            "phases_ms": {label: round(total / (3 * n) * 1000, 3) for label, total in spent.items()},
            "leads": 3 * n}


def bench_geo(args, say) -> dict:
    """(d) point → grid → responsible body, in-process."""
    import numpy as np

    from oneteam.catalog.resolver import CompetenceError, who_handles
    from oneteam.command.models import EventCategory
    from oneteam.org import geo
    from oneteam.oversight.generator import load_city, sample_points

    city = load_city(dt.date.today(), resolve=False)
    pts = [p for v in sample_points(city, {i: 20 for i in range(len(city.places))},
                                    np.random.default_rng(3)).values() for p in v]
    random.Random(3).shuffle(pts)
    matters = [c.matter_codes[0] for c in EventCategory.objects.filter(active=True) if c.matter_codes]
    geo.locate(*pts[0])
    t = time.perf_counter()
    hits = sum(1 for lng, lat in pts if geo.locate(lng, lat) is not None)
    locate_s = time.perf_counter() - t
    # Cold: the first answers for each (matter, township) are computed from the database;
    # warm: the resolver's per-process memo answers every later point (the steady state of intake).
    from oneteam.catalog import resolver

    resolver.invalidate()
    n_cold = min(len(pts), 300)
    t = time.perf_counter()
    for i, (lng, lat) in enumerate(pts[:n_cold]):
        with contextlib.suppress(CompetenceError):
            who_handles(matters[i % len(matters)], point=(lng, lat))
    cold_s = time.perf_counter() - t
    pairs = [(matters[(i + 1) % len(matters)], (lng, lat)) for i, (lng, lat) in enumerate(pts)]

    def resolve_all():
        for matter, point in pairs:
            with contextlib.suppress(CompetenceError):
                who_handles(matter, point=point)

    # Warm exactly the (matter, township) pairs measured, so no round pays for
    # a cold answer (~13 ms each, inside a ~0.3 s round). Rounds of one process
    # agree within ~10 %; processes differ far more on a shared machine
    # (benchmarks/README.md, 2026-12-02 night), hence the rounds are kept.
    resolve_all()
    rounds = []
    for _ in range(7):
        t = time.perf_counter()
        resolve_all()
        rounds.append(len(pairs) / (time.perf_counter() - t))
    say(f"(d) {len(pts)} 点定位，{n_cold} 次冷启动职责判定，7 轮 × {len(pts)} 次热判定")
    return {"point_to_grid_per_s": round(len(pts) / locate_s), "located": hits, "points": len(pts),
            "point_to_body_cold_per_s": round(n_cold / cold_s, 1),
            "point_to_body_per_s": round(statistics.median(rounds), 1),
            "point_to_body_rounds_per_s": [round(r) for r in rounds], "resolved": len(pts)}


# --------------------------------------------------------------------------


def table(results: dict) -> str:
    lines = []

    def row(name, fig, base, target=""):
        part = results.get(name[1])  # "(a) …" → results["a"]
        if isinstance(part, dict) and part.get("from_run"):
            name += f" — run of {part['from_run']}"
        lines.append(f"| {name} | {fig} | {base} | {target} |")

    lines.append(f"| figure ({results['vendor']}, {results['prepare']['events']:,} leads) | value | baseline "
                 "(same run) | target |")
    lines.append("| --- | --- | --- | --- |")
    a = results.get("a")
    if a:
        def f(s):
            return f"median {s['median_ms']} ms · p95 {s['p95_ms']} ms"

        row("(a) room list, command selectors (50 rows)", f(a["list_selector"]), f(a["list_bare_sql"]) + " (bare SQL)",
            "p95 < 150 ms")
        row("(a) room list page /command/ (50 rows)", f(a["list_room_page"]), f(a["list_bare_sql"]) + " (bare SQL)",
            "p95 < 150 ms")
        row("(a) lead detail page /flows/events/<pk>/", f(a["detail_page"]), f(a["detail_bare_sql"])
            + " (5 bare SQL)", "p95 < 150 ms")
        for label, fig in a.get("lists", {}).items():
            page_5 = fig.get("bare_sql_page_5")
            row(f"(a) lead list /flows/events/ as the {label} ({fig['user']}, {fig['visible']:,} visible)",
                f"page 1 {f(fig['page_1'])}; page 5 median {fig['page_5']['median_ms']} ms",
                f(fig["bare_sql"]) + f" (bare SQL: {fig.get('count', 'count')}, {fig.get('page_size', 50)} keys, rows)"
                + (f"; page 5 median {page_5['median_ms']} ms" if page_5 else ""), "p95 < 150 ms")
            if "page_1_due" in fig:
                row(f"(a) lead list /flows/events/?order=due as the {label}", f(fig["page_1_due"]),
                    f(fig["bare_sql_due"]) + " (bare SQL: count, running clocks by next due, rows)", "p95 < 150 ms")
                row(f"(a) API /api/v1/events/ as the {label}", f(fig["api_page_1"]),
                    f(fig["bare_sql"]) + " (the page's bare SQL)", "p95 < 150 ms")
        for label, fig in a.get("inboxes", {}).items():
            row(f"(a) inbox /flows/inbox/ (to do) as the {label} ({fig['user']}, "
                f"{fig['to_do']:,}{'+' if fig['more'] else ''} to do)", f(fig["page"]),
                f(fig["by_hand"]) + " (its count, keys and rows queries by hand)", "p95 < 150 ms")
        if "city_room_page" in a:
            row(f"(a) city centre's room /command/, {a['city_open_events']:,} open", f(a["city_room_page"]),
                f(a["city_bare_sql"]) + " (bare SQL: counts, 50 rows)", "")
    b = results.get("b")
    if b:
        ratio = b["page"]["median_ms"] / max(b["hand_sql_rollups"]["median_ms"], 1e-6)
        row(f"(b) metrics page, {b['units']} units × 1 year", f"median {b['page']['median_ms']} ms",
            f"hand SQL on roll-ups {b['hand_sql_rollups']['median_ms']} ms ({ratio:.1f}×); hand SQL on raw rows "
            f"{b['hand_sql_raw_rows']['median_ms']} ms", "< 1 s, ≤ 2× best SQL")
        row("(b) metrics API", f"median {b['api']['median_ms']} ms", "", "")
    c = results.get("c")
    if c and "open311" in c:
        row(f"(c) Open311 intake, {c['connections']} connections", f"{c['open311']['per_s']} leads/s",
            f"bare insert {c['bare_insert_per_s']} req/s → {c['fraction'] * 100:.0f} %", "≥ 50 %")
    elif c:
        row("(c) intake", c.get("skipped", ""), "", "")
    f = results.get("f")
    if f:
        # The phases contain one another (the view holds report_event, which holds the rest …).
        phases = "; ".join(f"{label} {ms} ms" for label, ms in f["phases_ms"].items())
        row("(f) Open311 intake in-process, a lead", f"{f['lead_ms']} ms ({phases})",
            f"bare insert request {f['bare_ms']} ms → {f['fraction'] * 100:.0f} %", "")
    d = results.get("d")
    if d:
        cold = d.get("point_to_body_cold_per_s")
        row("(d) point → grid → body", f"{d['point_to_body_per_s']:,}/s warm"
            + (f" · {cold:,}/s cold (first answer per matter and township)" if cold else ""),
            f"point → grid {d['point_to_grid_per_s']:,}/s", "20,000/s")
    e = results.get("e")
    if e:
        row(f"(e) wall data, {e['open_events']:,} open, {e['window_events']:,} in 30 days",
            f"poll median {e['poll']['median_ms']} · p95 {e['poll']['p95_ms']} ms; a process's first poll "
            f"median {e['first_poll']['median_ms']} ms"
            + (f"; a township's wall median {e['township_poll']['median_ms']} ms" if "township_poll" in e else "")
            + (f"; a department's median {e['department_poll']['median_ms']} ms" if "department_poll" in e else ""),
            f"hand SQL on raw rows median {e['hand_sql_raw_rows']['median_ms']} ms", "")
    return "\n".join(lines)


def carry_over(results: dict, out: Path, skip: set[str]) -> None:
    """Keep the figures of skipped parts from the previous result file, each
    marked with the run it came from (``from_run``), so re-measuring one part
    does not drop the others."""
    if not skip or not out.exists():
        return
    earlier = json.loads(out.read_text())
    for part in sorted(skip):
        if part in earlier and part not in results:
            results[part] = {**earlier[part], "from_run": earlier[part].get("from_run", earlier.get("started"))}


def main(argv=None) -> None:
    args = parse_args(argv)
    env = configure(args)
    from django.db import connection

    def say(msg: str) -> None:
        print(msg, flush=True)

    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    results: dict = {"vendor": connection.vendor, "started": dt.datetime.now().isoformat(timespec="seconds"),
                     "machine": f"{platform.machine()} · {os.cpu_count()} CPU · Python {platform.python_version()}",
                     "args": {k: v for k, v in vars(args).items() if k != "database_url"}}
    results["prepare"] = prepare(args, say)
    say(f"数据库：{connection.vendor}，事件 {results['prepare']['events']:,} 件")
    # Parts a, b and d run in this process. Like `oneteam serve` before it
    # forks its workers, freeze what is alive now (Django, and here also the
    # generator's leftovers), so a full collection walks only what the
    # measured requests made, as in a worker.
    gc.collect()
    gc.freeze()
    results["gc_frozen_objects"] = gc.get_freeze_count()
    if "a" not in skip:
        results["a"] = bench_pages(args, say)
    if "b" not in skip:
        results["b"] = bench_metrics(args, say)
    if "d" not in skip:
        results["d"] = bench_geo(args, say)
    if "e" not in skip:
        results["e"] = bench_wall(args, say)
    if "c" not in skip:
        connection.close()
        results["c"] = bench_intake(args, env, say)
    if "f" not in skip:  # after (c): it leaves the checkpoints to a thread of this process
        results["f"] = bench_intake_phases(args, say)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"bench_command-{connection.vendor}-{args.events}.json"
    carry_over(results, out, skip)
    text = table(results)
    print()
    print(text)
    out.write_text(json.dumps({**results, "table": text}, ensure_ascii=False, indent=1, default=str))
    print(f"\n→ {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
