"""Every write of the cooperation app.

Flow processes are started with :func:`oneteam.workflow.services.start_process`
and moved only by :func:`oneteam.workflow.services.perform`; these services
validate the mechanism's own rules first (same-level transfer, legal sender,
interim body of a dispute …), run in one transaction and leave their record in
the ledger.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from oneteam.catalog import services as catalog_services
from oneteam.catalog.models import Matter
from oneteam.core.errors import InvalidInput, NotPermitted
from oneteam.core.i18n import _r
from oneteam.ledger import services as ledger
from oneteam.org.choices import BodyKind, BodyLevel, Role
from oneteam.org.models import Body, Township, User
from oneteam.workflow import services as kernel
from oneteam.workflow.declare import PartyRole
from oneteam.workflow.models import Attachment, Notification, Process
from oneteam.workflow.services import change_parties

from . import flows, rules
from .choices import CollaborationKind, ShareCategory
from .models import LetterTemplate, SharedItem, ShareRead, ShareReceipt

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _text(value, label: str, *, required: bool = True, max_length: int | None = None) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(_("请填写%(f)s。") % {"f": label}, code="field_required", detail={"field": label})
    if max_length and len(text) > max_length:
        raise InvalidInput(_("%(f)s不能超过%(n)d字。") % {"f": label, "n": max_length}, code="field_too_long")
    return text


def _require_body(actor: User) -> Body:
    if actor is None or not actor.body_id:
        raise NotPermitted(_("您的账号未关联单位，不能办理。"), code="no_body")
    return actor.body


# ==========================================================================
# 执法协作申请 (M7.2)
# ==========================================================================


@transaction.atomic
def do_submit_collaboration(
    actor: User, *, department: Body, request_kind: str, case_summary: str, question: str,
    title: str = "", matter: Matter | None = None, data: dict | None = None,
) -> Process:
    """A township enforcement team sends a collaboration request to a county
    department. Preconditions: the actor works in a township team (or
    government) with an enforcement role; the receiver is a county-level
    department. Receipt is automatic on delivery through the platform, so the
    5-working-day reply clock starts now. The guidance office is the
    supervisor (it sees the request and is flagged when it is overdue).
    Records ``collaboration.start``."""
    initiator = _require_body(actor)
    rules.check_collaboration_pair(initiator, department)
    if request_kind not in CollaborationKind.values:
        raise InvalidInput(_("请选择协作类型。"), code="kind_required")
    case_summary = _text(case_summary, _("案情简要"))
    question = _text(question, _("协作请求内容"))
    title = _text(title, _("标题"), required=False, max_length=200) or \
        f"{CollaborationKind(request_kind).label}：{question[:40]}"
    return kernel.start_process(
        flows.COLLABORATION.kind, actor=actor, initiator=initiator, assignees=[department],
        supervisor=rules.guidance_office(initiator.city_id), title=title, township=initiator.township,
        record_fields={"request_kind": request_kind, "matter": matter, "case_summary": case_summary,
                       "question": question},
        data=data,
    )


def collaboration_rates(*, since: dt.datetime | None = None, until: dt.datetime | None = None) -> list[dict]:
    """Per department: requests received, signed for, replied, replied on time
    and the rates (workflow metrics over the ``collaboration`` flow, one query)."""
    from oneteam.workflow import metrics

    return metrics.body_counts(kinds=[flows.COLLABORATION.kind], since=since, until=until)


# ==========================================================================
# 案件移送抄告 (M7.3)
# ==========================================================================


@transaction.atomic
def do_create_transfer(
    actor: User, *, receiver: Body, title: str, facts: str, party_name: str = "", legal_basis: str = "",
    matter: Matter | None = None, evidence: Sequence = (), confirm: Iterable[str] = (), send: bool = False,
    data: dict | None = None,
) -> Process:
    """Draft a case transfer from the actor's body to ``receiver``; optionally
    attach evidence, confirm checklist items in the actor's name and send it.
    Refuses an internal-unit sender and any pair that is not same-level
    (Chinese explanation, nothing written). Records ``case_transfer.start``
    and one entry per further action."""
    sender = _require_body(actor)
    rules.check_transfer_pair(sender, receiver)
    title = _text(title, _("案由"), max_length=200)
    facts = _text(facts, _("违法事实"))
    township = sender.township if rules.is_township_side(sender) else receiver.township
    process = kernel.start_process(
        flows.CASE_TRANSFER.kind, actor=actor, initiator=sender, title=title, township=township,
        record_fields={"receiver": receiver, "issuer_name": rules.issuer_name(sender), "facts": facts,
                       "party_name": (party_name or "").strip(), "legal_basis": (legal_basis or "").strip(),
                       "matter": matter},
        data=data,
    )
    if evidence:
        kernel.perform(process, "add_evidence", actor=actor, attachments=list(evidence))
    items = list(confirm)
    if items:
        kernel.perform(process, "confirm", actor=actor, data={"checklist": items})
    if send:
        kernel.perform(process, "send", actor=actor)
    return process


def do_send_transfer(process: Process, *, actor: User, expected_version: int | None = None):
    """Send a drafted transfer (see ``flows._on_send``: checks, parties, letter)."""
    return kernel.perform(process, "send", actor=actor, expected_version=expected_version)


@transaction.atomic
def do_upload_letter_template(file, *, actor: User, note: str = "") -> LetterTemplate:
    """An admin replaces the transfer-letter template with a .docx (stored by
    the kernel's upload service). Older templates stay on record, inactive.
    Records ``cooperation.letter_template``."""
    if not (actor.is_superuser or actor.has_role(Role.ADMIN)):
        raise NotPermitted(_("只有系统管理员可以更换移送函模板。"), code="admin_required")
    att = kernel.do_upload(file, actor=actor)
    if att.blob.content_type != DOCX:
        raise InvalidInput(_("模板必须是 .docx 文件。"), code="template_not_docx")
    from . import letter

    try:
        letter.render({}, template=att.blob.path.read_bytes())
    except Exception as exc:  # python-docx raises several kinds for a broken package
        raise InvalidInput(_("无法读取该模板：%(e)s") % {"e": exc}, code="template_unreadable") from exc
    LetterTemplate.objects.filter(active=True).update(active=False)
    tpl = LetterTemplate.objects.create(attachment=att, note=(note or "").strip()[:200], uploaded_by=actor)
    ledger.append("cooperation.letter_template", actor=actor, obj=tpl,
                  payload={"sha256": att.blob_id, "name": att.original_name, "note": tpl.note})
    return tpl


# ==========================================================================
# 执法争议 (M7.6)
# ==========================================================================


@transaction.atomic
def do_raise_dispute(
    actor: User, *, counterparties: Sequence[Body], question: str, interim_body: Body | None,
    subject: Process | None = None, matter: Matter | None = None, township: Township | None = None,
    title: str = "", data: dict | None = None,
) -> Process:
    """Raise an enforcement dispute about a lead (``subject``, any kernel
    process the actor can see) or about a ``matter`` in a ``township``.

    No supervision vacuum: refused without an ``interim_body``; that body
    becomes an active assignee of the subject process while the dispute runs
    (the subject's own deadlines keep running). Parties: the actor's body
    (initiator), the counterparties (assignees), the guidance office
    (supervisor). Records ``dispute.start`` and, on the subject,
    ``cooperation.dispute_reassign``."""
    raiser = _require_body(actor)
    if interim_body is None:
        raise InvalidInput(_("不得形成监管真空：发起执法争议必须指定过渡期责任单位，由其在争议解决前依法履职。"),
                           code="interim_body_required")
    if not interim_body.is_active:
        raise InvalidInput(_("过渡期责任单位已停用。"), code="interim_body_inactive")
    question = _text(question, _("争议焦点"))
    others = [b for b in dict.fromkeys(counterparties) if b.pk != raiser.pk]
    if not others:
        raise InvalidInput(_("请指定争议对方单位。"), code="counterparty_required")
    if subject is not None:
        if not Process.objects.visible_to(actor).filter(pk=subject.pk).exists():
            raise InvalidInput(_("争议线索不存在。"), code="subject_unknown")
        if subject.closed_at is not None:
            raise InvalidInput(_("该线索已办结，不能再就其承办单位发起争议。"), code="subject_closed")
        if subject.kind == flows.DISPUTE.kind:
            raise InvalidInput(_("不能就争议本身发起争议。"), code="subject_is_dispute")
        township = subject.township or township
    elif matter is None or township is None:
        raise InvalidInput(_("请指定争议的线索，或执法事项及乡镇(街道)。"), code="subject_required")
    about = subject.title if subject is not None else f"{township.name}「{matter.name}」"
    title = _text(title, _("标题"), required=False, max_length=200) or f"关于{about}的管辖争议"[:200]
    process = kernel.start_process(
        flows.DISPUTE.kind, actor=actor, initiator=raiser, assignees=others,
        supervisor=rules.guidance_office(raiser.city_id), title=title, township=township,
        record_fields={"subject": subject, "matter": matter, "question": question, "interim_body": interim_body},
        data={**(data or {}), "subject": subject.number if subject is not None else None,
              "interim_body": interim_body.name},
    )
    if subject is not None:
        change_subject_assignees(subject, add=interim_body, actor=actor, dispute=process,
                                 note=_r("争议期间由 %(b)s 承接（过渡期责任单位）。") % {"b": interim_body.name})
    return process


def change_subject_assignees(subject: Process, *, actor: User | None, dispute: Process, note: str,
                              add: Body | None = None, replace: Sequence[Body] = ()) -> list[dict]:
    """Change the assignees of a dispute's subject process: add the interim
    body, or replace the assignees with the body the dispute settled on,
    through the kernel's :func:`~oneteam.workflow.services.change_parties`
    (ledger ``<kind>.parties_changed`` on the subject, notices to its parties)."""
    return change_parties(subject, actor=actor, cause=dispute.number, reason=note,
                          add=[(add, PartyRole.ASSIGNEE)] if add is not None else (),
                          replace_assignees=list(replace) if replace else None)


def resolve_dispute(ctx, *, stage: str) -> None:
    """Handler of the dispute's outcome actions (agree / coordinate / rule):
    record the responsible body, hand the subject lead to it and, for a
    leading-group ruling that says so (``make_rule``), record a competence
    rule the resolver applies from that day on."""
    record = ctx.record
    body = flows.body_from(ctx.data.get("responsible_body"))
    record.resolved_body = body
    record.resolved_stage = stage
    ctx.data["responsible_body"] = body.code
    ctx.data["responsible_body_name"] = body.name
    if record.subject_id is not None:
        subject = Process.objects.get(pk=record.subject_id)
        if subject.closed_at is None:
            ctx.data["subject_changes"] = change_subject_assignees(
                subject, replace=[body], actor=ctx.actor, dispute=ctx.process,
                note=_r("依据 %(n)s（%(s)s），由 %(b)s 承办。") % {
                    "n": ctx.process.number, "s": ctx.action.label, "b": body.name})
    make_rule = str(ctx.data.get("make_rule", "")).strip().lower() in {"1", "true", "yes", "on", "是"}
    if make_rule:
        if stage != "ruling":
            raise InvalidInput(_("只有领导小组的裁定可以形成管辖规则。"), code="rule_needs_ruling")
        if record.matter_id is None:
            raise InvalidInput(_("该争议未指定执法事项，不能形成管辖规则。"), code="rule_needs_matter")
        source = (str(ctx.data.get("rule_source") or "").strip()
                  or _r("%(g)s裁定（%(n)s）") % {"g": ctx.actor.body.name, "n": ctx.process.number})
        rule = catalog_services.do_record_competence_rule(
            record.matter, actor=ctx.actor, body=body, valid_from=timezone.localdate(ctx.now), source=source,
            township=ctx.process.township, reason=record.resolution)
        record.rule = rule
        ctx.data["rule_id"] = rule.pk


# ==========================================================================
# 信息共享 (M7.1)
# ==========================================================================

PUBLISHER_KINDS = frozenset({BodyKind.DEPARTMENT, BodyKind.GUIDANCE_OFFICE, BodyKind.JUSTICE_BUREAU,
                             BodyKind.STAFFING_OFFICE, BodyKind.COMMAND_CENTRE})
RECIPIENT_KINDS = (BodyKind.ENFORCEMENT_TEAM, BodyKind.TOWNSHIP_GOVERNMENT, BodyKind.TOWNSHIP_COMMAND_ROOM)


def can_publish(user) -> bool:
    body = getattr(user, "body", None)
    return bool(getattr(user, "is_authenticated", False) and body is not None and body.kind in PUBLISHER_KINDS
                and body.level == BodyLevel.CITY)


@transaction.atomic
def do_publish_share(
    actor: User, *, category: str, title: str, content: str, field: str = "", matter: Matter | None = None,
    document_no: str = "", townships: Iterable[Township] = (), to_all: bool = False,
    attachments: Sequence = (),
) -> SharedItem:
    """A county department (or the guidance office, justice bureau …) pushes
    a law, standard, approval material or enforcement update to all townships
    or chosen ones: one receipt per township, an in-app notice to the staff of
    each township's team, government and command room after commit. Records
    ``cooperation.share_publish``."""
    publisher = _require_body(actor)
    if not can_publish(actor):
        raise NotPermitted(_("只有县级业务主管部门等单位可以发布共享信息。"), code="not_publisher")
    if category not in ShareCategory.values:
        raise InvalidInput(_("请选择信息类别。"), code="category_required")
    title = _text(title, _("标题"), max_length=200)
    content = _text(content, _("内容"))
    targets = list(Township.objects.filter(city_id=publisher.city_id)) if to_all else list(dict.fromkeys(townships))
    if not targets:
        raise InvalidInput(_("请选择接收的乡镇(街道)，或选择发送全部。"), code="recipients_required")
    files = []
    for item in attachments:
        att = item if isinstance(item, Attachment) else kernel.do_upload(item, actor=actor)
        files.append(att)
    now = timezone.now()
    item = SharedItem.objects.create(
        publisher=publisher, author=actor, author_name=str(actor), category=category, title=title,
        document_no=(document_no or "").strip()[:100], content=content, field=(field or publisher.field or "")[:40],
        matter=matter, to_all=to_all, published_at=now)
    if files:
        item.attachments.set(files)
    ShareReceipt.objects.bulk_create([ShareReceipt(item=item, township=t, delivered_at=now) for t in targets])
    ledger.append("cooperation.share_publish", actor=actor, obj=item, payload={
        "title": title, "category": category, "field": item.field, "matter": matter.code if matter else None,
        "document_no": item.document_no, "to_all": to_all, "townships": [t.code for t in targets],
        "attachments": [a.blob_id for a in files]})
    item_id, township_ids = item.pk, [t.pk for t in targets]
    transaction.on_commit(lambda: _notify_share(item_id, township_ids), robust=True)
    return item


def _notify_share(item_id: int, township_ids: list[int]) -> None:
    # In-app notices without a process (the kernel's Notification allows it).
    item = SharedItem.objects.select_related("publisher").get(pk=item_id)
    users = User.objects.filter(is_active=True, body__township_id__in=township_ids,
                                body__kind__in=RECIPIENT_KINDS).values_list("pk", flat=True)
    text = _r("【信息共享】%(p)s发布《%(t)s》，请查阅。") % {"p": item.publisher.name, "t": item.title}
    Notification.objects.bulk_create([Notification(user_id=u, verb="cooperation.share", text=text[:500])
                                      for u in users])


@transaction.atomic
def do_read_share(item: SharedItem, *, actor: User) -> ShareRead:
    """Mark ``item`` read by ``actor`` (idempotent). The first reader in a
    recipient township signs its receipt (回执); that is recorded as
    ``cooperation.share_read``."""
    read, created = ShareRead.objects.get_or_create(item=item, user=actor)
    township_id = getattr(actor.body, "township_id", None)
    if created and township_id:
        now = timezone.now()
        signed = ShareReceipt.objects.filter(item=item, township_id=township_id, first_read_at__isnull=True).update(
            first_read_at=now, first_read_by=actor, first_read_by_name=str(actor))
        if signed:
            ledger.append("cooperation.share_read", actor=actor, obj=item,
                          payload={"township": actor.body.township.code, "reader": str(actor)})
    return read


def unread_filter(user) -> Q:
    return ~Q(reads__user=user)
