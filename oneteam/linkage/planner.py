"""Inspect once (综合查一次): which plans can share one visit, and how many
visits that saves. Pure Python over plain values, so the page, the command,
the demo and the tests compute the same figure.

The merge rule (documented in docs/linkage.md):

* Plans hit the *same target* when they name the same target (a market
  entity by its 统一社会信用代码, or a place).
* Each plan has a window ``[start, end]`` in which its body means to inspect
  (one day for a fixed-date visit, a month or a quarter for a 双随机 task).
  A visit on day *d* serves a plan if ``start ≤ d ≤ end + W``: a body may join
  a visit up to *W* days (default 30) after its own window, never before it
  opens. So two single-day plans are combinable exactly when they are at most
  *W* days apart (day 0 and day 30: yes; day 0 and day 31: no).
* Per target, the visits are chosen by the classic greedy for stabbing
  intervals (sort by right end, put a visit at the first right end, take every
  plan it serves, repeat), which gives the **minimum** number of visits.
* A group's visit window is the intersection of its plans' own windows when
  that is not empty (no body moves), else the intersection of the extended
  windows ``[start, end + W]``.
* A body's several plans on one target combine the same way (条例 Art. 14).
* Visits before = one per plan; after = one per group.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

from .identifiers import CREDIT_ALPHABET, credit_code_check_char


@dataclass(frozen=True)
class PlanRef:
    """What the planner needs of a plan."""

    id: Hashable
    body: Hashable
    target: Hashable
    start: dt.date
    end: dt.date
    items: tuple[str, ...] = ()


@dataclass
class Group:
    """Plans served by one visit."""

    target: Hashable
    plans: list[PlanRef]
    window_from: dt.date
    window_until: dt.date
    moved: bool = False  # some body joins outside its own window

    @property
    def bodies(self) -> list[Hashable]:
        return list(dict.fromkeys(p.body for p in self.plans))

    @property
    def is_merge(self) -> bool:
        return len(self.plans) > 1

    @property
    def is_cross_body(self) -> bool:
        return len(self.bodies) > 1

    def lead(self) -> Hashable:
        """The lead body: most check items, then the earliest plan, then the smallest id."""
        score: dict[Hashable, list] = {}
        for p in self.plans:
            s = score.setdefault(p.body, [0, p.start, str(p.body)])
            s[0] -= max(1, len(p.items))
            s[1] = min(s[1], p.start)
        return min(score, key=lambda b: tuple(score[b]))


@dataclass
class Schedule:
    window_days: int
    groups: list[Group] = field(default_factory=list)

    @property
    def visits_before(self) -> int:
        return sum(len(g.plans) for g in self.groups)

    @property
    def visits_after(self) -> int:
        return len(self.groups)

    @property
    def saved(self) -> int:
        return self.visits_before - self.visits_after

    @property
    def reduction(self) -> float:
        """Share of visits saved (0–1); 0 with no plans."""
        return self.saved / self.visits_before if self.visits_before else 0.0

    @property
    def merges(self) -> list[Group]:
        return [g for g in self.groups if g.is_merge]

    def summary(self) -> dict:
        return {"window_days": self.window_days, "plans": self.visits_before, "visits_before": self.visits_before,
                "visits_after": self.visits_after, "saved": self.saved, "reduction": round(self.reduction, 4),
                "merged_groups": len(self.merges),
                "cross_body_groups": sum(1 for g in self.groups if g.is_cross_body),
                "targets": len({g.target for g in self.groups})}


def _groups_for_target(target, plans: list[PlanRef], w: dt.timedelta) -> list[Group]:
    remaining = sorted(plans, key=lambda p: (p.end, p.start, str(p.id)))
    out: list[Group] = []
    while remaining:
        point = remaining[0].end + w
        taken = [p for p in remaining if p.start <= point]
        remaining = [p for p in remaining if p.start > point]
        own_from, own_until = max(p.start for p in taken), min(p.end for p in taken)
        if own_from <= own_until:
            out.append(Group(target, taken, own_from, own_until))
        else:
            out.append(Group(target, taken, own_from, min(p.end + w for p in taken), moved=True))
    return out


def plan_schedule(plans: Iterable[PlanRef], window_days: int = 30) -> Schedule:
    """The merged schedule of ``plans`` with window ``window_days`` (≥ 0)."""
    if window_days < 0:
        raise ValueError("window_days must be ≥ 0")
    by_target: dict[Hashable, list[PlanRef]] = defaultdict(list)
    for p in plans:
        if p.end < p.start:
            raise ValueError(f"plan {p.id}: end before start")
        by_target[p.target].append(p)
    w = dt.timedelta(days=window_days)
    groups: list[Group] = []
    for target in sorted(by_target, key=str):
        groups.extend(_groups_for_target(target, by_target[target], w))
    groups.sort(key=lambda g: (g.window_from, str(g.target)))
    return Schedule(window_days=window_days, groups=groups)


def repeat_warnings(visits: Iterable[tuple], window_days: int = 30) -> list[tuple]:
    """``(target, body, start[, end])`` visits → pairs of visits of one target
    by *different* bodies whose windows are at most ``window_days`` apart
    (the 30-day warning practised in Quzhou): ``(target, body1, start1, body2,
    start2)``, earlier visit first."""
    by_target: dict[Hashable, list[tuple[dt.date, dt.date, Hashable]]] = defaultdict(list)
    for v in visits:
        target, body, start = v[0], v[1], v[2]
        end = v[3] if len(v) > 3 and v[3] is not None else start
        by_target[target].append((start, end, body))
    out = []
    for target, items in by_target.items():
        items.sort(key=lambda x: (x[0], x[1], str(x[2])))
        for i, (s1, e1, b1) in enumerate(items):
            for s2, _e2, b2 in items[i + 1:]:
                if (s2 - e1).days > window_days:
                    continue
                if b2 != b1:
                    out.append((target, b1, s1, b2, s2))
    return out


# --------------------------------------------------------------------------
# The synthetic year of the demo
# --------------------------------------------------------------------------

#: industry → departments that inspect it (demo body codes) and its share of entities.
INDUSTRIES: dict[str, tuple[tuple[str, ...], float]] = {
    "餐饮": (("DEPT-SCJG", "DEPT-WJ", "DEPT-ZHZF", "DEPT-YJ"), 0.24),
    "零售": (("DEPT-SCJG", "DEPT-ZHZF"), 0.20),
    "制造": (("DEPT-SCJG", "DEPT-STHJ", "DEPT-YJ", "DEPT-ZRZY"), 0.18),
    "建筑施工": (("DEPT-ZJ", "DEPT-YJ", "DEPT-STHJ", "DEPT-ZHZF"), 0.10),
    "住宿": (("DEPT-SCJG", "DEPT-WJ", "DEPT-YJ"), 0.08),
    "医疗美容": (("DEPT-WJ", "DEPT-SCJG"), 0.06),
    "仓储物流": (("DEPT-YJ", "DEPT-JT", "DEPT-ZHZF"), 0.07),
    "运输": (("DEPT-JT", "DEPT-YJ"), 0.07),
}
DEMO_DEPARTMENTS = ("DEPT-SCJG", "DEPT-WJ", "DEPT-ZHZF", "DEPT-YJ", "DEPT-STHJ", "DEPT-ZRZY", "DEPT-ZJ", "DEPT-JT")
#: Credit/risk grade → inspections per year per competent department (双随机 frequency by credit, 条例 Art. 21).
GRADE_FREQUENCY = {"A": (1, 1), "B": (1, 2), "C": (2, 3), "D": (3, 4)}
GRADE_SHARE = (("A", 0.35), ("B", 0.40), ("C", 0.18), ("D", 0.07))


@dataclass(frozen=True)
class SyntheticEntity:
    credit_code: str
    name: str
    industry: str
    grade: str


def synthetic_credit_code(rng: random.Random) -> str:
    """A credit code with a valid check character (registration authority 9 =
    工商, kind 1 = enterprise, division 330381 = 瑞安, a random organisation code)."""
    org = "".join(rng.choice(CREDIT_ALPHABET) for _ in range(9))
    first17 = "91330381" + org
    return first17 + credit_code_check_char(first17)


def _weighted(rng: random.Random, pairs: Sequence[tuple[str, float]]) -> str:
    x, acc = rng.random(), 0.0
    for value, share in pairs:
        acc += share
        if x < acc:
            return value
    return pairs[-1][0]


def _window(rng: random.Random, year: int) -> tuple[dt.date, dt.date, str]:
    """A plan's window: a quarter (双随机 task), a month (special campaign) or one day (fixed visit)."""
    kind = _weighted(rng, (("quarter", 0.5), ("month", 0.3), ("day", 0.2)))
    if kind == "quarter":
        q = rng.randrange(4)
        start = dt.date(year, 3 * q + 1, 1)
        end = (dt.date(year + 1, 1, 1) if q == 3 else dt.date(year, 3 * q + 4, 1)) - dt.timedelta(days=1)
        return start, end, f"{year}年第{q + 1}季度双随机抽查"
    if kind == "month":
        m = rng.randrange(1, 13)
        start = dt.date(year, m, 1)
        end = (dt.date(year + 1, 1, 1) if m == 12 else dt.date(year, m + 1, 1)) - dt.timedelta(days=1)
        return start, end, f"{year}年{m}月专项检查"
    day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
    return day, day, f"{year}年定向检查（{day:%m月%d日}）"


def synthetic_year(year: int = 2026, *, entities: int = 300, seed: str = "oneteam-linkage"
                   ) -> tuple[list[SyntheticEntity], list[tuple[PlanRef, str]]]:
    """Deterministic market entities and a year of inspection plans for them:
    each entity's industry decides which departments inspect it, its credit
    grade how often each one does, each plan gets a quarter, month or single
    day window. Returns the entities and ``(plan, title)`` pairs (plan.target
    is the credit code, plan.body a department code)."""
    rng = random.Random(f"{seed}-{year}")
    names = ("瑞丰", "安达", "飞云", "玉海", "塘下", "锦湖", "东山", "汀田", "仙降", "云周",
             "鑫源", "恒通", "宏盛", "华越")
    out_entities: list[SyntheticEntity] = []
    codes: set[str] = set()
    industries = [(k, v[1]) for k, v in INDUSTRIES.items()]
    while len(out_entities) < entities:
        code = synthetic_credit_code(rng)
        if code in codes:
            continue
        codes.add(code)
        industry = _weighted(rng, industries)
        grade = _weighted(rng, GRADE_SHARE)
        suffix = "有限公司" if rng.random() < 0.7 else "经营部"
        name = f"瑞安市{rng.choice(names)}{industry}{suffix}（演示{len(out_entities) + 1:03d}）"
        out_entities.append(SyntheticEntity(code, name, industry, grade))
    plans: list[tuple[PlanRef, str]] = []
    n = 0
    for e in out_entities:
        depts = INDUSTRIES[e.industry][0]
        lo, hi = GRADE_FREQUENCY[e.grade]
        for dept in depts:
            if rng.random() < 0.25:  # not every competent department draws every entity in a year
                continue
            for _ in range(rng.randint(lo, hi)):
                start, end, title = _window(rng, year)
                n += 1
                plans.append((PlanRef(id=n, body=dept, target=e.credit_code, start=start, end=end,
                                      items=(f"{dept}:{e.industry}",)), title))
    return out_entities, plans
