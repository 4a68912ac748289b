"""Catalog files: reading, checking and planning an import; writing an export.

One matter a row, the same columns both ways (see ``docs/catalog.md``). An
import is planned in full before anything is written: every row is checked,
every error names its row and column in Chinese, and the plan says per catalog
version what would be added, changed and retired compared with the version it
supersedes. :func:`oneteam.catalog.services.do_import_catalog` writes a plan
only when it has no errors.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from oneteam.org.choices import BodyKind
from oneteam.org.models import Body

from .choices import MatterKind, TransferScope
from .models import Catalog, CatalogVersion, DiscretionTier, MatterEntry

Progress = Callable[[int, int], None] | None


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    width: int = 16


COLUMNS: list[Column] = [
    Column("catalog", "目录", True, 34),
    Column("version", "版本", True, 10),
    Column("effective_from", "生效日期", True, 12),
    Column("source", "发布文件", False, 24),
    Column("code", "事项编码", True, 15),
    Column("name", "事项名称", True, 40),
    Column("kind", "事项类型", True, 8),
    Column("field", "执法领域", True, 10),
    Column("legal_basis", "法律依据", True, 50),
    Column("articles", "条款依据", False, 40),
    Column("department", "原业务主管部门", True, 24),
    Column("transfer_scope", "划转范围", True, 8),
    Column("boundary", "职责边界", False, 40),
    Column("tiers", "裁量基准", False, 60),
]
HEADERS = [c.header for c in COLUMNS]
#: Fields compared to decide whether a matter changed between versions, with their labels.
COMPARED = {
    "name": _l("事项名称"), "kind": _l("事项类型"), "field": _l("执法领域"), "legal_basis": _l("法律依据"),
    "articles": _l("条款依据"), "department_id": _l("原业务主管部门"), "transfer_scope": _l("划转范围"),
    "boundary": _l("职责边界"), "tiers": _l("裁量基准"),
}

Tier = tuple[str, Decimal | None, Decimal | None, str]


@dataclass(frozen=True)
class Issue:
    row: int
    message: str
    column: str = ""
    letter: str = ""

    def __str__(self) -> str:
        if not self.column:
            where = _("第%(r)d行") % {"r": self.row}
        elif self.letter:
            where = _("第%(r)d行 %(l)s列「%(c)s」") % {"r": self.row, "l": self.letter, "c": self.column}
        else:
            where = _("第%(r)d行「%(c)s」") % {"r": self.row, "c": self.column}
        return _("%(w)s：%(m)s") % {"w": where, "m": self.message}


@dataclass
class Row:
    """One checked row of a catalog file."""

    number: int
    catalog: Catalog
    version: str
    effective_from: dt.date
    source: str
    code: str
    name: str
    kind: str
    field: str
    legal_basis: str
    articles: str
    department: Body
    transfer_scope: str
    boundary: str
    tiers: tuple[Tier, ...]

    def snapshot(self) -> dict:
        return {"name": self.name, "kind": self.kind, "field": self.field, "legal_basis": self.legal_basis,
                "articles": self.articles, "department_id": self.department.pk,
                "transfer_scope": self.transfer_scope, "boundary": self.boundary, "tiers": self.tiers}


@dataclass
class VersionPlan:
    """What importing one catalog version would do."""

    catalog: Catalog
    label: str
    effective_from: dt.date
    source: str
    rows: list[Row] = field(default_factory=list)
    existing: CatalogVersion | None = None
    previous: CatalogVersion | None = None
    added: list[tuple[str, str]] = field(default_factory=list)
    changed: list[tuple[str, str, list[str]]] = field(default_factory=list)
    retired: list[tuple[str, str]] = field(default_factory=list)
    first_row: int = 0

    @property
    def is_new(self) -> bool:
        return self.existing is None


@dataclass
class ImportPlan:
    versions: list[VersionPlan]
    errors: list[Issue]
    sha256: str
    row_count: int

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def has_changes(self) -> bool:
        return any(v.is_new for v in self.versions)

    def summary_lines(self) -> list[str]:
        lines = []
        for v in self.versions:
            head = _("《%(c)s》%(v)s（%(d)s 起施行）") % {
                "c": v.catalog.name, "v": v.label, "d": v.effective_from.isoformat()}
            if not v.is_new:
                lines.append(_("%(h)s：已存在且内容一致，不作改动。") % {"h": head})
                continue
            base = (_("与 %(p)s 相比") % {"p": v.previous.label}) if v.previous else _("首个版本")
            lines.append(_("%(h)s：新版本，共 %(n)d 项，%(b)s：新增 %(a)d、变更 %(c)d、取消 %(r)d。") % {
                "h": head, "n": len(v.rows), "b": base, "a": len(v.added), "c": len(v.changed), "r": len(v.retired)})
            lines += [f"  + {code} {name}" for code, name in v.added]
            lines += ["  ~ " + _("%(c)s %(n)s（%(f)s）") % {"c": code, "n": name, "f": _("、").join(fields)}
                      for code, name, fields in v.changed]
            lines += [f"  - {code} {name}" for code, name in v.retired]
        return lines


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


class FileError(Exception):
    """The file cannot be read at all (format, encoding, empty)."""


def read_table(path: str | Path, data: bytes | None = None) -> tuple[list[str], list[tuple[int, list]]]:
    """Headers and (row number, cells) of the first sheet of an .xlsx or a UTF-8 CSV."""
    path = Path(path)
    data = path.read_bytes() if data is None else data
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise FileError(_("无法读取 Excel 文件：%(e)s") % {"e": exc}) from exc
        ws = wb.worksheets[0]
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        wb.close()
    elif suffix == ".csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FileError(_("CSV 文件须为 UTF-8 编码。")) from exc
        rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""))]
    else:
        raise FileError(_("不支持的文件类型「%(s)s」，请使用 .xlsx 或 .csv。") % {"s": suffix or path.name})
    if not rows:
        raise FileError(_("文件为空。"))
    headers = [str(h).strip() if h is not None else "" for h in rows[0]]
    body = [(i, r) for i, r in enumerate(rows[1:], start=2) if any(_text(c) for c in r)]
    return headers, body


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _lines(value: str) -> str:
    return "\n".join(line.strip() for line in value.split("\n") if line.strip())


def _parse_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        try:
            y, m, d = (int(p) for p in text.split("-"))
            return dt.date(y, m, d)
        except ValueError:
            return None


def _parse_amount(text: str) -> Decimal | None:
    text = text.strip().replace(",", "").replace("，", "").removesuffix("元")
    if text in ("", "-", "—"):
        return None
    value = Decimal(text)
    if value < 0 or not value.is_finite():
        raise InvalidOperation
    return value.quantize(Decimal("0.01"))


def parse_tiers(text: str) -> tuple[Tier, ...]:
    """``名称|罚款下限|罚款上限|适用情形`` one tier a line. Raises ValueError with a Chinese message."""
    tiers = []
    for n, line in enumerate([line for line in text.split("\n") if line.strip()], start=1):
        parts = [p.strip() for p in line.split("|", 3)]
        if len(parts) != 4 or not parts[0] or not parts[3]:
            raise ValueError(_("第%(n)d档格式应为“名称|罚款下限|罚款上限|适用情形”：%(l)s") % {"n": n, "l": line})
        try:
            low, high = _parse_amount(parts[1]), _parse_amount(parts[2])
        except (InvalidOperation, ValueError):
            raise ValueError(_("第%(n)d档罚款金额应为非负数字：%(l)s") % {"n": n, "l": line}) from None
        if low is not None and high is not None and high < low:
            raise ValueError(_("第%(n)d档罚款上限低于下限：%(l)s") % {"n": n, "l": line})
        tiers.append((parts[0], low, high, parts[3]))
    return tuple(tiers)


def format_tiers(tiers: Iterable[Tier]) -> str:
    def amount(v: Decimal | None) -> str:
        return "" if v is None else f"{v.normalize():f}"

    return "\n".join(f"{name}|{amount(low)}|{amount(high)}|{' '.join(text.split())}"
                     for name, low, high, text in tiers)


def _kind(text: str) -> str | None:
    for value, label in MatterKind.choices:
        if text in (value, str(label), f"行政{label}"):
            return value
    return None


def _scope(text: str) -> str | None:
    for value, label in TransferScope.choices:
        if text in (value, str(label), f"{label}划转"):
            return value
    return None


class _Lookups:
    """Catalogs and departments resolved once per file."""

    def __init__(self) -> None:
        self.catalogs: dict[str, Catalog] = {}
        for c in Catalog.objects.all():
            self.catalogs[c.code] = c
            self.catalogs[c.name] = c
        self.by_code: dict[str, Body] = {}
        self.by_name: dict[str, list[Body]] = {}
        for b in Body.objects.filter(kind=BodyKind.DEPARTMENT):
            self.by_code[b.code] = b
            for name in {b.name, b.short_name} - {""}:
                self.by_name.setdefault(name, []).append(b)

    def department(self, text: str) -> Body | str:
        if text in self.by_code:
            return self.by_code[text]
        found = self.by_name.get(text, [])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            return _("部门名称「%(t)s」对应多个单位，请改用单位代码") % {"t": text}
        return _("未找到业务主管部门「%(t)s」（请填写已登记部门的名称或单位代码）") % {"t": text}


def plan_import(path: str | Path, *, data: bytes | None = None, progress: Progress = None) -> ImportPlan:
    """Read and check a catalog file, and plan what importing it would do. Writes nothing."""
    path = Path(path)
    data = path.read_bytes() if data is None else data
    sha = hashlib.sha256(data).hexdigest()
    try:
        headers, rows = read_table(path, data)
    except FileError as exc:
        return ImportPlan([], [Issue(1, str(exc))], sha, 0)
    errors: list[Issue] = []
    index: dict[str, int] = {}
    for i, h in enumerate(headers):
        if not h:
            continue
        if h in index:
            errors.append(Issue(1, _("列名重复"), h, get_column_letter(i + 1)))
        index.setdefault(h, i)
    for col in COLUMNS:
        if col.required and col.header not in index:
            errors.append(Issue(1, _("缺少必需的列「%(c)s」") % {"c": col.header}))
    if errors:
        return ImportPlan([], errors, sha, len(rows))
    if not rows:
        return ImportPlan([], [Issue(2, _("文件中没有事项行。"))], sha, 0)

    lookups = _Lookups()
    checked: list[Row] = []
    for n, (number, cells) in enumerate(rows, start=1):
        row = _check_row(number, cells, index, lookups, errors)
        if row is not None:
            checked.append(row)
        if progress:
            progress(n, len(rows))

    versions = _group(checked, errors)
    if not errors:
        for plan in versions:
            _diff(plan, errors)
    errors.sort(key=lambda e: (e.row, e.letter))
    return ImportPlan(versions, errors, sha, len(rows))


def _check_row(number: int, cells: list, index: dict[str, int], lookups: _Lookups, errors: list[Issue]) -> Row | None:
    values: dict[str, object] = {}
    before = len(errors)

    def fail(col: Column, message: str) -> None:
        errors.append(Issue(number, message, col.header, get_column_letter(index[col.header] + 1)))

    for col in COLUMNS:
        i = index.get(col.header)
        raw = cells[i] if i is not None and i < len(cells) else None
        values[col.key] = raw
        if col.required and not _text(raw):
            fail(col, _("不能为空"))
    cols = {c.key: c for c in COLUMNS}
    if len(errors) > before:
        return None

    catalog = lookups.catalogs.get(_text(values["catalog"]))
    if catalog is None:
        fail(cols["catalog"], _("未知目录「%(t)s」") % {"t": _text(values["catalog"])})
    effective = _parse_date(values["effective_from"])
    if effective is None:
        fail(cols["effective_from"],
             _("日期格式应为 YYYY-MM-DD，收到「%(t)s」") % {"t": _text(values["effective_from"])})
    code = _text(values["code"])
    if not (code.isascii() and code.isdigit() and len(code) == 12):
        fail(cols["code"], _("事项编码须为12位数字，收到「%(t)s」（%(n)d位）") % {"t": code, "n": len(code)})
    kind = _kind(_text(values["kind"]))
    if kind is None:
        fail(cols["kind"], _("未知事项类型「%(t)s」，应为 %(k)s 之一") % {
            "t": _text(values["kind"]), "k": "、".join(str(label) for _v, label in MatterKind.choices)})
    department = lookups.department(_text(values["department"]))
    if isinstance(department, str):
        fail(cols["department"], department)
    scope = _scope(_text(values["transfer_scope"]))
    if scope is None:
        fail(cols["transfer_scope"],
             _("划转范围应为“全部”或“部分”，收到「%(t)s」") % {"t": _text(values["transfer_scope"])})
    try:
        tiers = parse_tiers(_text(values["tiers"]))
    except ValueError as exc:
        fail(cols["tiers"], str(exc))
        tiers = ()
    for key, limit in (("name", 300), ("field", 40), ("version", 50), ("source", 200)):
        if len(_text(values[key])) > limit:
            fail(cols[key], _("长度不能超过%(n)d个字符") % {"n": limit})
    if len(errors) > before:
        return None
    return Row(
        number=number, catalog=catalog, version=_text(values["version"]), effective_from=effective,
        source=_text(values["source"]), code=code, name=_text(values["name"]), kind=kind,
        field=_text(values["field"]), legal_basis=_lines(_text(values["legal_basis"])),
        articles=_lines(_text(values["articles"])), department=department, transfer_scope=scope,
        boundary=_lines(_text(values["boundary"])), tiers=tiers,
    )


def _group(rows: list[Row], errors: list[Issue]) -> list[VersionPlan]:
    plans: dict[tuple[int, str], VersionPlan] = {}
    first_row: dict[tuple[int, str, str], int] = {}
    code_letter = get_column_letter(HEADERS.index("事项编码") + 1)
    for row in rows:
        key = (row.catalog.pk, row.version)
        plan = plans.get(key)
        if plan is None:
            plan = plans[key] = VersionPlan(row.catalog, row.version, row.effective_from, row.source,
                                            first_row=row.number)
        elif row.effective_from != plan.effective_from:
            errors.append(Issue(row.number, _("同一目录版本「%(v)s」的生效日期不一致（第%(r)d行为 %(d)s）") % {
                "v": row.version, "r": plan.first_row, "d": plan.effective_from.isoformat()}, "生效日期"))
            continue
        dup = first_row.get((row.catalog.pk, row.version, row.code))
        if dup is not None:
            errors.append(Issue(row.number, _("事项编码 %(c)s 与第%(r)d行重复（同一目录版本内）") % {
                "c": row.code, "r": dup}, "事项编码", code_letter))
            continue
        first_row[(row.catalog.pk, row.version, row.code)] = row.number
        plan.rows.append(row)
    by_date: dict[tuple[int, dt.date], VersionPlan] = {}
    for plan in plans.values():
        other = by_date.get((plan.catalog.pk, plan.effective_from))
        if other is not None:
            errors.append(Issue(plan.first_row, _("《%(c)s》在 %(d)s 已有版本「%(v)s」，同一天只能有一个版本") % {
                "c": plan.catalog.name, "d": plan.effective_from.isoformat(), "v": other.label}, "生效日期"))
        by_date[(plan.catalog.pk, plan.effective_from)] = plan
    return sorted(plans.values(), key=lambda p: (p.catalog.order, p.effective_from))


def entry_snapshot(entry: MatterEntry) -> dict:
    return {"name": entry.name, "kind": entry.kind, "field": entry.field, "legal_basis": entry.legal_basis,
            "articles": entry.articles, "department_id": entry.department_id,
            "transfer_scope": entry.transfer_scope, "boundary": entry.boundary,
            "tiers": tuple((t.name, t.fine_min, t.fine_max, t.circumstances) for t in entry.tiers.all())}


def _version_snapshot(version: CatalogVersion) -> dict[str, tuple[str, dict]]:
    entries = (MatterEntry.objects.filter(version=version).select_related("matter")
               .prefetch_related(Prefetch("tiers", queryset=DiscretionTier.objects.order_by("order"))))
    return {e.matter.code: (e.name, entry_snapshot(e)) for e in entries}


def _diff(plan: VersionPlan, errors: list[Issue]) -> None:
    versions = CatalogVersion.objects.filter(catalog=plan.catalog)
    plan.existing = versions.filter(label=plan.label).first()
    incoming = {r.code: r for r in plan.rows}
    if plan.existing is not None:
        if plan.existing.effective_from != plan.effective_from:
            errors.append(Issue(plan.first_row, _("版本「%(v)s」已存在，生效日期为 %(d)s，与文件不一致") % {
                "v": plan.label, "d": plan.existing.effective_from.isoformat()}, "生效日期"))
            return
        current = _version_snapshot(plan.existing)
        differs = set(current) != set(incoming) or any(
            current[c][1] != r.snapshot() for c, r in incoming.items() if c in current)
        if differs:
            errors.append(Issue(plan.first_row, _(
                "《%(c)s》版本「%(v)s」已存在且内容与文件不同；"
                "已发布的目录版本不可修改，请以新的版本号和生效日期导入") % {
                "c": plan.catalog.name, "v": plan.label}, "版本"))
        return
    clash = versions.filter(effective_from=plan.effective_from).first()
    if clash is not None:
        errors.append(Issue(plan.first_row, _("《%(c)s》在 %(d)s 已有版本「%(v)s」，同一天只能有一个版本") % {
            "c": plan.catalog.name, "d": plan.effective_from.isoformat(), "v": clash.label}, "生效日期"))
        return
    plan.previous = versions.filter(effective_from__lt=plan.effective_from).order_by("-effective_from").first()
    before = _version_snapshot(plan.previous) if plan.previous else {}
    for code, row in incoming.items():
        if code not in before:
            plan.added.append((code, row.name))
            continue
        old = before[code][1]
        new = row.snapshot()
        fields = [str(label) for key, label in COMPARED.items() if old[key] != new[key]]
        if fields:
            plan.changed.append((code, row.name, fields))
    plan.retired = [(code, name) for code, (name, _snap) in sorted(before.items()) if code not in incoming]


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def export_rows(on: dt.date) -> list[list]:
    """One row per matter entry of every catalog version in force on ``on``."""
    entries = (
        MatterEntry.objects.in_force(on)
        .select_related("version__catalog", "matter", "department")
        .prefetch_related(Prefetch("tiers", queryset=DiscretionTier.objects.order_by("order")))
        .order_by("version__catalog__order", "matter__code")
    )
    # Departments by name where the name is unambiguous (readable), else by code.
    names: dict[str, int] = {}
    for name in Body.objects.filter(kind=BodyKind.DEPARTMENT).values_list("name", flat=True):
        names[name] = names.get(name, 0) + 1
    out = []
    for e in entries:
        tiers = [(t.name, t.fine_min, t.fine_max, t.circumstances) for t in e.tiers.all()]
        out.append([
            e.version.catalog.name, e.version.label, e.version.effective_from, e.version.source, e.matter.code,
            e.name, e.get_kind_display(), e.field, e.legal_basis, e.articles,
            e.department.name if names.get(e.department.name) == 1 else e.department.code,
            e.get_transfer_scope_display(), e.boundary, format_tiers(tiers),
        ])
    return out


def write_table(path: str | Path, headers: list[str], rows: list[list], *, title: str = "",
                widths: list[int] | None = None) -> None:
    """Write ``rows`` under ``headers`` as .xlsx (styled) or UTF-8 CSV (with BOM, for Excel)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(headers)
            for row in rows:
                writer.writerow([v.isoformat() if isinstance(v, dt.date) else ("" if v is None else v) for v in row])
        return
    if suffix != ".xlsx":
        raise FileError(_("不支持的文件类型「%(s)s」，请使用 .xlsx 或 .csv。") % {"s": suffix or path.name})
    path.write_bytes(xlsx_bytes(headers, rows, title=title, widths=widths))


def xlsx_bytes(headers: list[str], rows: list[list], *, title: str = "", widths: list[int] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = (title or "Sheet1")[:31]
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EEF2F7")
    for row in rows:
        ws.append(row)
    for i, width in enumerate(widths or [16] * len(headers), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def export_catalogs(path: str | Path, on: dt.date) -> int:
    rows = export_rows(on)
    write_table(path, HEADERS, rows, title=_("执法事项目录"), widths=[c.width for c in COLUMNS])
    return len(rows)
