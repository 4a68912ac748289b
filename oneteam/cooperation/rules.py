"""Who may send what to whom: the legal-sender and same-level rules of case
transfers (policy §三(二)3), the receivers of collaboration requests and the
county bodies that take part in disputes. Pure functions over ``Body`` rows;
each refusal is an ``InvalidInput`` with a Chinese explanation."""

from __future__ import annotations

from django.utils.translation import gettext as _

from oneteam.core.errors import InvalidInput
from oneteam.org.choices import BodyKind, BodyLevel
from oneteam.org.models import Body

from . import conf

#: Township-level bodies that may act for the township itself (the letter is
#: issued in the township's name, never in the team's).
TOWNSHIP_SENDER_KINDS = frozenset({BodyKind.TOWNSHIP_GOVERNMENT, BodyKind.ENFORCEMENT_TEAM})
#: City-level bodies that may send in their own name.
CITY_SENDER_KINDS = frozenset({BodyKind.DEPARTMENT})
#: Bodies that are internal units or not enforcement subjects: never senders.
INTERNAL_UNIT_KINDS = frozenset({BodyKind.TOWNSHIP_COMMAND_ROOM, BodyKind.DISPATCHED_TEAM,
                                 BodyKind.VILLAGE_COMMITTEE})


def is_township_side(body: Body) -> bool:
    return body.kind in TOWNSHIP_SENDER_KINDS and body.level == BodyLevel.TOWNSHIP and body.township_id is not None


def is_city_department(body: Body) -> bool:
    return body.kind in CITY_SENDER_KINDS and body.level == BodyLevel.CITY


def township_government(body: Body) -> Body | None:
    if body.township_id is None:
        return None
    return (Body.objects.filter(township_id=body.township_id, kind=BodyKind.TOWNSHIP_GOVERNMENT, is_active=True)
            .order_by("code").first())


def issuer_name(body: Body) -> str:
    """The name a transfer letter is issued in: the township (its government
    body's name) for township-side senders, else the department itself."""
    if is_township_side(body):
        gov = township_government(body)
        return gov.name if gov is not None else body.township.name
    return body.name


def check_transfer_sender(body: Body) -> None:
    """Refuse a sender that is an internal unit or not at a legal level."""
    if body.kind == BodyKind.DISPATCHED_TEAM:
        dept = body.parent.name if body.parent_id else _("其所属部门")
        raise InvalidInput(_("%(b)s 是派驻机构，不得以自身名义移送案件，应以 %(d)s 名义移送。")
                           % {"b": body.name, "d": dept}, code="internal_unit_sender")
    if body.kind in INTERNAL_UNIT_KINDS:
        raise InvalidInput(_("%(b)s 属于内设机构或基层组织，案件移送应以部门或乡镇(街道)名义进行，"
                             "不得以内设机构名义移送。") % {"b": body.name}, code="internal_unit_sender")
    if not (is_township_side(body) or is_city_department(body)):
        raise InvalidInput(_("%(b)s 不是案件移送主体：只有县级业务主管部门或乡镇(街道)可以移送案件。")
                           % {"b": body.name}, code="not_a_sender")


def check_transfer_pair(sender: Body, receiver: Body) -> None:
    """Same-level transfer only: township ↔ city department, or city department
    ↔ city department of the same county. Everything else is refused."""
    check_transfer_sender(sender)
    if receiver.pk == sender.pk:
        raise InvalidInput(_("不能移送给本单位。"), code="same_body")
    if not receiver.is_active:
        raise InvalidInput(_("%(b)s 已停用。") % {"b": receiver.name}, code="receiver_inactive")
    if receiver.level == BodyLevel.PREFECTURE:
        raise InvalidInput(_("案件移送遵循同级移送原则：%(r)s 是地市级部门，与 %(s)s 不是同级，不能移送。"
                             "需要温州市部门协助的，请提交执法协作申请。") % {"r": receiver.name, "s": sender.name},
                           code="not_same_level")
    if receiver.city_id != sender.city_id:
        raise InvalidInput(_("%(r)s 不属于本县(市)，不能移送。") % {"r": receiver.name}, code="not_same_level")
    if is_township_side(sender) and is_township_side(receiver):
        raise InvalidInput(_("案件移送遵循同级移送原则：乡镇(街道)之间不直接移送案件；涉及其他乡镇(街道)管辖的线索，"
                             "请报送市行政执法指挥中心派遣。"), code="not_same_level")
    if receiver.kind in INTERNAL_UNIT_KINDS:
        raise InvalidInput(_("%(r)s 属于内设机构或基层组织，应移送给其所属部门或乡镇(街道)。") % {"r": receiver.name},
                           code="internal_unit_receiver")
    if not (is_township_side(receiver) or is_city_department(receiver)):
        raise InvalidInput(_("%(r)s 不是案件移送的接收主体：只能移送给同级业务主管部门或乡镇(街道)。")
                           % {"r": receiver.name}, code="not_same_level")
    if is_township_side(receiver) and receiver.township_id == sender.township_id:
        raise InvalidInput(_("不能移送给本乡镇(街道)。"), code="same_body")


def check_collaboration_pair(initiator: Body, department: Body) -> None:
    """A township enforcement team (or government) asks a county-level competent department."""
    if not is_township_side(initiator):
        raise InvalidInput(_("执法协作申请由乡镇(街道)综合行政执法队提出，%(b)s 不能提出。") % {"b": initiator.name},
                           code="not_a_requester")
    if not is_city_department(department) or not department.is_active:
        raise InvalidInput(_("执法协作申请应提交给县级业务主管部门；需要温州市部门协作的，由部门提请或在部门"
                             "逾期、拒绝后转提。"), code="not_a_department")


def check_escalation_target(body: Body) -> None:
    if body.kind != BodyKind.DEPARTMENT or body.level != BodyLevel.PREFECTURE or not body.is_active:
        raise InvalidInput(_("只能提请温州市(地市级)相关部门协作，%(b)s 不是。") % {"b": body.name},
                           code="not_prefecture_department")


def county_body(kind: str, config_key: str, city_id: int | None = None) -> Body:
    """The county's guidance office / staffing office / justice bureau / leading group."""
    code = conf.get(config_key)
    qs = Body.objects.filter(is_active=True)
    body = qs.filter(code=code).first() if code else None
    if body is None:
        qs = qs.filter(kind=kind)
        if city_id is not None:
            qs = qs.filter(city_id=city_id)
        body = qs.order_by("code").first()
    if body is None:
        raise InvalidInput(_("未登记%(k)s，无法办理。") % {"k": BodyKind(kind).label}, code="body_missing")
    return body


def guidance_office(city_id: int | None = None) -> Body:
    return county_body(BodyKind.GUIDANCE_OFFICE, "GUIDANCE_OFFICE_CODE", city_id)


def staffing_office(city_id: int | None = None) -> Body:
    return county_body(BodyKind.STAFFING_OFFICE, "STAFFING_OFFICE_CODE", city_id)


def justice_bureau(city_id: int | None = None) -> Body:
    return county_body(BodyKind.JUSTICE_BUREAU, "JUSTICE_BUREAU_CODE", city_id)


def leading_group(city_id: int | None = None) -> Body:
    return county_body(BodyKind.LEADING_GROUP, "LEADING_GROUP_CODE", city_id)
