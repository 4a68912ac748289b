"""Case transfers with copy (M7.3): same-level pairs only, legal senders only,
a complete checklist with evidence, the guidance office always copied, the
transfer letter generated and recorded, evidence recognised on acceptance,
results shared."""

from __future__ import annotations

import io

import pytest
from docx import Document

from oneteam.cooperation import letter, services
from oneteam.cooperation.models import LetterTemplate
from oneteam.core.errors import InvalidInput, NotPermitted
from oneteam.ledger.models import LedgerEntry
from oneteam.workflow import services as kernel
from oneteam.workflow.models import Party, Process

from .conftest import png

pytestmark = pytest.mark.django_db

ALL = ["facts_clear", "evidence_standard", "procedure_lawful", "formalities_complete"]


def _create(coop, actor=None, **kw):
    args = {"receiver": coop.department2, "title": "擅自占用耕地建房", "party_name": "王某",
            "facts": "2026年9月，王某在甲镇前垟村未经批准占用耕地建房约120平方米。",
            "legal_basis": "《土地管理法》第七十八条", "evidence": [png("现场照片.png")], "confirm": ALL}
    args.update(kw)
    return services.do_create_transfer(actor or coop.cast.officer, **args)


def _docx_text(att) -> str:
    doc = Document(io.BytesIO(att.blob.path.read_bytes()))
    return "\n".join(p.text for p in doc.paragraphs)


def test_send_complete_transfer_copies_guidance_and_generates_letter(coop, clock):
    p = _create(coop, send=True)
    p.refresh_from_db()
    assert p.state == "sent"
    roles = {(x.body_id, x.role, x.active) for x in Party.objects.filter(process=p)}
    assert (coop.cast.guidance_office.pk, "copied", True) in roles
    assert (coop.department2.pk, "assignee", True) in roles
    record = p.record
    assert record.issuer_name == "甲镇人民政府"
    assert record.letter_number == "甲镇移〔2026〕1号"
    text = _docx_text(record.letter)
    for expected in ("甲镇人民政府", "甲镇移〔2026〕1号", "市自然资源和规划局：", "王某",
                     "抄送：市综合行政执法指导办公室", "2026年9月30日", "现场照片.png"):
        assert expected in text, expected
    assert "{{" not in text
    send = LedgerEntry.objects.get(action="case_transfer.send")
    assert send.payload["data"]["letter_sha256"] == record.letter.blob_id
    assert LedgerEntry.objects.filter(action="workflow.upload", payload__sha256=record.letter.blob_id).exists()


def test_guidance_office_sees_copied_transfer_evidence(coop, clock):
    p = _create(coop, send=True)
    assert Process.objects.visible_to(coop.cast.supervisor).filter(pk=p.pk).exists()
    from oneteam.workflow.models import Attachment

    evidence = Attachment.objects.filter(process=p)
    # The evidence and the generated transfer letter, both bound to the send action.
    assert sorted(a.original_name.split("-")[0] for a in evidence) == ["现场照片.png", "移送函"]
    assert set(Attachment.objects.visible_to(coop.cast.supervisor).filter(process=p)) == set(evidence)


def test_create_cross_level_pair_refused(coop, clock):
    with pytest.raises(InvalidInput) as exc:
        _create(coop, receiver=coop.prefecture_department)
    assert exc.value.code == "not_same_level" and "同级" in exc.value.message
    assert not Process.objects.filter(kind="case_transfer").exists()


def test_create_township_to_township_refused(coop, clock):
    with pytest.raises(InvalidInput) as exc:
        _create(coop, receiver=coop.cast.other_team)
    assert exc.value.code == "not_same_level" and "乡镇(街道)之间" in exc.value.message


@pytest.mark.parametrize("attr", ["dispatched_officer"])
def test_create_by_dispatched_team_refused(coop, clock, attr):
    with pytest.raises(InvalidInput) as exc:
        _create(coop, actor=getattr(coop, attr), receiver=coop.department2)
    assert exc.value.code == "internal_unit_sender" and "市市场监督管理局" in exc.value.message


def test_create_by_command_room_refused(coop, clock):
    from oneteam.core.testing import make_user
    from oneteam.org.choices import Role

    clerk = make_user(coop.cast.command_room, Role.ENFORCEMENT_OFFICER, certified=True)
    with pytest.raises(InvalidInput) as exc:
        _create(coop, actor=clerk)
    assert exc.value.code == "internal_unit_sender" and "内设机构" in exc.value.message


def test_send_incomplete_checklist_refused(coop, clock):
    p = _create(coop, confirm=ALL[:2])
    with pytest.raises(InvalidInput) as exc:
        services.do_send_transfer(p, actor=coop.cast.officer)
    assert exc.value.code == "checklist_incomplete"
    assert set(exc.value.detail["missing"]) == {"程序合法", "手续完备"}
    p.refresh_from_db()
    assert p.state == "drafted" and p.record.letter_id is None


def test_send_without_evidence_refused(coop, clock):
    p = _create(coop, evidence=[])
    with pytest.raises(InvalidInput) as exc:
        services.do_send_transfer(p, actor=coop.cast.officer)
    assert exc.value.code == "evidence_required"


def test_confirm_by_uncertified_user_refused(coop, clock):
    from oneteam.core.testing import make_user
    from oneteam.org.choices import Role

    uncertified = make_user(coop.cast.team, Role.ENFORCEMENT_OFFICER)
    p = _create(coop, confirm=[])
    with pytest.raises(InvalidInput) as exc:
        kernel.perform(p, "confirm", actor=uncertified, data={"checklist": "all"})
    assert exc.value.code == "certificate_invalid"


def test_confirm_names_the_officer_per_item(coop, clock):
    p = _create(coop, confirm=["facts_clear"])
    kernel.perform(p, "confirm", actor=coop.cast.officer2,
                   data={"checklist": "evidence_standard,procedure_lawful"})
    kernel.perform(p, "confirm", actor=coop.head, data={"checklist": ["formalities_complete"]})
    p.refresh_from_db()
    r = p.record
    assert (r.facts_clear_by, r.evidence_standard_by, r.procedure_lawful_by, r.formalities_complete_by) == (
        coop.cast.officer, coop.cast.officer2, coop.cast.officer2, coop.head)
    services.do_send_transfer(p, actor=coop.cast.officer)
    assert str(coop.head) in _docx_text(p.record.letter)


def test_accept_recognises_evidence_and_result_goes_back(coop, clock, django_capture_on_commit_callbacks):
    p = _create(coop, send=True)
    kernel.perform(p, "receive", actor=coop.dept2_handler)
    kernel.perform(p, "accept", actor=coop.dept2_handler)
    p.refresh_from_db()
    recognised = p.record.recognised_evidence
    assert len(recognised) == 1 and recognised[0]["recognised_by"] == "市自然资源和规划局"
    assert recognised[0]["name"] == "现场照片.png"
    with django_capture_on_commit_callbacks(execute=True):
        kernel.perform(p, "report_result", actor=coop.dept2_handler, data={"result": "已立案，责令退还土地并罚款"})
    p.refresh_from_db()
    assert p.state == "shared" and p.record.result.startswith("已立案")
    from oneteam.workflow.models import Notification

    assert Notification.objects.filter(user=coop.cast.officer, verb="case_transfer.report_result").exists()


def test_return_with_reason_then_revise_and_resend(coop, clock):
    p = _create(coop, send=True)
    with pytest.raises(InvalidInput):
        kernel.perform(p, "return_case", actor=coop.dept2_handler)
    kernel.perform(p, "return_case", actor=coop.dept2_handler, reason="缺少勘测定界图")
    kernel.perform(p, "revise", actor=coop.cast.officer, reason="补充勘测定界图")
    kernel.perform(p, "add_evidence", actor=coop.cast.officer, attachments=[png("勘测定界图.png", b"2")])
    services.do_send_transfer(p, actor=coop.cast.officer)
    p.refresh_from_db()
    assert p.state == "sent" and p.record.letter_number == "甲镇移〔2026〕1号"
    assert "勘测定界图.png" in _docx_text(p.record.letter)


def test_receive_by_sender_not_permitted(coop, clock):
    p = _create(coop, send=True)
    with pytest.raises(NotPermitted):
        kernel.perform(p, "receive", actor=coop.cast.officer)


def test_department_to_township_transfer_issued_in_department_name(coop, clock):
    p = _create(coop, actor=coop.dept2_handler, receiver=coop.cast.team, send=True)
    p.refresh_from_db()
    assert p.township == coop.cast.township
    assert p.record.issuer_name == "市自然资源和规划局"
    assert Process.objects.visible_to(coop.cast.dispatcher).filter(pk=p.pk).exists()
    assert not Process.objects.visible_to(coop.third_officer).filter(pk=p.pk).exists()


def test_third_township_sees_nothing(coop, clock):
    p = _create(coop, send=True)
    assert not Process.objects.visible_to(coop.third_officer).filter(pk=p.pk).exists()
    assert not Process.objects.visible_to(coop.cast.other_officer).filter(pk=p.pk).exists()


def test_upload_letter_template_replaces_layout(coop, clock):
    from django.core.files.uploadedfile import SimpleUploadedFile

    doc = Document()
    doc.add_paragraph("自定义模板 {{issuer}} {{number}} 致 {{receiver}}")
    buf = io.BytesIO()
    doc.save(buf)
    upload = SimpleUploadedFile("模板.docx", buf.getvalue())
    with pytest.raises(NotPermitted):
        services.do_upload_letter_template(upload, actor=coop.cast.officer)
    tpl = services.do_upload_letter_template(upload, actor=coop.cast.admin, note="2026版")
    assert LetterTemplate.objects.get(active=True) == tpl
    p = _create(coop, send=True)
    assert "自定义模板 甲镇人民政府 甲镇移〔2026〕1号 致 市自然资源和规划局" in _docx_text(p.record.letter)


def test_upload_letter_template_not_docx_refused(coop, clock):
    with pytest.raises(InvalidInput):
        services.do_upload_letter_template(png(), actor=coop.cast.admin)


def test_default_template_file_matches_builder(tmp_path):
    built = letter.write_default_template(tmp_path / "t.docx")
    texts = [p.text for p in Document(str(built)).paragraphs]
    shipped = [p.text for p in Document(str(letter.DEFAULT_TEMPLATE)).paragraphs]
    assert texts == shipped and "{{issuer}}" in texts
