"""Issuing keys for external systems (Open311 and the REST intake)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from oneteam.core.errors import InvalidInput
from oneteam.ledger import services as ledger
from oneteam.org.models import Body

from .models import ExternalSystem


@transaction.atomic
def issue_key(name: str, *, body: Body, actor=None, rotate: bool = False,
              key: str | None = None) -> tuple[ExternalSystem, str]:
    """Create the external system ``name`` (or, with ``rotate``, replace its key).
    Returns the system and the plain key, which is never stored. ``key`` is
    for the demo's published key only."""
    name = name.strip()
    if not name:
        raise InvalidInput(_("请填写外部系统名称。"), code="name_required")
    key = key or ExternalSystem.new_key()
    system = ExternalSystem.objects.filter(name=name).first()
    if system is not None and not rotate:
        raise InvalidInput(_("外部系统“%(n)s”已存在；如需更换密钥请使用 --rotate。") % {"n": name}, code="exists")
    if system is None:
        system = ExternalSystem(name=name, body=body)
    system.key_prefix, system.key_hash, system.active = key[:11], ExternalSystem.hash_key(key), True
    system.save()
    ledger.append("command.external_key_issued", actor=actor, obj=system,
                  payload={"name": name, "prefix": system.key_prefix, "rotated": rotate})
    return system, key
