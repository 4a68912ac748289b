"""Every write to organisation data. Each service runs in one transaction and
appends its ledger entry in that transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from oneteam.core.errors import InvalidInput
from oneteam.ledger import services as ledger

from .choices import EnforcementMode
from .models import City, EnforcementCertificate, Grid, ModeDecision, Township, User


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in data.items():
        if isinstance(value, models.Model):
            value = value.pk
        elif isinstance(value, (list, tuple, set)):
            value = [v.pk if isinstance(v, models.Model) else v for v in value]
        elif isinstance(value, (dt.date, dt.datetime)):
            value = value.isoformat()
        out[key] = value
    return out


def _full_clean(obj: models.Model) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        first = next(iter(detail.values()))[0]
        raise InvalidInput(first, detail=detail) from exc


@transaction.atomic
def do_save_master(obj: models.Model, *, actor: User | None, changes: dict[str, Any] | None = None) -> models.Model:
    """Create or update a master-data record (township, body, person …).

    Applies ``changes``, validates with ``full_clean()``, saves, and records
    ``master.create`` or ``master.update`` with the fields that changed (old
    and new values), so the ledger alone can replay master data history.
    """
    creating = obj.pk is None
    before = {} if creating else _jsonable(model_to_dict(type(obj).objects.get(pk=obj.pk)))
    for field, value in (changes or {}).items():
        setattr(obj, field, value)
    _full_clean(obj)
    obj.save()
    after = _jsonable(model_to_dict(obj))
    after.pop("password", None)
    before.pop("password", None)
    diff = {k: {"old": before.get(k), "new": v} for k, v in after.items() if before.get(k) != v}
    if isinstance(obj, Grid) and (creating or diff):
        _grids_changed(obj)
    if creating or diff:
        ledger.append("master.create" if creating else "master.update", actor=actor, obj=obj,
                      payload={"changes": diff, "label": str(obj)})
    return obj


def _grids_changed(grid: Grid) -> None:
    """Tell every process that the grid set changed (see :mod:`oneteam.org.geo`)."""
    from . import geo

    City.objects.filter(townships__villages__grids=grid).update(grids_version=F("grids_version") + 1)
    transaction.on_commit(geo.invalidate)


@transaction.atomic
def do_record_mode_decision(
    township: Township,
    *,
    actor: User | None,
    mode: str,
    effective_from: dt.date,
    decision_no: str,
    hub: Township | None = None,
    decision_title: str = "",
    note: str = "",
) -> ModeDecision:
    """Record a decision that sets ``township``'s enforcement mode from
    ``effective_from``. Earlier decisions stay as history; a decision for a
    date that already has one is refused (a correction is a later decision)."""
    if mode not in EnforcementMode.values:
        raise InvalidInput(_("未知的执法模式：%(mode)s") % {"mode": mode}, code="unknown_mode")
    if not decision_no.strip():
        raise InvalidInput(_("执法模式变更必须有决定文号。"), code="decision_no_required")
    if ModeDecision.objects.filter(township=township, effective_from=effective_from).exists():
        raise InvalidInput(
            _("%(t)s 在 %(d)s 已有执法模式决定；更正请以新的决定登记。") % {"t": township, "d": effective_from},
            code="duplicate_decision_date",
        )
    if hub is not None and mode == EnforcementMode.HUB_SERVED:
        hub_mode = hub.mode_on(effective_from)
        if hub_mode is not None and hub_mode.mode == EnforcementMode.HUB_SERVED:
            raise InvalidInput(_("辐射中心镇本身不能是1+X辐射模式。"), code="hub_is_served")
    decision = ModeDecision(
        township=township, mode=mode, hub=hub, effective_from=effective_from,
        decision_no=decision_no.strip(), decision_title=decision_title, note=note, recorded_by=actor,
    )
    _full_clean(decision)
    decision.save()
    ledger.append(
        "org.mode_decision", actor=actor, obj=township,
        payload={"decision_id": decision.pk, "mode": mode, "hub": hub.name if hub else None,
                 "effective_from": effective_from.isoformat(), "decision_no": decision.decision_no},
    )
    return decision


@transaction.atomic
def do_issue_certificate(
    user: User, *, actor: User | None, number: str, scope: str, valid_from: dt.date, valid_until: dt.date,
    issued_by: str = "",
) -> EnforcementCertificate:
    """Register an enforcement certificate for ``user``."""
    cert = EnforcementCertificate(user=user, number=number.strip(), scope=scope, valid_from=valid_from,
                                  valid_until=valid_until, issued_by=issued_by)
    _full_clean(cert)
    cert.save()
    ledger.append("org.certificate_issued", actor=actor, obj=user,
                  payload={"number": cert.number, "valid_from": valid_from.isoformat(),
                           "valid_until": valid_until.isoformat()})
    return cert


@transaction.atomic
def do_revoke_certificate(cert: EnforcementCertificate, *, actor: User | None, on: dt.date, reason: str) -> None:
    """Revoke a certificate from ``on``; the record stays."""
    if not reason.strip():
        raise InvalidInput(_("注销执法证必须填写原因。"), code="reason_required")
    if cert.revoked_on is not None:
        raise InvalidInput(_("该执法证已注销。"), code="already_revoked")
    cert.revoked_on = on
    cert.save(update_fields=["revoked_on"])
    ledger.append("org.certificate_revoked", actor=actor, obj=cert.user,
                  payload={"number": cert.number, "revoked_on": on.isoformat(), "reason": reason})


def require_certified_officers(officers: list[User], *, on: dt.date, minimum: int = 2) -> None:
    """Refuse an enforcement act unless ``minimum`` distinct officers each hold a
    certificate valid on ``on`` (行政处罚法 Art. 42). Used by every flow that
    names officers."""
    distinct = {o.pk: o for o in officers}
    if len(distinct) < minimum:
        raise InvalidInput(
            _("执法行为须由至少%(n)d名持有有效执法证的执法人员实施。") % {"n": minimum},
            code="officers_required",
        )
    invalid = [str(o) for o in distinct.values() if not o.is_certified(on)]
    if invalid:
        raise InvalidInput(
            _("以下人员在%(d)s没有有效执法证，不能作为执法人员：%(names)s") % {"d": on, "names": "、".join(invalid)},
            code="certificate_invalid",
        )
