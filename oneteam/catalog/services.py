"""Every write of the catalog context. Each service runs in one transaction and
appends its ledger entry in that transaction; nothing here is ever edited in
place: a new catalog version supersedes the old one, a withdrawal closes an
empowerment, a competence rule ends by a date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oneteam.core.errors import InvalidInput, NotPermitted
from oneteam.core.i18n import _r
from oneteam.ledger import services as ledger
from oneteam.org import services as org_services
from oneteam.org.choices import BodyKind, EnforcementMode, Role
from oneteam.org.models import Body, ModeDecision, Township, User, mode_on

from . import resolver
from .choices import DecisionKind
from .io import ImportPlan, Progress
from .models import (
    CatalogVersion,
    CompetenceRule,
    DiscretionTier,
    Empowerment,
    EmpowermentDecision,
    Matter,
    MatterEntry,
)


class ImportRejected(InvalidInput):
    default_code = "import_rejected"


@transaction.atomic
def do_import_catalog(plan: ImportPlan, *, actor: User | None, is_demo: bool = False,
                      progress: Progress = None) -> list[CatalogVersion]:
    """Write the new catalog versions of a checked plan.

    Precondition: ``plan.ok`` (any error rejects the whole file: nothing is
    written). Creates one :class:`CatalogVersion` per new version with its
    entries and discretion tiers; versions already present with identical
    content are left alone (re-importing an export changes nothing). Records
    ``catalog.version_imported`` per version with what was added, changed and
    retired.
    """
    resolver.invalidate()  # bulk writes send no signals: drop memoised answers now and at commit
    transaction.on_commit(resolver.invalidate)
    if not plan.ok:
        raise ImportRejected(_("文件有 %(n)d 处错误，未导入任何内容。") % {"n": len(plan.errors)},
                             detail=[str(e) for e in plan.errors])
    created: list[CatalogVersion] = []
    total = sum(len(v.rows) for v in plan.versions if v.is_new)
    done = 0
    for vp in plan.versions:
        if not vp.is_new:
            continue
        # Re-check under the transaction: someone may have imported the same version meanwhile.
        if CatalogVersion.objects.filter(catalog=vp.catalog, label=vp.label).exists() or \
                CatalogVersion.objects.filter(catalog=vp.catalog, effective_from=vp.effective_from).exists():
            raise ImportRejected(_("《%(c)s》版本「%(v)s」已由他人导入，请重新预览。") % {
                "c": vp.catalog.name, "v": vp.label}, code="conflict")
        version = CatalogVersion.objects.create(
            catalog=vp.catalog, label=vp.label, effective_from=vp.effective_from, source=vp.source,
            is_demo=is_demo, imported_by=actor, file_sha256=plan.sha256,
        )
        is_latest = not CatalogVersion.objects.filter(catalog=vp.catalog,
                                                      effective_from__gt=vp.effective_from).exists()
        codes = [r.code for r in vp.rows]
        matters = {m.code: m for m in Matter.objects.filter(code__in=codes)}
        new = [Matter(code=r.code, name=r.name) for r in vp.rows if r.code not in matters]
        for m in Matter.objects.bulk_create(new):
            matters[m.code] = m
        if is_latest:
            renamed = []
            for r in vp.rows:
                m = matters[r.code]
                if m.name != r.name:
                    m.name = r.name
                    renamed.append(m)
            Matter.objects.bulk_update(renamed, ["name"])
        entries = MatterEntry.objects.bulk_create([
            MatterEntry(version=version, matter=matters[r.code], name=r.name, kind=r.kind, field=r.field,
                        legal_basis=r.legal_basis, articles=r.articles, department=r.department,
                        transfer_scope=r.transfer_scope, boundary=r.boundary)
            for r in vp.rows
        ])
        tiers = []
        for entry, r in zip(entries, vp.rows, strict=True):
            for order, (name, low, high, text) in enumerate(r.tiers, start=1):
                tiers.append(DiscretionTier(entry=entry, order=order, name=name, fine_min=low, fine_max=high,
                                            circumstances=text))
            done += 1
            if progress:
                progress(done, total)
        DiscretionTier.objects.bulk_create(tiers)
        ledger.append("catalog.version_imported", actor=actor, obj=version, payload={
            "catalog": vp.catalog.code, "label": vp.label, "effective_from": vp.effective_from.isoformat(),
            "source": vp.source, "matters": len(vp.rows), "file_sha256": plan.sha256,
            "supersedes": vp.previous.label if vp.previous else None,
            "added": [c for c, _n in vp.added], "changed": [c for c, _n, _f in vp.changed],
            "retired": [c for c, _n in vp.retired],
        })
        created.append(version)
    return created


# --------------------------------------------------------------------------
# Empowerment
# --------------------------------------------------------------------------


def check_proposable(township: Township, matters: Sequence[Matter], on: dt.date) -> None:
    """Refuse matters not suited to townships: each must be listed, on ``on``,
    in a catalog version in force of a township-selectable catalog (the
    township guidance catalog or the extension catalog), and ``township`` must
    not be served by a hub (1+X townships are served by the hub's team)."""
    if not matters:
        raise InvalidInput(_("请至少选择一个执法事项。"), code="matters_required")
    mode = mode_on(township, on)
    if mode is not None and mode.mode == EnforcementMode.HUB_SERVED:
        raise InvalidInput(_("%(t)s 实行“1+X”方式，由 %(h)s 辐射，不单独赋权。") % {"t": township, "h": mode.hub},
                           code="hub_served_township")
    selectable = set(
        MatterEntry.objects.in_force(on).filter(matter__in=matters, version__catalog__township_selectable=True)
        .values_list("matter_id", flat=True)
    )
    bad = [m.code for m in matters if m.pk not in selectable]
    if bad:
        raise InvalidInput(
            _("以下事项在 %(d)s 不属于乡镇(街道)指导目录或扩展目录，不能赋权给乡镇：%(c)s")
            % {"d": on, "c": "、".join(bad)},
            code="matter_not_selectable", detail={"matters": bad},
        )


@transaction.atomic
def do_grant_empowerment(
    township: Township, matters: Iterable[Matter], *, actor: User | None, decision_no: str,
    effective_from: dt.date, title: str = "", upgrade_mode: bool = False, is_demo: bool = False,
) -> EmpowermentDecision:
    """Publish a city-government decision empowering ``township`` with ``matters``
    from ``effective_from``.

    Preconditions: a decision number; matters suited to townships
    (:func:`check_proposable`); none already empowered to the township on or
    after that date. With ``upgrade_mode`` the township's mode becomes
    派驻+赋权 from the same date ("成熟一个、赋权一个"); an existing empowered
    mode decision of that date is linked instead of duplicated. Records
    ``catalog.empowerment_granted``.
    """
    resolver.invalidate()  # bulk writes send no signals: drop memoised answers now and at commit
    transaction.on_commit(resolver.invalidate)
    matters = list(matters)
    decision_no = (decision_no or "").strip()
    if not decision_no:
        raise InvalidInput(_("赋权决定必须有决定文号。"), code="decision_no_required")
    if effective_from is None:
        raise InvalidInput(_("赋权决定必须有生效日期。"), code="effective_from_required")
    check_proposable(township, matters, effective_from)
    if EmpowermentDecision.objects.filter(township=township, kind=DecisionKind.GRANT, decision_no=decision_no).exists():
        raise InvalidInput(_("%(t)s 已登记赋权决定 %(no)s。") % {"t": township, "no": decision_no},
                           code="duplicate_decision")
    taken = list(Empowerment.objects.select_for_update().filter(township=township, matter__in=matters)
                 .filter(withdrawn_from__isnull=True).select_related("matter"))
    later = list(Empowerment.objects.filter(township=township, matter__in=matters,
                                            withdrawn_from__gt=effective_from).select_related("matter"))
    if taken or later:
        codes = sorted({e.matter.code for e in [*taken, *later]})
        raise InvalidInput(_("以下事项已赋权 %(t)s（或赋权期与本决定重叠）：%(c)s")
                           % {"t": township, "c": "、".join(codes)},
                           code="already_empowered", detail={"matters": codes})

    mode_decision = None
    if upgrade_mode:
        current = mode_on(township, effective_from)
        same_day = ModeDecision.objects.filter(township=township, effective_from=effective_from).first()
        if same_day is not None:
            if same_day.mode != EnforcementMode.EMPOWERED:
                raise InvalidInput(_("%(t)s 在 %(d)s 已有其他执法模式决定。") % {"t": township, "d": effective_from},
                                   code="mode_conflict")
            mode_decision = same_day
        elif current is None or current.mode != EnforcementMode.EMPOWERED:
            mode_decision = org_services.do_record_mode_decision(
                township, actor=actor, mode=EnforcementMode.EMPOWERED, effective_from=effective_from,
                decision_no=decision_no, decision_title=title or _r("随赋权决定调整执法模式"),
                note=_r("成熟一个、赋权一个"),
            )

    decision = EmpowermentDecision.objects.create(
        township=township, kind=DecisionKind.GRANT, decision_no=decision_no, title=title,
        effective_from=effective_from, mode_decision=mode_decision, is_demo=is_demo, recorded_by=actor,
    )
    Empowerment.objects.bulk_create([
        Empowerment(township=township, matter=m, granted_by=decision, effective_from=effective_from)
        for m in matters
    ])
    ledger.append("catalog.empowerment_granted", actor=actor, obj=decision, payload={
        "township": township.name, "township_code": township.code, "decision_no": decision_no,
        "effective_from": effective_from.isoformat(), "matters": sorted(m.code for m in matters),
        "mode_decision_id": mode_decision.pk if mode_decision else None,
    })
    return decision


@transaction.atomic
def do_withdraw_empowerment(
    township: Township, matters: Iterable[Matter], *, actor: User | None, decision_no: str,
    effective_from: dt.date, title: str = "", is_demo: bool = False,
) -> EmpowermentDecision:
    """Publish a decision withdrawing ``matters`` from ``township`` from
    ``effective_from``: each open empowerment ends that day (the record
    stays). Each matter must be empowered and not already withdrawn.
    Records ``catalog.empowerment_withdrawn``."""
    resolver.invalidate()  # bulk writes send no signals: drop memoised answers now and at commit
    transaction.on_commit(resolver.invalidate)
    matters = list(matters)
    decision_no = (decision_no or "").strip()
    if not matters:
        raise InvalidInput(_("请至少选择一个执法事项。"), code="matters_required")
    if not decision_no:
        raise InvalidInput(_("收回决定必须有决定文号。"), code="decision_no_required")
    if effective_from is None:
        raise InvalidInput(_("收回决定必须有生效日期。"), code="effective_from_required")
    open_ = {e.matter_id: e for e in Empowerment.objects.select_for_update()
             .filter(township=township, matter__in=matters, withdrawn_from__isnull=True)}
    missing = [m.code for m in matters if m.pk not in open_]
    if missing:
        raise InvalidInput(_("以下事项未赋权 %(t)s 或已收回：%(c)s") % {"t": township, "c": "、".join(missing)},
                           code="not_empowered", detail={"matters": missing})
    early = [m.code for m in matters if open_[m.pk].effective_from > effective_from]
    if early:
        raise InvalidInput(_("收回日期早于赋权生效日期：%(c)s") % {"c": "、".join(early)}, code="withdrawal_too_early")
    if EmpowermentDecision.objects.filter(township=township, kind=DecisionKind.WITHDRAW,
                                          decision_no=decision_no).exists():
        raise InvalidInput(_("%(t)s 已登记收回决定 %(no)s。") % {"t": township, "no": decision_no},
                           code="duplicate_decision")
    decision = EmpowermentDecision.objects.create(
        township=township, kind=DecisionKind.WITHDRAW, decision_no=decision_no, title=title,
        effective_from=effective_from, is_demo=is_demo, recorded_by=actor,
    )
    Empowerment.objects.filter(pk__in=[e.pk for e in open_.values()]).update(
        withdrawn_by=decision, withdrawn_from=effective_from)
    ledger.append("catalog.empowerment_withdrawn", actor=actor, obj=decision, payload={
        "township": township.name, "township_code": township.code, "decision_no": decision_no,
        "effective_from": effective_from.isoformat(), "matters": sorted(m.code for m in matters),
    })
    return decision


# --------------------------------------------------------------------------
# Competence overrides
# --------------------------------------------------------------------------


#: Bodies that keep the competence overrides: the guidance office (it keeps the
#: catalogs and empowerment) and the leading group (its rulings on disputes, M7.6).
RULE_KEEPERS = frozenset({BodyKind.GUIDANCE_OFFICE, BodyKind.LEADING_GROUP})


def can_keep_rules(user: User | None) -> bool:
    """``user`` may record and end competence overrides (``None``: the system)."""
    if user is None:
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    body = getattr(user, "body", None)
    return user.has_role(Role.ADMIN) or (body is not None and body.kind in RULE_KEEPERS)


def require_rule_keeper(actor: User | None) -> None:
    """Refuse unless ``actor`` may keep the rules (the pages ask first, to answer that before any other error)."""
    if not can_keep_rules(actor):
        raise NotPermitted(_("只有市综合行政执法指导办公室或领导小组可以登记、终止管辖特别规则。"),
                           code="not_rule_keeper")


@transaction.atomic
def do_record_competence_rule(
    matter: Matter, *, actor: User | None, body: Body, valid_from: dt.date, source: str,
    township: Township | None = None, valid_until: dt.date | None = None, reason: str = "",
) -> CompetenceRule:
    """Record an override of the competence resolver (e.g. a leading-group
    ruling on a dispute): ``matter`` in ``township`` (or city-wide) is handled
    by ``body`` from ``valid_from`` to ``valid_until`` (inclusive). ``source``
    cites the document. Records ``catalog.competence_rule``. Only a rule
    keeper (:func:`can_keep_rules`) may."""
    require_rule_keeper(actor)
    resolver.invalidate()  # bulk writes send no signals: drop memoised answers now and at commit
    transaction.on_commit(resolver.invalidate)
    if not (source or "").strip():
        raise InvalidInput(_("特别规则必须注明依据。"), code="source_required")
    if valid_until is not None and valid_until < valid_from:
        raise InvalidInput(_("有效期至不能早于有效期起。"), code="bad_range")
    rule = CompetenceRule.objects.create(matter=matter, township=township, body=body, valid_from=valid_from,
                                         valid_until=valid_until, source=source.strip(), reason=reason,
                                         recorded_by=actor)
    ledger.append("catalog.competence_rule", actor=actor, obj=rule, payload={
        "matter": matter.code, "township": township.name if township else None, "body": body.name,
        "valid_from": valid_from.isoformat(), "valid_until": valid_until.isoformat() if valid_until else None,
        "source": rule.source,
    })
    return rule


@transaction.atomic
def do_end_competence_rule(rule: CompetenceRule, *, actor: User | None, last_day: dt.date, reason: str) -> None:
    """End an override after ``last_day`` (the record stays). Only a rule keeper may."""
    require_rule_keeper(actor)
    if rule.valid_until is not None and rule.valid_until <= last_day:
        raise InvalidInput(_("该规则在 %(d)s 已经到期，无需终止。") % {"d": rule.valid_until.isoformat()},
                           code="already_ended")
    resolver.invalidate()  # bulk writes send no signals: drop memoised answers now and at commit
    transaction.on_commit(resolver.invalidate)
    if not reason.strip():
        raise InvalidInput(_("终止特别规则必须填写原因。"), code="reason_required")
    if last_day < rule.valid_from:
        raise InvalidInput(_("终止日期不能早于有效期起。"), code="bad_range")
    CompetenceRule.objects.filter(pk=rule.pk).update(valid_until=last_day)
    ledger.append("catalog.competence_rule_ended", actor=actor, obj=rule,
                  payload={"last_day": last_day.isoformat(), "reason": reason})


# --------------------------------------------------------------------------
# Proposing through the approval flow
# --------------------------------------------------------------------------


def do_propose_empowerment(
    township: Township, matters: Sequence[Matter], *, actor: User | None, initiator: Body | None = None,
    kind: str = DecisionKind.GRANT, note: str = "", on: dt.date | None = None,
):
    """Start an empowerment request (or a withdrawal request) on the kernel.

    Preconditions: for a grant, the matters are suited to townships on ``on``
    (default today) and none is already empowered; for a withdrawal, each is
    empowered now. The initiator is the actor's body (a body of that township,
    or the guidance office for a withdrawal). The guidance office is the
    assignee and the staffing office the co-reviewing party. The kernel writes
    the process, its first transition and the ledger entry ``empowerment.start``.
    """
    from oneteam.org.choices import BodyKind
    from oneteam.workflow.services import start_process

    from .flows import KIND, check_withdrawable, city_body

    on = on or timezone.localdate()
    matters = list(matters)
    if kind not in DecisionKind.values:
        raise InvalidInput(_("未知的申请类型：%(k)s") % {"k": kind}, code="unknown_kind")
    initiator = initiator or getattr(actor, "body", None)
    if initiator is None:
        raise InvalidInput(_("请以单位名义提出申请。"), code="initiator_required")
    if initiator.township_id != township.pk and not (
            kind == DecisionKind.WITHDRAW and initiator.kind == BodyKind.GUIDANCE_OFFICE):
        raise NotPermitted(_("只有本乡镇(街道)的单位可以为 %(t)s 申请赋权。") % {"t": township},
                           code="not_township_body")
    if kind == DecisionKind.GRANT:
        check_proposable(township, matters, on)
        taken = sorted(Empowerment.objects.filter(township=township, matter__in=matters, withdrawn_from__isnull=True)
                       .values_list("matter__code", flat=True))
        if taken:
            raise InvalidInput(_("以下事项已赋权 %(t)s：%(c)s") % {"t": township, "c": "、".join(taken)},
                               code="already_empowered", detail={"matters": taken})
    else:
        if not matters:
            raise InvalidInput(_("请至少选择一个执法事项。"), code="matters_required")
        check_withdrawable(township, matters)
    mode = mode_on(township, on)
    upgrade = kind == DecisionKind.GRANT and (mode is None or mode.mode == EnforcementMode.DISPATCHED)
    label = DecisionKind(kind).label
    title = _r("%(t)s%(k)s申请（%(n)d项）") % {"t": township.name, "k": label, "n": len(matters)}
    return start_process(
        KIND, actor=actor, initiator=initiator, assignees=[city_body(township, BodyKind.GUIDANCE_OFFICE)],
        supervisor=city_body(township, BodyKind.STAFFING_OFFICE), title=title, township=township,
        record_fields={"township": township, "kind": kind, "matter_codes": sorted(m.code for m in matters),
                       "upgrade_mode": upgrade, "note": note},
    )
