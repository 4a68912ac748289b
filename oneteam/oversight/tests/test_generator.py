import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import Count, Max, Min, Q

from oneteam.command.models import Event
from oneteam.oversight import rollups
from oneteam.oversight.generator import Generator
from oneteam.workflow.models import NumberSequence, Party, Process, ProcessDeadline, Transition
from oneteam.workflow.services import perform

pytestmark = pytest.mark.django_db

N = 300


@pytest.fixture
def generated(world):
    before = NumberSequence.objects.filter(kind="event", year=2026).values_list("last", flat=True).first() or 0
    # A fixed "now" keeps the mix of open states the same whatever the time of day of the run.
    now = dt.datetime(2026, 11, 20, 6, 0, tzinfo=dt.UTC)
    totals = Generator(events=N, year=2026, seed=5, threaded=False, resolve=False, now=now).run()
    rollups.rebuild()
    world.before, world.totals = before, totals
    return world


def test_generate_city_rows_are_consistent(generated):
    processes = Process.objects.filter(data__synthetic=True)
    assert processes.count() == N
    assert Event.objects.filter(process__in=processes).count() == N
    assert not processes.filter(~Q(parties__role="initiator")).exists()
    per = processes.annotate(n=Count("transitions", distinct=True), first=Min("transitions__seq"),
                             last=Max("transitions__seq"), d=Count("deadlines", distinct=True))
    for p in per:
        assert p.n >= 1 and p.first == 1 and p.last == p.n == p.version, p.number
        assert p.d >= 1, p.number
    numbers = list(processes.order_by("number").values_list("number", flat=True))
    assert len(set(numbers)) == N
    assert numbers[0] == f"SJ-2026-{generated.before + 1:06d}"
    assert NumberSequence.objects.get(kind="event", year=2026).last == generated.before + N
    # Finished processes have no running clock; open ones do unless waiting for a visit.
    assert not ProcessDeadline.objects.filter(process__in=processes.filter(closed_at__isnull=False),
                                              stopped_at__isnull=True).exists()
    assert processes.filter(state="archived").count() > N * 0.6
    # Dispatched processes have an assignee; handled ones a handling transition by it.
    for p in processes.filter(state__in=["handling", "reported_back", "closed", "archived"]):
        assignee = Party.objects.filter(process=p, role="assignee", active=True).first()
        if p.state != "archived" or Transition.objects.filter(process=p, action="accept").exists():
            assert assignee is not None, p.number
    assert not Transition.objects.filter(process__in=processes, ledger_seq__isnull=False).exists()


def test_generate_city_rollups_equal_recount(generated):
    assert rollups.stored() == rollups.recount()
    assert sum(v[0] for v in rollups.stored().values()) > N * 0.8  # dispatched


@pytest.fixture
def recent(world):
    """A busy first working week of January: many leads still open, in every state."""
    now = dt.datetime(2026, 1, 6, 2, 30, tzinfo=dt.UTC)  # Tuesday 10:30 in Rui'an
    Generator(events=150, year=2026, seed=9, threaded=False, resolve=False, now=now).run()
    rollups.rebuild()
    return world


def test_generated_leads_carry_the_kernels_next_due(recent):
    """``Process.next_due`` as the kernel keeps it: the earliest due time of
    the clocks neither stopped nor paused; none once every clock is."""
    processes = Process.objects.filter(data__synthetic=True)
    running = Min("deadlines__due_at", filter=Q(deadlines__stopped_at__isnull=True,
                                                 deadlines__paused_since__isnull=True))
    rows = list(processes.annotate(expected=running).values_list("next_due", "expected", "state"))
    assert [(due, state) for due, expected, state in rows if due != expected] == []
    assert sum(due is not None for due, *_ in rows) > 50
    assert {state for due, _e, state in rows if due is None} >= {"suspended", "archived"}


def test_generated_open_leads_can_be_acted_on_by_the_kernel(recent):
    """The kernel takes over synthetic leads as if it had written them."""
    generated = recent
    team = Process.objects.filter(data__synthetic=True, parties__role="assignee", parties__active=True,
                                  parties__body=generated.team, closed_at__isnull=True)
    closing = {"data": {"conditions": generated.category.closing_conditions}}
    acted = 0
    for state, action, actor, kwargs in [
        ("dispatched", "accept", generated.officer, {}),
        ("handling", "suspend", generated.officer, {"reason": "等待认定"}),
        ("reported_back", "close", generated.dispatcher, closing),
        ("closed", "evaluate", generated.dispatcher, {"data": {"satisfaction": "satisfied"}}),
    ]:
        p = team.filter(state=state, initiator_body=generated.command_room).order_by("pk").first()
        if p is not None:
            perform(p, action, actor=actor, **kwargs)
            acted += 1
    assert acted >= 2
    assert rollups.stored() == rollups.recount()


def test_generate_city_command_runs(world, monkeypatch, capsys):
    import oneteam.oversight.generator as gen

    original = gen.Generator.__init__

    def init(self, **kwargs):
        original(self, **{**kwargs, "threaded": False, "resolve": False})

    monkeypatch.setattr(gen.Generator, "__init__", init)
    call_command("generate-city", "--events", "40", "--year", "2026", "--no-progress")
    assert Process.objects.filter(data__synthetic=True).count() == 40
    assert "已生成 40 个事件" in capsys.readouterr().out
