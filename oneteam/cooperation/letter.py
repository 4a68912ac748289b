"""The transfer letter (移送函): a .docx in the official-document layout
(GB/T 9704-2012 信函格式: red issuer title, red rule, document number, 主送,
body in 仿宋 3号, issuer and date at the bottom right, 抄送 line), rendered from
a template with ``{{placeholder}}`` fields.

The built-in template is ``templates_docx/transfer_letter.docx`` (rebuilt by
:func:`build_default_template` when missing); an admin may upload a
replacement (:class:`~oneteam.cooperation.models.LetterTemplate`) using the
same placeholders: {{issuer}} {{number}} {{title}} {{receiver}} {{party}}
{{facts}} {{basis}} {{checklist}} {{evidence}} {{date}} {{copy_to}} {{sender}}
{{process_number}}.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

from django.core.files.base import ContentFile
from django.utils import timezone

from oneteam.workflow import services as kernel

from . import rules

DEFAULT_TEMPLATE = Path(__file__).resolve().parent / "templates_docx" / "transfer_letter.docx"
PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
RED = "C00000"


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def letter_number(process, sender, now: dt.datetime) -> str:
    """文号, e.g. 安阳街道移〔2026〕3号: issuer's short name, year, the process's sequence."""
    township = sender.township.name if rules.is_township_side(sender) else ""
    short = township or sender.short_name or sender.name
    seq = int(process.number.rsplit("-", 1)[-1])
    return f"{short}移〔{timezone.localtime(now).year}〕{seq}号"


# --------------------------------------------------------------------------
# The built-in template
# --------------------------------------------------------------------------


def _font(run, *, east_asia: str, size: float, bold: bool = False, color: str | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = east_asia
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), east_asia)
    if color:
        run.font.color.rgb = RGBColor.from_string(color)


def _border(paragraph, side: str, *, color: str, size: int) -> None:
    from docx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = ppr.makeelement(qn("w:pBdr"), {})
        ppr.append(borders)
    el = borders.makeelement(qn(f"w:{side}"), {qn("w:val"): "single", qn("w:sz"): str(size), qn("w:space"): "1",
                                               qn("w:color"): color})
    borders.append(el)


def build_default_template():
    """The built-in layout as a python-docx Document with placeholders."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)

    def para(text: str, *, align=WD_ALIGN_PARAGRAPH.LEFT, font="仿宋_GB2312", size=16.0, bold=False,
             color=None, indent=False, space_after=0):
        p = doc.add_paragraph()
        p.alignment = align
        p.paragraph_format.space_after = Pt(space_after)
        p.paragraph_format.line_spacing = Pt(28)
        if indent:
            p.paragraph_format.first_line_indent = Pt(size * 2)
        _font(p.add_run(text), east_asia=font, size=size, bold=bold, color=color)
        return p

    head = para("{{issuer}}", align=WD_ALIGN_PARAGRAPH.CENTER, font="方正小标宋简体", size=30, color=RED)
    head.paragraph_format.line_spacing = Pt(44)
    _border(head, "bottom", color=RED, size=18)  # 红色分隔线
    para("{{number}}", align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=12)
    para("{{title}}", align=WD_ALIGN_PARAGRAPH.CENTER, font="方正小标宋简体", size=22, space_after=12)
    para("{{receiver}}：")
    para("{{facts}}", indent=True)
    para("{{basis}}", indent=True)
    para("经核查，本案{{checklist}}。现将案件及相关证据材料移送你单位，请依法处理，并将处理结果反馈我单位。",
         indent=True)
    para("附件：{{evidence}}", indent=True, space_after=24)
    para("{{issuer}}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    para("{{date}}", align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=36)
    copy = para("抄送：{{copy_to}}。", size=14)
    _border(copy, "top", color="000000", size=6)
    _border(copy, "bottom", color="000000", size=6)
    para("（经办：{{sender}}  平台编号：{{process_number}}）", size=12)
    return doc


def write_default_template(path: Path = DEFAULT_TEMPLATE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    build_default_template().save(str(path))
    return path


def template_source() -> tuple[bytes, str]:
    """(bytes, description) of the template in use: the newest active uploaded one, else the built-in one."""
    from .models import LetterTemplate

    uploaded = LetterTemplate.objects.filter(active=True).select_related("attachment__blob").first()
    if uploaded is not None and uploaded.attachment.blob.path.exists():
        return uploaded.attachment.blob.path.read_bytes(), uploaded.attachment.original_name
    if DEFAULT_TEMPLATE.exists():
        return DEFAULT_TEMPLATE.read_bytes(), "built-in"
    buf = io.BytesIO()
    build_default_template().save(buf)
    return buf.getvalue(), "built-in"


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------


def _paragraphs(doc):
    yield from doc.paragraphs
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs
    for section in doc.sections:
        for part in (section.header, section.footer):
            yield from part.paragraphs


def _fill(paragraph, values: dict[str, str]) -> None:
    text = paragraph.text
    if "{{" not in text:
        return
    filled = PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)
    runs = paragraph.runs
    if not runs:
        return
    # Placeholders may be split across runs: the paragraph keeps its first run's formatting.
    first = runs[0]
    for extra in runs[1:]:
        extra._element.getparent().remove(extra._element)
    lines = filled.split("\n")
    first.text = lines[0]
    for line in lines[1:]:
        first.add_break()
        first.add_text(line)


def render(values: dict[str, str], template: bytes | None = None) -> bytes:
    from docx import Document

    source = template if template is not None else template_source()[0]
    doc = Document(io.BytesIO(source))
    for p in _paragraphs(doc):
        _fill(p, values)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def values_for(process, record, *, evidence, now: dt.datetime) -> dict[str, str]:
    sender = process.initiator_body
    confirmers = {str(getattr(record, name)) for name, _label in record.CHECKLIST if getattr(record, f"{name}_id")}
    checklist = f"违法事实基本清楚、证据材料符合立案标准、程序合法、手续完备（经{'、'.join(sorted(confirmers))}确认）"
    case = record.matter.name if record.matter_id else process.title
    if record.party_name and record.party_name not in case:
        case = f"{record.party_name}{case}"
    evidence_lines = "\n".join(f"{i}. {a.original_name}（SHA-256 {a.blob_id[:16]}…）"
                               for i, a in enumerate(evidence, 1))
    return {
        "issuer": record.issuer_name,
        "number": record.letter_number,
        "title": f"关于移送{case}案件的函",
        "receiver": record.receiver.name,
        "party": record.party_name,
        "facts": record.facts,
        "basis": record.legal_basis or "根据案件移送相互抄告制度，该案件属你单位管辖。",
        "checklist": checklist,
        "evidence": f"证据材料{len(evidence)}份\n{evidence_lines}",
        "date": chinese_date(timezone.localtime(now).date()),
        "copy_to": rules.guidance_office(sender.city_id).name,
        "sender": sender.name,
        "process_number": process.number,
    }


def issue(process, record, *, actor, evidence, now: dt.datetime):
    """Render the letter and store it through the kernel's upload service
    (content-addressed, ``workflow.upload`` ledger entry). Returns the Attachment."""
    data = render(values_for(process, record, evidence=evidence, now=now))
    name = f"移送函-{process.number}.docx"
    return kernel.do_upload(ContentFile(data, name=name), actor=actor, name=name)
