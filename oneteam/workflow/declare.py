"""Declaring a flow as data.

A mechanism (event dispatch, collaboration request, case transfer …) declares
one :class:`Flow` in its app's ``flows.py`` and calls :func:`register` at
import; the app imports ``flows`` in ``AppConfig.ready()``. The kernel
(:mod:`oneteam.workflow.services`) performs every action of every flow; pages,
API, inbox, diagram and metrics are derived from the declaration.

Example::

    FLOW = Flow(
        kind="empowerment", label=_("赋权申请"), route="empowerments", model="catalog.EmpowermentRequest",
        states=[State("proposed", _("已提出")), State("published", _("已公布"), terminal=True)],
        initial="proposed",
        actions=[
            Action("publish", _("公布"), source=["proposed"], target="published",
                   parties=[PartyRole.ASSIGNEE], roles=[Role.SUPERVISOR],
                   requires=Requires(fields=["decision_no"]), deadlines=[StopDeadline("review")]),
        ],
    )
    register(FLOW)

See ``docs/workflow.md`` for the full reference.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:  # pragma: no cover
    from oneteam.worktime.engine import Period


class PartyRole(models.TextChoices):
    """How a body takes part in a process."""

    INITIATOR = "initiator", _("发起单位")
    ASSIGNEE = "assignee", _("承办单位")
    COPIED = "copied", _("抄送单位")
    SUPERVISOR = "supervisor", _("监督单位")
    #: Asked to check something on the spot and answer (e.g. a lead's 现场核查), while it is asked.
    CHECKER = "checker", _("核查单位")


class CountsAs(models.TextChoices):
    """What an action means for the metrics (see :mod:`oneteam.workflow.metrics`)."""

    RESPONSE = "response", _("响应")
    HANDLING = "handling", _("处置")
    REWORK = "rework", _("返工")
    CLOSE = "close", _("办结")
    SATISFACTION = "satisfaction", _("满意度回访")


class Satisfaction(models.TextChoices):
    VERY_SATISFIED = "very_satisfied", _("非常满意")
    SATISFIED = "satisfied", _("满意")
    NEUTRAL = "neutral", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


#: Reserved action name of the transition written by ``start_process``, and its label.
START_ACTION = "start"
START_LABEL = _("发起")

#: Paths the kernel itself uses under /flows/ and /api/v1/.
RESERVED_ROUTES = frozenset({"inbox", "notifications", "attachments", "metrics"})

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_ROUTE_RE = re.compile(r"^[a-z][a-z0-9-]*$")


@dataclass(frozen=True)
class State:
    """A state of a flow. ``name`` is stable (API, ledger); ``label`` is Chinese."""

    name: str
    label: Any
    terminal: bool = False


@dataclass(frozen=True)
class Requires:
    """What an action needs before the kernel accepts it.

    - ``reason``: a non-empty reason text (e.g. a return, a refusal, an extension).
    - ``fields``: keys that must be present and non-empty in the action's ``data``.
    - ``attachments``: minimum number of attachments on the action.
    - ``certified_officers``: number of distinct officers, each with an
      enforcement certificate valid on the day ("a second officer" is 2).
    """

    reason: bool = False
    fields: Sequence[str] = ()
    attachments: int = 0
    certified_officers: int = 0


# ----- deadline operations an action performs ------------------------------------------


@dataclass(frozen=True)
class StartDeadline:
    """Start (or restart) the deadline ``name`` at the action's time.
    ``period`` is a worktime ``Period`` or ``callable(ctx) -> Period``."""

    name: str
    period: Period | Callable[[Any], Period]
    label: Any = None


@dataclass(frozen=True)
class StopDeadline:
    """Stop the open deadline ``name``: records ``stopped_at`` and ``met_on_time``."""

    name: str


@dataclass(frozen=True)
class PauseDeadline:
    """Suspend the open deadline ``name`` (挂起/中止): the clock stops until resumed."""

    name: str


@dataclass(frozen=True)
class ResumeDeadline:
    """Resume a paused deadline; its due date is recomputed with the pause."""

    name: str


@dataclass(frozen=True)
class ExtendDeadline:
    """Extend the open deadline ``name`` by ``period``, at most ``max_times``
    times; an extension always needs a reason."""

    name: str
    period: Period | Callable[[Any], Period]
    max_times: int = 1


@dataclass(frozen=True)
class CancelDeadline:
    """Close the open deadline ``name`` without judging it (e.g. a lead returned
    by the body that had it): ``met_on_time`` stays None and the row is marked
    superseded, so it counts neither as on time nor as late."""

    name: str


DeadlineOp = StartDeadline | StopDeadline | PauseDeadline | ResumeDeadline | ExtendDeadline | CancelDeadline


@dataclass(frozen=True)
class Field:
    """How pages ask for one of an action's data fields. Without a ``Field`` a
    required field is a one-line text input.

    ``widget``: ``text``, ``textarea``, ``number``, ``date``, ``select`` or
    ``checkboxes`` (a list value). ``choices(process, user)`` returns
    ``[(value, label), …]`` for ``select`` and ``checkboxes``. Fields not in
    ``Requires.fields`` are optional.
    """

    name: str
    label: Any = None
    widget: str = "text"
    choices: Callable[[Any, Any], Sequence[tuple[Any, Any]]] | None = None
    help_text: Any = ""


@dataclass(frozen=True)
class Action:
    """An action from one of ``source`` states to ``target``.

    Who may take it: a user whose body is an *active* party of the process in
    one of ``parties`` and who holds one of ``roles`` (empty = any role of that
    body). ``handler(ctx)`` runs inside the transaction after validation; it may
    raise ``InvalidInput``, change ``ctx.record`` (saved by the kernel after)
    and add or remove parties through ``ctx.add_party`` / ``ctx.remove_party``.
    ``counts_as`` tells the metrics what the action means.
    """

    name: str
    label: Any
    source: Sequence[str]
    target: str
    parties: Sequence[str] = (PartyRole.ASSIGNEE,)
    roles: Sequence[str] = ()
    requires: Requires = field(default_factory=Requires)
    deadlines: Sequence[DeadlineOp] = ()
    handler: Callable[[Any], None] | None = None
    counts_as: str | None = None
    #: Button style hint for pages: "primary", "secondary" or "danger".
    style: str = "primary"
    help_text: Any = ""
    #: Widgets for data fields on pages (see :class:`Field`).
    form: Sequence[Field] = ()
    #: ``offered_if(process) -> bool``: offer the action (pages, the API's
    #: ``available_actions``) only when this holds, beyond state, party and
    #: role — e.g. a request only while none is pending. Not a rule by
    #: itself: the handler must refuse the action when it does not hold.
    offered_if: Callable[[Any], bool] | None = None

    @property
    def url_name(self) -> str:
        """The kebab-case path segment of the API action endpoint."""
        return self.name.replace("_", "-")

    @property
    def needs_reason(self) -> bool:
        return self.requires.reason or any(isinstance(op, ExtendDeadline) for op in self.deadlines)


@dataclass(frozen=True)
class Flow:
    """A mechanism's flow, declared once; see the module docstring."""

    kind: str
    label: Any
    route: str
    states: Sequence[State]
    initial: str
    actions: Sequence[Action]
    model: str | None = None
    #: Prefix of human-readable numbers, e.g. "FQ" → FQ-2026-000123 (default: kind in capitals).
    number_prefix: str = ""
    #: Roles (in the initiating body) that may start a process; empty = any.
    start_roles: Sequence[str] = ()
    #: Party roles whose bodies are notified of each action (default: every party).
    notify_roles: Sequence[str] = (PartyRole.INITIATOR, PartyRole.ASSIGNEE, PartyRole.COPIED, PartyRole.SUPERVISOR)
    #: Deadlines started with every process (e.g. the assignee's response time).
    start_deadlines: Sequence[StartDeadline] = ()
    #: Deadline labels for display, e.g. {"response": _("响应期限")}.
    deadline_labels: dict[str, Any] = field(default_factory=dict)
    description: Any = ""

    # ----- lookups -----
    def state(self, name: str) -> State:
        for s in self.states:
            if s.name == name:
                return s
        raise KeyError(f"flow {self.kind!r} has no state {name!r}")

    def action(self, name: str) -> Action:
        for a in self.actions:
            if a.name == name or a.url_name == name:
                return a
        raise KeyError(f"flow {self.kind!r} has no action {name!r}")

    def state_label(self, name: str) -> str:
        try:
            return str(self.state(name).label)
        except KeyError:
            return name

    @property
    def terminal_states(self) -> set[str]:
        return {s.name for s in self.states if s.terminal}

    @property
    def prefix(self) -> str:
        return self.number_prefix or self.kind.upper()

    def actions_from(self, state: str) -> list[Action]:
        return [a for a in self.actions if state in a.source]

    def deadline_label(self, name: str) -> str:
        if name in self.deadline_labels:
            return str(self.deadline_labels[name])
        for a in self.actions:
            for op in a.deadlines:
                if isinstance(op, StartDeadline) and op.name == name and op.label:
                    return str(op.label)
        return str(DEFAULT_DEADLINE_LABELS.get(name, name))

    def get_model(self):
        if not self.model:
            return None
        from django.apps import apps

        return apps.get_model(self.model)

    # ----- checks -----
    def problems(self) -> list[str]:
        """Structural problems of the declaration (empty = sound). Checked by
        :func:`register` and by the transition-table test over every flow."""
        out: list[str] = []
        names = [s.name for s in self.states]
        if len(set(names)) != len(names):
            out.append("duplicate state names")
        if not _NAME_RE.match(self.kind):
            out.append(f"kind {self.kind!r} must be lowercase snake_case")
        if not _ROUTE_RE.match(self.route):
            out.append(f"route {self.route!r} must be kebab-case")
        if self.route in RESERVED_ROUTES:
            out.append(f"route {self.route!r} is reserved")
        if self.initial not in names:
            out.append(f"initial state {self.initial!r} is not declared")
        action_names = [a.name for a in self.actions]
        if len(set(action_names)) != len(action_names):
            out.append("duplicate action names")
        for a in self.actions:
            if not _NAME_RE.match(a.name):
                out.append(f"action {a.name!r} must be lowercase snake_case")
            if a.name == START_ACTION:
                out.append(f"action name {START_ACTION!r} is reserved")
            for s in [*a.source, a.target]:
                if s not in names:
                    out.append(f"action {a.name!r} refers to unknown state {s!r}")
            for s in a.source:
                if s in names and self.state(s).terminal:
                    out.append(f"action {a.name!r} leaves terminal state {s!r}")
            for p in a.parties:
                if p not in PartyRole.values:
                    out.append(f"action {a.name!r} has unknown party role {p!r}")
            if a.counts_as is not None and a.counts_as not in CountsAs.values:
                out.append(f"action {a.name!r} has unknown counts_as {a.counts_as!r}")
        # Every state reachable from the initial one.
        reachable = {self.initial}
        frontier = [self.initial]
        while frontier:
            s = frontier.pop()
            for a in self.actions_from(s):
                if a.target not in reachable:
                    reachable.add(a.target)
                    frontier.append(a.target)
        for s in self.states:
            if s.name not in reachable:
                out.append(f"state {s.name!r} is not reachable from {self.initial!r}")
            if not s.terminal and not self.actions_from(s.name):
                out.append(f"non-terminal state {s.name!r} has no way out")
        if not self.terminal_states:
            out.append("no terminal state")
        return out


DEFAULT_DEADLINE_LABELS = {
    "response": _("响应期限"),
    "handling": _("处置期限"),
    "reply": _("答复期限"),
    "decision": _("决定期限"),
    "review": _("审核期限"),
}


# ----- the registry ----------------------------------------------------------------------

_registry: dict[str, Flow] = {}
_version = 0


class FlowDeclarationError(ValueError):
    pass


def register(flow: Flow) -> Flow:
    """Register ``flow`` (idempotent for the same object). Raises
    :class:`FlowDeclarationError` if the declaration is unsound or its kind or
    route is taken by another flow."""
    global _version
    existing = _registry.get(flow.kind)
    if existing is flow:
        return flow
    problems = flow.problems()
    if problems:
        raise FlowDeclarationError(f"flow {flow.kind!r}: " + "; ".join(problems))
    if existing is not None:
        raise FlowDeclarationError(f"flow kind {flow.kind!r} is already registered")
    if any(f.route == flow.route for f in _registry.values()):
        raise FlowDeclarationError(f"flow route {flow.route!r} is already registered")
    _registry[flow.kind] = flow
    _version += 1
    return flow


def unregister(kind: str) -> None:
    """Remove a flow (tests only)."""
    global _version
    if _registry.pop(kind, None) is not None:
        _version += 1


def get_flow(kind: str) -> Flow:
    try:
        return _registry[kind]
    except KeyError:
        raise KeyError(f"no flow of kind {kind!r} is registered") from None


def flow_for_route(route: str) -> Flow | None:
    for f in _registry.values():
        if f.route == route:
            return f
    return None


def all_flows() -> list[Flow]:
    return sorted(_registry.values(), key=lambda f: f.kind)


def registry_version() -> int:
    return _version


def kinds(flows: Iterable[Flow] | None = None) -> list[str]:
    return [f.kind for f in (flows if flows is not None else all_flows())]
