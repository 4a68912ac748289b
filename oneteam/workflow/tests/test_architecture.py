"""Rules over the whole code base: only the kernel changes a process's state,
and every declared flow is a sound transition table."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import oneteam
from oneteam.workflow.declare import START_ACTION, all_flows
from oneteam.workflow.models import ProcessRecord

ROOT = Path(oneteam.__file__).resolve().parent
ALLOWED = ROOT / "workflow" / "services.py"


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for t in targets:
            for sub in ast.walk(t):
                if isinstance(sub, ast.Attribute) and sub.attr == "state" and isinstance(sub.ctx, ast.Store):
                    out.append(f"{path.relative_to(ROOT)}:{node.lineno} assigns .state")
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in {"update", "bulk_update", "update_or_create"}:
                kws = {k.arg for k in node.keywords}
                fields = [a for a in node.args if isinstance(a, (ast.List, ast.Tuple))]
                named = any(isinstance(e, ast.Constant) and e.value == "state" for f in fields for e in f.elts)
                if "state" in kws or named:
                    out.append(f"{path.relative_to(ROOT)}:{node.lineno} updates state")
            if isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) >= 2:
                arg = node.args[1]
                if isinstance(arg, ast.Constant) and arg.value == "state":
                    out.append(f"{path.relative_to(ROOT)}:{node.lineno} setattr state")
    return out


def _concerns_processes(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    return "workflow" in text or "Process" in text


def test_state_changes_only_in_workflow_services():
    """Nothing but ``oneteam/workflow/services.py`` may assign ``.state`` or
    ``update(state=…)`` in code that touches processes (code importing the
    workflow kernel or naming ``Process``); migrations are exempt."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if path == ALLOWED or "migrations" in path.parts or "tests" in path.parts:
            continue
        # A module's name has no dot: "_subnav.html.py" is a temporary of makemessages
        # (the translation test runs it meanwhile under xdist), gone by the time it is read.
        if "." in path.stem:
            continue
        if _concerns_processes(path):
            found.extend(_violations(path))
    assert found == [], "state may change only through oneteam.workflow.services.perform():\n" + "\n".join(found)


def test_lint_detects_assignments(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from oneteam.workflow.models import Process\n"
        "def f(p):\n    p.state = 'x'\n    Process.objects.filter().update(state='y')\n"
        "    setattr(p, 'state', 'z')\n    Process.objects.bulk_update([p], ['state'])\n"
    )
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        assert len(_violations(bad)) == 4
    finally:
        ROOT = saved


@pytest.fixture
def every_flow(drill_flow):
    return all_flows()


def test_every_declared_flow_is_a_sound_transition_table(every_flow):
    """Every state reachable from the initial one, every non-terminal state has
    a way out, names and references valid; covers every flow registered in
    the project (plus the test-only drill)."""
    assert every_flow
    for flow in every_flow:
        assert flow.problems() == [], flow.kind
        assert all(a.name != START_ACTION for a in flow.actions)


def test_every_flow_model_is_a_process_record_without_own_state(every_flow):
    for flow in every_flow:
        model = flow.get_model()
        if model is None:
            continue
        assert issubclass(model, ProcessRecord), flow.kind
        names = {f.name for f in model._meta.get_fields()}
        assert not names & {"state", "status"}, f"{flow.kind}: the process's state is the only state"


def test_flow_routes_and_kinds_unique(every_flow):
    assert len({f.route for f in every_flow}) == len(every_flow)
    assert len({f.prefix for f in every_flow}) == len(every_flow)


def test_problems_reports_unreachable_and_dead_end_states():
    from oneteam.workflow.declare import Action, Flow, State

    flow = Flow(
        kind="bad",
        label="bad",
        route="bads",
        initial="a",
        states=[State("a", "A"), State("b", "B"), State("c", "C"), State("z", "Z", terminal=True)],
        actions=[Action("go", "go", source=["a"], target="b"), Action("end", "end", source=["a"], target="z")],
    )
    problems = flow.problems()
    assert "state 'c' is not reachable from 'a'" in problems
    assert "non-terminal state 'b' has no way out" in problems
