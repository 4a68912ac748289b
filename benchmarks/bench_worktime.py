"""Deadline engine throughput: computations per second for each kind of period,
beside a naive day-by-day baseline measured in the same run on the same inputs.

Run: ``.venv/bin/python benchmarks/bench_worktime.py [--n 20000] [--repeat 5]``

The engine figure is the full ``Calendar.deadline()`` call, explanation
included. The baseline is what a straightforward implementation does: walk day
by day asking ``chinese_calendar.is_workday()`` (and, for working hours, walk
the office sessions day by day); it computes only the due instant, with no
explanation. Natural hours need no calendar, so their baseline is a bare
``start + timedelta`` and the ratio shows the cost of the explanation and
time-zone handling. Figures are min / median / max over ``--repeat`` runs;
absolute numbers drift with the machine, ratios are what to compare (see
``/work/shared/design/performance.md``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time

import chinese_calendar

from oneteam.worktime.engine import TZ, Period, PeriodKind, default_calendar

SESSIONS = ((dt.time(8, 30), dt.time(12, 0)), (dt.time(14, 0), dt.time(17, 30)))


# ------------------------------------------------------------------ baselines


def naive_working_days(start: dt.datetime, n: int) -> dt.date:
    d, counted = start.date(), 0
    while counted < n:
        d += dt.timedelta(days=1)
        if chinese_calendar.is_workday(d):
            counted += 1
    return d


def naive_calendar_days(start: dt.datetime, n: int) -> dt.date:
    d = start.date() + dt.timedelta(days=n)
    while not chinese_calendar.is_workday(d):
        d += dt.timedelta(days=1)
    return d


def naive_working_hours(start: dt.datetime, n: int) -> dt.datetime:
    remaining = dt.timedelta(hours=n)
    day = start.date()
    while True:
        if chinese_calendar.is_workday(day):
            for a, b in SESSIONS:
                s = dt.datetime.combine(day, a, tzinfo=TZ)
                e = dt.datetime.combine(day, b, tzinfo=TZ)
                s = max(s, start)
                if e <= s:
                    continue
                if e - s >= remaining:
                    return s + remaining
                remaining -= e - s
        day += dt.timedelta(days=1)


def naive_natural_hours(start: dt.datetime, n: int) -> dt.datetime:
    return start + dt.timedelta(hours=n)


BASELINES = {
    PeriodKind.WORKING_DAYS: naive_working_days,
    PeriodKind.CALENDAR_DAYS: naive_calendar_days,
    PeriodKind.WORKING_HOURS: naive_working_hours,
    PeriodKind.NATURAL_HOURS: naive_natural_hours,
}
AMOUNTS = {
    PeriodKind.WORKING_DAYS: (1, 30),
    PeriodKind.CALENDAR_DAYS: (1, 120),
    PeriodKind.WORKING_HOURS: (1, 40),
    PeriodKind.NATURAL_HOURS: (1, 72),
}


def inputs(kind: PeriodKind, n: int, seed: int) -> list[tuple[dt.datetime, int]]:
    rng = random.Random(f"{seed}-{kind.value}")
    first = dt.datetime(2024, 1, 1, tzinfo=TZ)
    lo, hi = AMOUNTS[kind]
    # Starts from 2024 to mid-2026 so every due date stays inside chinese_calendar's data.
    return [(first + dt.timedelta(minutes=rng.randrange(0, 900 * 24 * 60)), rng.randint(lo, hi)) for _ in range(n)]


def rate(func, items) -> float:
    t0 = time.perf_counter()
    for start, amount in items:
        func(start, amount)
    return len(items) / (time.perf_counter() - t0)


def fmt_ratio(ratio: float) -> str:
    return f"{ratio:>6.1f}×" if ratio >= 1 else f"{ratio:>6.3f}×"


def fmt(values: list[float]) -> str:
    return f"{min(values):>9,.0f} / {statistics.median(values):>9,.0f} / {max(values):>9,.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000, help="computations per run and kind")
    parser.add_argument(
        "--baseline-n",
        type=int,
        default=2000,
        help="computations per baseline run (the naive loop is slow; rates are per computation)",
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    t0 = time.perf_counter()
    calendar = default_calendar()
    build_ms = (time.perf_counter() - t0) * 1000
    print(f"Calendar build (2000–2060 index, once per process): {build_ms:.1f} ms")
    print(
        f"engine: {args.n:,} computations per run, baseline: {min(args.n, args.baseline_n):,}; {args.repeat} runs; "
        "figures are computations/s, min / median / max\n"
    )
    print(f"{'kind':<15} {'engine deadline() + explanation':>33} {'naive day-by-day baseline':>33} {'ratio':>7}")

    for kind in PeriodKind:
        items = inputs(kind, args.n, args.seed)
        baseline = BASELINES[kind]
        # Same answers first: a fast wrong engine is no use.
        for start, amount in items[:2000]:
            due = calendar.deadline(start, Period(kind, amount))
            expected = baseline(start, amount)
            got = due.due_date if kind.is_days else due.due
            if got != expected:
                raise SystemExit(f"MISMATCH {kind.value} {start} +{amount}: engine {got}, baseline {expected}")
        engine_rates, base_rates = [], []
        for _ in range(args.repeat):
            engine_rates.append(rate(lambda s, a, k=kind: calendar.deadline(s, Period(k, a)), items))
            base_rates.append(rate(baseline, items[: args.baseline_n]))
        ratio = statistics.median(engine_rates) / statistics.median(base_rates)
        print(f"{kind.value:<15} {fmt(engine_rates):>33} {fmt(base_rates):>33} {fmt_ratio(ratio)}")

    items = [(s.date(), a) for s, a in inputs(PeriodKind.WORKING_DAYS, args.n, args.seed)]
    index_rates = [rate(calendar.add_working_days, items) for _ in range(args.repeat)]
    base_rates = [
        rate(lambda d, a: naive_working_days(dt.datetime.combine(d, dt.time(), TZ), a), items[: args.baseline_n])
        for _ in range(args.repeat)
    ]
    ratio = statistics.median(index_rates) / statistics.median(base_rates)
    print("add_working_days (the bare index, no explanation):")
    print(f"{'working_days':<15} {fmt(index_rates):>33} {fmt(base_rates):>33} {fmt_ratio(ratio)}")


if __name__ == "__main__":
    main()
