"""Every write of the workflow kernel.

:func:`perform` is the only code that changes a process's state (a test parses
the code base to enforce it). Each service runs in one transaction: it locks
the process row, checks permission and requirements, changes the state with a
conditional update, appends the ledger entry, updates deadlines, and queues
notifications for after the commit.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, models, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oneteam.core import rows
from oneteam.core.errors import Conflict, InvalidInput, NotPermitted
from oneteam.core.i18n import record_language, record_text
from oneteam.ledger import services as ledger
from oneteam.org.models import Body, User
from oneteam.org.services import require_certified_officers

from . import clock, files, hooks, notify
from .declare import (
    START_ACTION,
    START_LABEL,
    Action,
    CancelDeadline,
    CountsAs,
    ExtendDeadline,
    Flow,
    PartyRole,
    PauseDeadline,
    ResumeDeadline,
    Satisfaction,
    StartDeadline,
    StopDeadline,
    get_flow,
)
from .models import (
    Attachment,
    Blob,
    Comment,
    NumberSequence,
    Party,
    Process,
    ProcessDeadline,
    Transition,
)

log = logging.getLogger(__name__)

CONFLICT_MESSAGE = gettext_lazy("该事项已被他人处理，请刷新后重试。")


# --------------------------------------------------------------------------
# The context handed to handlers and period callables
# --------------------------------------------------------------------------


@dataclass
class ActionContext:
    """What a handler (``Action.handler``) or a period callable sees. Runs
    inside the transaction, after validation, before the state change is
    written. Handlers may raise ``InvalidInput``, change ``record`` fields
    (saved by the kernel afterwards) and add or remove parties."""

    flow: Flow
    action: Action | None
    process: Process
    record: Any
    actor: User | None
    data: dict[str, Any]
    reason: str
    officers: list[User]
    now: dt.datetime
    party_changes: list[dict[str, Any]] = field(default_factory=list)
    #: The action's attachments (``Attachment`` rows, not yet bound to the transition).
    attachments: list[Any] = field(default_factory=list)
    #: Deadlines this action started, stopped, paused, resumed, extended or cancelled (for hooks).
    deadlines_changed: list[ProcessDeadline] = field(default_factory=list)

    def parties(self, role: str | None = None, *, active: bool = True) -> list[Party]:
        qs = Party.objects.filter(process=self.process).select_related("body")
        if role:
            qs = qs.filter(role=role)
        if active:
            qs = qs.filter(active=True)
        return list(qs)

    def attach(self, attachment: Attachment) -> None:
        """Bind a file the handler produced (e.g. a generated letter, uploaded
        through :func:`do_upload`) to this action's transition."""
        self.attachments.append(attachment)

    def add_party(self, body: Body, role: str) -> Party:
        """Make ``body`` an active party in ``role`` (re-activating a former one)."""
        party = _add_party(self.process, body, role, self.now)
        self.party_changes.append({"op": "add", "body_id": body.pk, "body": str(body), "role": str(role)})
        return party

    def remove_party(self, body: Body, role: str) -> None:
        """Deactivate ``body`` in ``role``; it keeps read access to the history."""
        n = Party.objects.filter(process=self.process, body=body, role=role, active=True).update(
            active=False, removed_at=self.now
        )
        if n:
            self.party_changes.append({"op": "remove", "body_id": body.pk, "body": str(body), "role": str(role)})

    def replace_assignees(self, bodies: Iterable[Body]) -> None:
        """Reassign: the given bodies become the only active assignees."""
        wanted = {b.pk: b for b in bodies}
        for party in self.parties(PartyRole.ASSIGNEE):
            if party.body_id not in wanted:
                self.remove_party(party.body, PartyRole.ASSIGNEE)
        for body in wanted.values():
            self.add_party(body, PartyRole.ASSIGNEE)


def _add_party(process: Process, body: Body, role: str, now: dt.datetime) -> Party:
    party, created = Party.objects.get_or_create(process=process, body=body, role=role, defaults={"added_at": now})
    if not created and not party.active:
        party.active = True
        party.removed_at = None
        party.added_at = now
        party.save(update_fields=["active", "removed_at", "added_at"])
    return party


# --------------------------------------------------------------------------
# Starting a process
# --------------------------------------------------------------------------


def reserve_numbers(flow: Flow, year: int, count: int) -> int:
    """Reserve ``count`` consecutive numbers of ``flow`` in ``year`` (inside the
    caller's transaction, or alone in autocommit); returns the first."""
    q = connection.ops.quote_name
    # One statement takes the row lock, advances and returns the last number
    # (RETURNING: PostgreSQL, SQLite ≥ 3.35); only the first number of a kind
    # and year creates the row.
    sql = (f"UPDATE {q(NumberSequence._meta.db_table)} SET {q('last')} = {q('last')} + %s "
           f"WHERE {q('kind')} = %s AND {q('year')} = %s RETURNING {q('last')}")
    with connection.cursor() as cur:
        cur.execute(sql, [count, flow.kind, year])
        row = cur.fetchone()
        if row is None:
            NumberSequence.objects.get_or_create(kind=flow.kind, year=year)
            cur.execute(sql, [count, flow.kind, year])
            row = cur.fetchone()
    return row[0] - count + 1


def process_number(flow: Flow, year: int, n: int) -> str:
    """A process's number as shown everywhere: ``SJ-2026-000123``."""
    return f"{flow.prefix}-{year}-{n:06d}"


def _clean(obj: models.Model, exclude: Sequence[str] = ()) -> None:
    """Validate a record before saving. Foreign keys set to model instances are
    not re-fetched one query each (``ForeignKey.validate``): the caller holds the
    objects and the database enforces the keys."""
    given = [f.name for f in obj._meta.concrete_fields
             if f.many_to_one and f.name in obj.__dict__.get("_state").fields_cache]
    try:
        obj.full_clean(exclude=[*exclude, *given],
                       validate_constraints=getattr(obj, "validate_constraints_in_kernel", True))
    except ValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        first = next(iter(detail.values()))[0]
        raise InvalidInput(first, code="invalid_record", detail=detail) from exc


def _jsonable(value: Any) -> Any:
    def default(o):
        if isinstance(o, models.Model):
            return o.pk
        if isinstance(o, (dt.date, dt.datetime)):
            return o.isoformat()
        return str(o)

    return json.loads(json.dumps(value, default=default, ensure_ascii=False))


def record_dict(record: models.Model | None) -> dict[str, Any]:
    """The mechanism's own fields as JSON-able data (for ledger, API and pages)."""
    if record is None:
        return {}
    out = {}
    for f in record._meta.concrete_fields:
        if f.name == "process":
            continue
        out[f.name] = getattr(record, f.attname)
    return _jsonable(out)


@dataclass
class StartPlan:
    """A process start built and validated before its write transaction
    (:func:`plan_start`), written by :func:`write_starts`. The rows are
    unsaved; the number, keys and ledger sequence are filled in at the write."""

    flow: Flow
    actor: User | None
    initiator: Body
    process: Process
    parties: list[Party]
    record: models.Model | None
    transition: Transition
    deadlines: list[ProcessDeadline]
    attachments: list[Any]
    payload: dict[str, Any]


def start_process(kind: str, **kwargs: Any) -> Process:
    """Start a process of flow ``kind``: :func:`plan_start` (its arguments and
    preconditions), then :func:`write_starts` in one transaction."""
    plan = plan_start(kind, **kwargs)
    with transaction.atomic():
        return write_starts([plan])[0]


def plan_start(
    kind: str,
    *,
    actor: User | None,
    initiator: Body,
    assignees: Iterable[Body] = (),
    copied: Iterable[Body] = (),
    supervisor: Body | None = None,
    title: str,
    township=None,
    record_fields: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    deadlines: Sequence[StartDeadline] = (),
    attachments: Iterable[Any] = (),
) -> StartPlan:
    """Build and validate the start of a process of flow ``kind`` sent by
    ``initiator``, without writing anything.

    Preconditions: ``actor`` works in ``initiator`` (or is None for the
    system) and holds one of the flow's ``start_roles`` if declared; the record
    fields pass the mechanism model's validation. The plan holds the process
    in the flow's initial state, its parties and record row, transition #1
    (``start``) and the flow's ``start_deadlines`` and ``deadlines`` with their
    due times. Building it outside the write transaction keeps that
    transaction (SQLite's one writer) to the inserts themselves.
    """
    flow = get_flow(kind)
    title = (title or "").strip()
    if not title:
        raise InvalidInput(_("请填写标题。"), code="title_required")
    if actor is not None:
        if actor.body_id != initiator.pk:
            raise NotPermitted(_("只能以本单位名义发起。"), code="not_initiator")
        if flow.start_roles and not actor.has_role(*flow.start_roles):
            raise NotPermitted(_("您的角色不能发起“%(flow)s”。") % {"flow": flow.label}, code="role_required")
    now = timezone.now()
    process = Process(
        kind=flow.kind,
        number="",
        title=title,
        state=flow.initial,
        township=township if township is not None else initiator.township,
        initiator_body=initiator,
        created_by=actor,
        created_by_name=_actor_name(actor),
        created_at=now,
        updated_at=now,
        data=_jsonable(data or {}),
    )
    # A new process has no parties yet (a body may hold several roles, once each).
    wanted = [(initiator, PartyRole.INITIATOR), *((b, PartyRole.ASSIGNEE) for b in assignees),
              *((b, PartyRole.COPIED) for b in copied),
              *([(supervisor, PartyRole.SUPERVISOR)] if supervisor is not None else [])]
    seen: set[tuple[int, str]] = set()
    parties = []
    for body, role in wanted:
        if (body.pk, role) not in seen:
            seen.add((body.pk, role))
            parties.append(Party(process=process, body=body, role=role, added_at=now))

    record = None
    model = flow.get_model()
    if model is not None:
        record = model(process=process, **(record_fields or {}))
        _clean(record, exclude=["process"])
    elif record_fields:
        raise InvalidInput(_("该流程没有登记字段。"), code="no_record_model")
    process._record_cache = record

    transition = Transition(
        process=process,
        seq=1,
        action=START_ACTION,
        action_label=record_text(START_LABEL),
        from_state="",
        to_state=flow.initial,
        actor=actor,
        actor_name=_actor_name(actor),
        body=initiator,
        body_name=str(initiator),
        at=now,
        data=process.data,
    )
    ctx = ActionContext(flow=flow, action=None, process=process, record=record, actor=actor, data=process.data,
                        reason="", officers=[], now=now)
    clocks = [_new_deadline(ctx, op, transition) for op in [*flow.start_deadlines, *deadlines]]
    process.next_due = min((d.due_at for d in clocks), default=None)  # none starts paused
    return StartPlan(
        flow=flow, actor=actor, initiator=initiator, process=process, parties=parties, record=record,
        transition=transition,
        deadlines=clocks,
        attachments=list(attachments),
        payload={"title": title, "state": flow.initial,
                 "parties": [{"body_id": p.body_id, "body": str(p.body), "role": p.role} for p in parties],
                 "record": record_dict(record), "data": process.data},
    )


def number_starts(plans: Sequence[StartPlan]) -> None:
    """Give the planned starts without a number their numbers, in order (one
    statement per flow and year). :func:`write_starts` does it inside its
    transaction, so numbers have no gaps. Called before that transaction, in
    autocommit, the number row is locked only for the statement itself
    instead of until the commit; a plan that then fails to be written leaves
    a gap (group commit on PostgreSQL, ``oneteam.command.services``)."""
    by_sequence: dict[tuple[str, int], list[StartPlan]] = {}
    for plan in plans:
        if not plan.process.number:
            year = timezone.localtime(plan.process.created_at).year
            by_sequence.setdefault((plan.flow.kind, year), []).append(plan)
    for (_kind, year), group in by_sequence.items():
        flow = group[0].flow
        first = reserve_numbers(flow, year, len(group))
        for i, plan in enumerate(group):
            plan.process.number = process_number(flow, year, first + i)


def write_starts(plans: Sequence[StartPlan]) -> list[Process]:
    """Write planned starts, in order, inside the caller's transaction: each
    process gets its number, its parties and record row, transition #1, the
    ledger entry ``<kind>.start`` and its running deadlines; the after-action
    hooks run and the parties are notified. One statement per table for all
    the plans (group commit of concurrent intakes, ``oneteam.core.groupcommit``)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("write_starts() must be called inside transaction.atomic()")
    number_starts(plans)
    # The rows of a start go in through ``rows.insert`` (SQL compiled once: intake's hot path).
    rows.insert([plan.process for plan in plans])
    # Keys are set here, not taken from the cached related objects: a plan
    # may be written again after a failed batch, with stale keys from then.
    # (Assigned as objects, which sets the key and keeps the cached process.)
    for plan in plans:
        for row in (*plan.parties, plan.transition, *plan.deadlines, *([plan.record] if plan.record else [])):
            row.process = plan.process
    rows.insert([party for plan in plans for party in plan.parties])
    records: dict[type, list[models.Model]] = {}
    for plan in plans:
        if plan.record is not None:
            records.setdefault(type(plan.record), []).append(plan.record)
    for group in records.values():
        rows.insert(group)
    entries = ledger.append_many([
        {"action": f"{plan.flow.kind}.{START_ACTION}", "actor": plan.actor, "obj": plan.process,
         "body": plan.initiator if plan.actor is None else None,
         "payload": {"number": plan.process.number, **plan.payload}}
        for plan in plans])
    for plan, entry in zip(plans, entries, strict=True):
        plan.transition.ledger_seq = entry.seq
    rows.insert([plan.transition for plan in plans])
    for plan in plans:
        for deadline in plan.deadlines:
            deadline.started_by = plan.transition
    rows.insert([deadline for plan in plans for deadline in plan.deadlines])
    for plan in plans:
        if plan.attachments:
            _attach(_resolve_attachments(plan.attachments, plan.actor), plan.process, plan.transition)
        hooks.run_after_action(plan.transition, process=plan.process, deadlines=plan.deadlines, parties=plan.parties)
        notify.notify_transition(plan.transition, plan.process)
    return [plan.process for plan in plans]


def _actor_name(actor: User | None) -> str:
    if actor is None:
        return "系统"
    return actor.get_full_name() or actor.get_username()


# --------------------------------------------------------------------------
# Permission
# --------------------------------------------------------------------------


def _active_parties(process: Process) -> list[Party]:
    cache = getattr(process, "_prefetched_objects_cache", {})
    if "parties" in cache:
        return [p for p in process.parties.all() if p.active]
    return list(Party.objects.filter(process=process, active=True))


def can_act(process: Process, action: Action, user, *, parties: list[Party] | None = None) -> bool:
    """True when ``user`` may take ``action`` on ``process`` now: the process
    is in one of the action's source states, the user's body is an active
    party in one of the action's party roles, and the user holds one of the
    action's roles (if any). Admins and citywide bodies see everything but act
    only as parties."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if not user.body_id or process.state not in action.source:
        return False
    parties = _active_parties(process) if parties is None else parties
    if not any(p.body_id == user.body_id and p.role in action.parties for p in parties):
        return False
    return not action.roles or user.has_role(*action.roles)


def available_actions(process: Process, user) -> list[Action]:
    """The actions ``user`` may take on ``process`` in its current state,
    less those whose ``offered_if`` does not hold now (what pages offer)."""
    flow = get_flow(process.kind)
    parties = _active_parties(process)
    return [a for a in flow.actions_from(process.state) if can_act(process, a, user, parties=parties)
            and (a.offered_if is None or a.offered_if(process))]


def _permission_error(flow: Flow, action: Action) -> NotPermitted:
    parties = "、".join(str(PartyRole(p).label) for p in action.parties)
    if action.roles:
        from oneteam.org.choices import Role

        roles = "、".join(str(Role(r).label) if r in Role.values else r for r in action.roles)
        msg = _("“%(action)s”只能由%(parties)s的%(roles)s执行。") % {
            "action": action.label,
            "parties": parties,
            "roles": roles,
        }
    else:
        msg = _("“%(action)s”只能由%(parties)s执行。") % {"action": action.label, "parties": parties}
    return NotPermitted(msg, code="not_permitted")


# --------------------------------------------------------------------------
# Performing an action
# --------------------------------------------------------------------------


def _resolve_officers(officers: Iterable[Any]) -> list[User]:
    ids = [o.pk if isinstance(o, User) else int(o) for o in officers]
    found = {u.pk: u for u in User.objects.filter(pk__in=ids).select_related("body")}
    missing = [i for i in ids if i not in found]
    if missing:
        raise InvalidInput(_("执法人员不存在：%(ids)s") % {"ids": ", ".join(map(str, missing))}, code="officer_unknown")
    return [found[i] for i in dict.fromkeys(ids)]


def _resolve_attachments(items: Iterable[Any], actor: User | None) -> list[Attachment]:
    out: list[Attachment] = []
    for item in items:
        if isinstance(item, Attachment):
            att = item
        elif isinstance(item, UploadedFile):
            if actor is None:
                raise InvalidInput(_("系统操作不能上传附件。"), code="attachment_invalid")
            att = do_upload(item, actor=actor)
        else:
            sha = str(item).strip().lower()
            att = (
                Attachment.objects.filter(blob_id=sha, uploaded_by=actor).order_by("process_id", "-pk").first()
                if actor is not None
                else None
            )
            if att is None:
                raise InvalidInput(
                    _("附件不存在或不是您上传的：%(sha)s") % {"sha": sha[:12]}, code="attachment_unknown"
                )
        out.append(att)
    return out


def _open_deadline(process: Process, name: str, *, lock: bool = True) -> ProcessDeadline | None:
    qs = ProcessDeadline.objects.filter(process=process, name=name, stopped_at__isnull=True)
    if lock:
        qs = qs.select_for_update()
    return qs.first()


def _validate(
    flow: Flow,
    action: Action,
    process: Process,
    *,
    reason: str,
    data: dict,
    attachments: list,
    officers: list[User],
    now: dt.datetime,
    record,
) -> None:
    req = action.requires
    if action.needs_reason and not reason:
        raise InvalidInput(_("“%(action)s”必须填写理由。") % {"action": action.label}, code="reason_required")
    missing = [f for f in req.fields if data.get(f) in (None, "", [], {})]
    if missing:
        raise InvalidInput(
            _("“%(action)s”缺少必填内容：%(fields)s")
            % {"action": action.label, "fields": "、".join(_field_label(flow, f) for f in missing)},
            code="fields_required",
            detail={"missing": missing},
        )
    if len(attachments) < req.attachments:
        raise InvalidInput(
            _("“%(action)s”至少需要%(n)d个附件。") % {"action": action.label, "n": req.attachments},
            code="attachments_required",
        )
    if req.certified_officers:
        require_certified_officers(officers, on=timezone.localdate(now), minimum=req.certified_officers)
    if officers:
        party_bodies = {p.body_id for p in _active_parties(process)}
        strangers = [str(o) for o in officers if o.body_id not in party_bodies]
        if strangers:
            raise InvalidInput(
                _("执法人员须为参与单位人员：%(names)s") % {"names": "、".join(strangers)}, code="officer_not_party"
            )
    if action.counts_as == CountsAs.SATISFACTION and data.get("satisfaction") not in Satisfaction.values:
        raise InvalidInput(_("请选择满意度评价。"), code="satisfaction_required")
    for op in action.deadlines:
        if isinstance(op, ExtendDeadline):
            deadline = _open_deadline(process, op.name)
            if deadline is None:
                raise InvalidInput(
                    _("“%(d)s”未在计时，不能延期。") % {"d": flow.deadline_label(op.name)}, code="deadline_not_running"
                )
            if deadline.extension_count >= op.max_times:
                raise InvalidInput(
                    _("“%(d)s”已延期%(n)d次，不能再次延期。")
                    % {"d": flow.deadline_label(op.name), "n": deadline.extension_count},
                    code="extension_limit",
                )
    if record is not None:
        _apply_record_fields(record, req.fields, data)


def _field_label(flow: Flow, name: str) -> str:
    model = flow.get_model()
    if model is not None:
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            pass
    return name


def _apply_record_fields(record, names: Sequence[str], data: dict) -> None:
    """Copy required ``fields`` that are also fields of the record model from
    the action's data onto the record (validated before saving)."""
    for name in names:
        try:
            f = record._meta.get_field(name)
        except FieldDoesNotExist:  # not a record field: stays in the transition's data only
            continue
        if not getattr(f, "concrete", False) or f.name == "process" or f.is_relation:
            continue
        try:
            setattr(record, f.attname, f.to_python(data[name]))
        except ValidationError as exc:
            raise InvalidInput(
                f"{f.verbose_name}：{'；'.join(exc.messages)}", code="invalid_record", detail={name: exc.messages}
            ) from exc


def perform(
    process: Process,
    action: Action | str,
    *,
    actor: User | None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    attachments: Iterable[Any] = (),
    officers: Iterable[Any] = (),
    expected_version: int | None = None,
) -> Transition:
    """Take ``action`` on ``process``: THE only way a state changes.

    Order: lock the process row (``select_for_update``) → conflict checks
    (``expected_version``, state moved by someone else) → permission → the
    action's requirements (reason, fields, attachments, certified officers,
    extension limits) → handler → conditional ``UPDATE … WHERE version=…``
    → transition row → ledger entry ``<kind>.<action>`` → deadline start/stop/
    pause/resume/extend → notifications (same transaction).

    ``attachments`` are ``Attachment`` objects, SHA-256 strings of files the
    actor uploaded, or uploaded files; ``officers`` are users or user ids.
    Raises ``Conflict`` (409) when another person acted first, ``NotPermitted``
    (403) and ``InvalidInput`` (400); nothing is written then.
    """
    flow = get_flow(process.kind)
    if isinstance(action, str):
        try:
            action = flow.action(action)
        except KeyError:
            raise InvalidInput(_("未知的操作：%(a)s") % {"a": action}, code="unknown_action") from None
    reason = (reason or "").strip()
    data = dict(data or {})
    with transaction.atomic():
        return _perform_locked(
            flow,
            process,
            action,
            actor=actor,
            reason=reason,
            data=data,
            attachments=attachments,
            officers=officers,
            expected_version=expected_version,
        )


def _perform_locked(flow, process, action, *, actor, reason, data, attachments, officers, expected_version):
    seen_state = process.state
    locked = Process.objects.select_for_update().get(pk=process.pk)
    if expected_version is not None and int(expected_version) != locked.version:
        raise Conflict(str(CONFLICT_MESSAGE), code="conflict")
    if locked.state not in action.source:
        if seen_state in action.source and seen_state != locked.state:
            raise Conflict(str(CONFLICT_MESSAGE), code="conflict")
        raise InvalidInput(
            _("事项当前状态为“%(state)s”，不能执行“%(action)s”。")
            % {"state": flow.state_label(locked.state), "action": action.label},
            code="invalid_state",
        )
    if not can_act(locked, action, actor):
        raise _permission_error(flow, action)

    now = timezone.now()
    officer_users = _resolve_officers(officers)
    attachment_objs = _resolve_attachments(attachments, actor)
    record = locked.record
    _validate(
        flow,
        action,
        locked,
        reason=reason,
        data=data,
        attachments=attachment_objs,
        officers=officer_users,
        now=now,
        record=record,
    )

    ctx = ActionContext(
        flow=flow,
        action=action,
        process=locked,
        record=record,
        actor=actor,
        data=data,
        reason=reason,
        officers=officer_users,
        now=now,
        attachments=attachment_objs,
    )
    if action.handler is not None:
        action.handler(ctx)
    if record is not None:
        _clean(record, exclude=["process"])
        record.save()

    target = action.target
    changes: dict[str, Any] = {"state": target, "version": F("version") + 1, "updated_at": now}
    if flow.state(target).terminal:
        changes["closed_at"] = now
        changes["next_due"] = None  # its clocks are stopped below
    if action.counts_as == CountsAs.SATISFACTION:
        changes["satisfaction"] = data["satisfaction"]
    if not Process.objects.filter(pk=locked.pk, version=locked.version).update(**changes):
        raise Conflict(str(CONFLICT_MESSAGE), code="conflict")

    seq = (Transition.objects.filter(process=locked).aggregate(m=models.Max("seq"))["m"] or 0) + 1
    clean_data = _jsonable(data)
    payload = {
        "number": locked.number,
        "seq": seq,
        "from": locked.state,
        "to": target,
        "reason": reason,
        "data": clean_data,
        "attachments": [a.blob_id for a in attachment_objs],
        "officers": [{"id": o.pk, "name": str(o)} for o in officer_users],
    }
    if ctx.party_changes:
        payload["parties"] = ctx.party_changes
    if record is not None:
        payload["record"] = record_dict(record)
    entry = ledger.append(f"{flow.kind}.{action.name}", actor=actor, obj=locked, payload=payload)
    transition = Transition.objects.create(
        process=locked,
        seq=seq,
        action=action.name,
        action_label=record_text(action.label),
        counts_as=action.counts_as or "",
        from_state=locked.state,
        to_state=target,
        actor=actor,
        actor_name=_actor_name(actor),
        body=getattr(actor, "body", None),
        body_name=str(actor.body) if actor is not None and actor.body_id else "",
        at=now,
        reason=reason,
        data=clean_data,
        officers=payload["officers"],
        ledger_seq=entry.seq,
    )
    _attach(attachment_objs, locked, transition)

    locked.state = target  # workflow-kernel: the in-memory copy follows the conditional update above
    locked.version += 1
    ctx.process = locked
    for op in action.deadlines:
        _apply_deadline_op(ctx, op, transition)
    if "closed_at" in changes:  # a finished process has no running clock (met_on_time stays None)
        ProcessDeadline.objects.filter(process=locked, stopped_at__isnull=True).update(
            stopped_at=now, paused_since=None
        )
    elif ctx.deadlines_changed:
        sync_next_due([locked.pk])
    hooks.run_after_action(transition, process=locked, deadlines=ctx.deadlines_changed)
    # The caller's object follows the database.
    process.refresh_from_db()
    process._record_cache = record
    notify.notify_transition(transition, locked)
    return transition


# --------------------------------------------------------------------------
# Deadlines
# --------------------------------------------------------------------------


def _attach(attachments: list[Attachment], process: Process, transition: Transition) -> None:
    """Bind uploaded files to the transition that used them."""
    for att in attachments:
        if att.process_id is None:
            Attachment.objects.filter(pk=att.pk).update(process=process, transition=transition)
        else:  # the same file on a second action: a new attachment row, same blob
            Attachment.objects.create(
                blob_id=att.blob_id,
                process=process,
                transition=transition,
                original_name=att.original_name,
                uploaded_by=att.uploaded_by,
                uploaded_by_name=att.uploaded_by_name,
                uploaded_by_body=att.uploaded_by_body,
                uploaded_at=att.uploaded_at,
                ledger_seq=att.ledger_seq,
            )


def _apply_deadline_op(ctx: ActionContext, op, transition: Transition) -> None:
    if isinstance(op, StartDeadline):
        ctx.deadlines_changed.append(_start_deadline(ctx, op, transition))
        return
    deadline = _open_deadline(ctx.process, op.name)
    if deadline is None:
        return  # nothing running under that name on this path (e.g. never started): no-op
    now = ctx.now
    ctx.deadlines_changed.append(deadline)
    if isinstance(op, CancelDeadline):
        if deadline.paused_since is not None:
            _close_pause(deadline, now)
        deadline.stopped_at = now
        deadline.superseded = True
        deadline.met_on_time = None
    elif isinstance(op, StopDeadline):
        if deadline.paused_since is not None:
            _close_pause(deadline, now)
            clock.recompute(deadline, now)
        deadline.stopped_at = now
        deadline.met_on_time = now <= deadline.due_at
    elif isinstance(op, PauseDeadline):
        if deadline.paused_since is not None:
            return
        deadline.paused_since = now
        deadline.pause_reason = ctx.reason[:500]
        clock.recompute(deadline, now)
    elif isinstance(op, ResumeDeadline):
        if deadline.paused_since is None:
            return
        _close_pause(deadline, now)
        clock.recompute(deadline, now)
    elif isinstance(op, ExtendDeadline):
        period = op.period(ctx) if callable(op.period) else op.period
        kind, amount = clock.period_parts(period)
        deadline.extensions = [
            *deadline.extensions,
            {"kind": kind, "amount": amount, "reason": ctx.reason, "at": now.isoformat()},
        ]
        deadline.extension_count += 1
        clock.recompute(deadline, now)
    deadline.save()


def sync_next_due(process_ids: Iterable[int]) -> None:
    """Set ``Process.next_due`` of ``process_ids`` from their deadline rows
    (one statement): what :func:`perform` does after an action's clock
    operations, and what code that writes deadline rows itself must call."""
    earliest = (ProcessDeadline.objects.filter(process_id=OuterRef("pk"), stopped_at__isnull=True,
                                               paused_since__isnull=True)
                .order_by("due_at").values("due_at")[:1])
    Process.objects.filter(pk__in=list(process_ids)).update(next_due=Subquery(earliest))


def _close_pause(deadline: ProcessDeadline, now: dt.datetime) -> None:
    deadline.pauses = [
        *deadline.pauses,
        {"start": deadline.paused_since.isoformat(), "end": now.isoformat(), "reason": deadline.pause_reason},
    ]
    deadline.paused_since = None
    deadline.pause_reason = ""


def _start_deadline(ctx: ActionContext, op: StartDeadline, transition: Transition | None) -> ProcessDeadline:
    """Start ``op``'s deadline on a running process."""
    running = _open_deadline(ctx.process, op.name)
    if running is not None:  # restarted (e.g. handling after rework): the old one is superseded
        running.stopped_at = ctx.now
        running.superseded = True
        running.save(update_fields=["stopped_at", "superseded"])
    deadline = _new_deadline(ctx, op, transition)
    rows.insert([deadline])
    return deadline


def _new_deadline(ctx: ActionContext, op: StartDeadline, transition: Transition | None) -> ProcessDeadline:
    """``op``'s deadline from now, with its due time, unsaved."""
    period = op.period(ctx) if callable(op.period) else op.period
    kind, amount = clock.period_parts(period)
    deadline = ProcessDeadline(process=ctx.process, name=op.name, period_kind=kind, period_amount=amount,
                               started_at=ctx.now, started_by=transition)
    clock.recompute(deadline, ctx.now)
    return deadline


# --------------------------------------------------------------------------
# Comments and uploads
# --------------------------------------------------------------------------



@transaction.atomic
def change_parties(
    process: Process,
    *,
    actor: User | None,
    cause: str,
    reason: str = "",
    add: Iterable[tuple[Body, str]] = (),
    replace_assignees: Iterable[Body] | None = None,
) -> list[dict[str, Any]]:
    """Change the parties of ``process`` from outside its own actions: a lead
    merged into it passes on its reporting bodies, a dispute ruling hands it to
    another body. No state change. Locks the process, applies the changes
    through the same party helpers actions use, records
    ``<kind>.parties_changed`` (with ``cause``, e.g. the other process's
    number) and notifies the parties. Returns the changes."""
    locked = Process.objects.select_for_update().get(pk=process.pk)
    ctx = ActionContext(flow=locked.flow, action=None, process=locked, record=None, actor=actor, data={},
                        reason=reason, officers=[], now=timezone.now())
    for body, role in add:
        if not Party.objects.filter(process=locked, body=body, role=role, active=True).exists():
            ctx.add_party(body, role)
    if replace_assignees is not None:
        ctx.replace_assignees(replace_assignees)
    if ctx.party_changes:
        ledger.append(f"{locked.kind}.parties_changed", actor=actor, obj=locked,
                      payload={"number": locked.number, "cause": cause, "reason": reason,
                               "changes": ctx.party_changes})
        with record_language():
            text = _("【%(flow)s】%(number)s %(title)s：参与单位变更（%(cause)s）。") % {
                "flow": locked.flow.label, "number": locked.number, "title": locked.title, "cause": cause}
        notify.notify_process(locked, verb="parties_changed", text=text)
    return ctx.party_changes


@transaction.atomic
def do_comment(process: Process, *, actor: User, text: str) -> Comment:
    """Add a comment. Precondition: the actor's body is (or was) a party, or
    the actor sees the process through their township. Records ``<kind>.comment``."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("请填写意见内容。"), code="text_required")
    if not Process.objects.visible_to(actor).filter(pk=process.pk).exists() or not actor.body_id:
        raise NotPermitted(_("无权对该事项发表意见。"))
    comment = Comment.objects.create(
        process=process, author=actor, author_name=_actor_name(actor), body_name=str(actor.body), text=text
    )
    ledger.append(
        f"{process.kind}.comment",
        actor=actor,
        obj=process,
        payload={"number": process.number, "comment_id": comment.pk, "text": text},
    )
    notify.notify_comment(comment, process)
    return comment


@transaction.atomic
def do_upload(file, *, actor: User | None, name: str | None = None, on_behalf_of: Body | None = None,
              uploader_name: str = "") -> Attachment:
    """Store an uploaded file by its SHA-256 (deduplicated) and record who
    uploaded it, when and under which name. Refuses files over
    ``ONETEAM["UPLOAD_MAX_BYTES"]`` and types outside the allowed list (decided
    by the file's magic bytes). Records ``workflow.upload`` with the hash
    (evidence fixing). The attachment is bound to a process by ``perform``.
    Without a user, ``on_behalf_of`` (the body of the external system that
    sent the file) and ``uploader_name`` are required."""
    if actor is None and on_behalf_of is None:
        raise InvalidInput(_("系统操作不能上传附件。"), code="attachment_invalid")
    original = (name or getattr(file, "name", "") or "file").rsplit("/", 1)[-1][:255]
    if hasattr(file, "seek"):
        file.seek(0)
    try:
        stored = files.store(file, name=original)
    except files.TooLarge:
        raise InvalidInput(
            _("文件超过大小限制（%(mb)dMB）。") % {"mb": files.max_bytes() // (1024 * 1024)}, code="file_too_large"
        ) from None
    if stored.size == 0:
        raise InvalidInput(_("文件为空。"), code="file_empty")
    if stored.content_type is None or stored.content_type not in files.allowed_types():
        raise InvalidInput(_("不支持的文件类型：%(name)s") % {"name": original}, code="file_type_not_allowed")
    blob, _created = Blob.objects.get_or_create(
        sha256=stored.sha256, defaults={"size": stored.size, "content_type": stored.content_type}
    )
    att = Attachment.objects.create(
        blob=blob, original_name=original, uploaded_by=actor,
        uploaded_by_name=_actor_name(actor) if actor is not None else uploader_name[:150],
        uploaded_by_body=actor.body if actor is not None else on_behalf_of,
    )
    entry = ledger.append(
        "workflow.upload",
        actor=actor,
        obj=att,
        body=on_behalf_of if actor is None else None,
        payload={
            "sha256": blob.sha256,
            "size": blob.size,
            "content_type": blob.content_type,
            "original_name": original,
        },
    )
    Attachment.objects.filter(pk=att.pk).update(ledger_seq=entry.seq)
    att.ledger_seq = entry.seq
    return att


# --------------------------------------------------------------------------
# Notifications
# --------------------------------------------------------------------------


@transaction.atomic
def do_mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    """Mark ``user``'s notifications read (all unread when ``ids`` is None)."""
    from .models import Notification

    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
