"""Parsing a holiday notice file (pure Python, no Django).

The format, documented in ``docs/worktime.md``, is one fact per line, fields
separated by commas (ASCII or Chinese), tabs or spaces, so both a hand-typed
text file and a CSV exported from a spreadsheet work::

    # 国务院办公厅关于2026年部分节假日安排的通知
    年份: 2026
    标题: 国务院办公厅关于2026年部分节假日安排的通知
    文号: 国办发明电〔2025〕7号
    发布日期: 2025-11-04
    范围: 全年
    放假, 元旦, 2026-01-01, 2026-01-03
    上班, 元旦, 2026-01-04
    放假 国庆节 2026-10-01至2026-10-07

Every error names its line, in Chinese.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
MAX_RANGE_DAYS = 31

_HEADER_KEYS = {
    "年份": "year",
    "year": "year",
    "标题": "title",
    "title": "title",
    "文号": "reference",
    "reference": "reference",
    "发布日期": "published_on",
    "published": "published_on",
    "published_on": "published_on",
    "范围": "scope",
    "scope": "scope",
}
_KINDS = {
    "放假": "off",
    "休": "off",
    "休息": "off",
    "off": "off",
    "holiday": "off",
    "上班": "working",
    "班": "working",
    "调休上班": "working",
    "working": "working",
    "workday": "working",
}
_SCOPES = {
    "全年": "year",
    "year": "year",
    "全年安排": "year",
    "修正": "amendment",
    "amendment": "amendment",
    "个别日期修正": "amendment",
}
_COLUMN_HEADERS = {"类型", "kind", "type"}
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_RANGE_SEP = re.compile(r"\s*(?:~|～|至|到|—|–)\s*")
_HEADER = re.compile("^([^\\s,\uff0c:\uff1a]+)\\s*[:\uff1a]\\s*(.*)$")
_FIELD_SEP = re.compile("[,\uff0c\u3001\t;\uff1b]+|\\s+")


class NoticeError(ValueError):
    """The file cannot be loaded; ``errors`` are Chinese, one per bad line."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class NoticeDay:
    date: dt.date
    kind: str  # "off" | "working"
    name: str
    line: int


@dataclass(frozen=True)
class ParsedNotice:
    year: int
    scope: str  # "year" | "amendment"
    title: str
    reference: str
    published_on: dt.date | None
    days: tuple[NoticeDay, ...]
    warnings: tuple[str, ...] = field(default=())

    @property
    def holidays(self) -> dict[dt.date, str]:
        return {d.date: d.name for d in self.days if d.kind == "off"}

    @property
    def working_days(self) -> dict[dt.date, str]:
        return {d.date: d.name for d in self.days if d.kind == "working"}


def parse_date(text: str) -> dt.date | None:
    m = _DATE.match(text.strip())
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def parse_notice(text: str) -> ParsedNotice:
    """Parse a notice file; raise :class:`NoticeError` listing every bad line."""
    errors: list[str] = []
    warnings: list[str] = []
    header: dict[str, tuple[str, int]] = {}
    rows: list[tuple[int, str, str, dt.date, dt.date]] = []
    text = text.lstrip("\ufeff")  # a BOM from spreadsheet exports
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = _split_header(line)
        if sep:
            if key not in _HEADER_KEYS:
                errors.append(f"第{lineno}行：无法识别的项目“{key}”（可用：年份、标题、文号、发布日期、范围）")
                continue
            name = _HEADER_KEYS[key]
            if name in header:
                errors.append(f"第{lineno}行：“{key}”重复（第{header[name][1]}行已填写）")
                continue
            header[name] = (value.strip(), lineno)
            continue
        # A range written "A 至 B" with spaces becomes one token before splitting.
        fields = [f.strip().strip("\"“”'") for f in _FIELD_SEP.split(_RANGE_SEP.sub("~", line)) if f.strip()]
        if fields and fields[0].lower() in _COLUMN_HEADERS:
            continue
        if fields and fields[0] in _HEADER_KEYS and len(fields) == 2:  # CSV header row "年份,2026"
            name = _HEADER_KEYS[fields[0]]
            if name in header:
                errors.append(f"第{lineno}行：“{fields[0]}”重复（第{header[name][1]}行已填写）")
            else:
                header[name] = (fields[1], lineno)
            continue
        row = _parse_row(lineno, fields, errors)
        if row:
            rows.append(row)

    year = _header_year(header, errors)
    scope = "year"
    if "scope" in header:
        value, lineno = header["scope"]
        if value.lower() not in _SCOPES:
            errors.append(f"第{lineno}行：范围应为“全年”或“修正”，收到“{value}”")
        else:
            scope = _SCOPES[value.lower()]
    published_on = None
    if "published_on" in header and header["published_on"][0]:
        value, lineno = header["published_on"]
        published_on = parse_date(value)
        if published_on is None:
            errors.append(f"第{lineno}行：无法识别的发布日期“{value}”（应为YYYY-MM-DD）")

    days: list[NoticeDay] = []
    seen: dict[dt.date, int] = {}
    for lineno, kind, name, first, last in rows:
        if year is not None and scope == "year" and not _within_notice(year, first, last):
            errors.append(
                f"第{lineno}行：日期{first.isoformat()}不在{year}年通知的范围内（{year - 1}年12月至{year + 1}年1月）"
            )
            continue
        d = first
        while d <= last:
            if d in seen:
                errors.append(f"第{lineno}行：{d.isoformat()}已在第{seen[d]}行出现")
            else:
                seen[d] = lineno
                days.append(NoticeDay(d, kind, name, lineno))
                if kind == "working" and d.weekday() < 5 and scope == "year":
                    warnings.append(
                        f"第{lineno}行：{d.isoformat()}是{WEEKDAY_NAMES[d.weekday()]}，本来就是工作日，标为上班不改变日历"
                    )
            d += dt.timedelta(days=1)
    if not rows and not errors:
        errors.append("文件中没有任何放假或上班日期")
    if errors:
        raise NoticeError(sorted(errors, key=_line_of))
    assert year is not None
    title = header.get("title", ("", 0))[0] or (
        f"{year}年部分节假日安排" if scope == "year" else f"{year}年节假日个别日期修正"
    )
    return ParsedNotice(
        year=year,
        scope=scope,
        title=title[:200],
        reference=header.get("reference", ("", 0))[0][:100],
        published_on=published_on,
        days=tuple(sorted(days, key=lambda x: x.date)),
        warnings=tuple(warnings),
    )


def _line_of(message: str) -> int:
    m = re.match(r"第(\d+)行", message)
    return int(m[1]) if m else 0


def _split_header(line: str) -> tuple[str, str, str]:
    """``key: value`` (ASCII or Chinese colon) → (key, ":", value); ("", "", "") otherwise."""
    m = _HEADER.match(line)
    if not m or m[1].lower() in _KINDS:
        return "", "", ""
    key = m[1].lower() if m[1].isascii() else m[1]
    return key, ":", m[2]


def _parse_row(lineno: int, fields: list[str], errors: list[str]):
    if not fields:
        return None
    kind = _KINDS.get(fields[0].lower())
    if kind is None:
        errors.append(f"第{lineno}行：类型应为“放假”或“上班”，收到“{fields[0]}”")
        return None
    rest = fields[1:]
    if not rest or parse_date(rest[0].split("~")[0]) is not None:
        errors.append(f"第{lineno}行：缺少节日名称（如：放假, 国庆节, 2026-10-01, 2026-10-07）")
        return None
    name, rest = rest[0], rest[1:]
    if len(name) > 50:
        errors.append(f"第{lineno}行：节日名称过长")
        return None
    dates = [p for token in rest for p in token.split("~") if p]
    if not dates:
        errors.append(f"第{lineno}行：缺少日期")
        return None
    if len(dates) > 2:
        errors.append(f"第{lineno}行：多余的内容“{' '.join(dates[2:])}”（每行一个日期或一个日期区间）")
        return None
    parsed = [parse_date(d) for d in dates]
    for text, value in zip(dates, parsed, strict=True):
        if value is None:
            errors.append(f"第{lineno}行：无法识别的日期“{text}”（应为YYYY-MM-DD）")
            return None
    first, last = parsed[0], parsed[-1]
    if last < first:
        errors.append(f"第{lineno}行：结束日期{last.isoformat()}早于开始日期{first.isoformat()}")
        return None
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        errors.append(f"第{lineno}行：区间长达{(last - first).days + 1}天，超过{MAX_RANGE_DAYS}天，请检查")
        return None
    return lineno, kind, name, first, last


def _header_year(header: dict[str, tuple[str, int]], errors: list[str]) -> int | None:
    if "year" not in header:
        errors.append("第1行起：缺少“年份: YYYY”")
        return None
    value, lineno = header["year"]
    value = value.removesuffix("年").strip()
    if not value.isdigit() or not 2000 <= int(value) <= 2100:
        errors.append(f"第{lineno}行：年份应为2000至2100之间的四位数字，收到“{header['year'][0]}”")
        return None
    return int(value)


def _within_notice(year: int, first: dt.date, last: dt.date) -> bool:
    # A year's notice may reach into the previous December (元旦 joined to a
    # weekend) and the next January; anything further is a typo.
    return dt.date(year - 1, 12, 1) <= first and last <= dt.date(year + 1, 1, 31)
