"""``oneteam deadline START (--working-days N | --days N | --working-hours N | --hours N)``

Computes a deadline on the calendar in force and prints it with its
explanation in Chinese, or as JSON with ``--json``. Bad input is one Chinese
line on stderr and exit status 2.
"""

from __future__ import annotations

import json

from oneteam.worktime import services
from oneteam.worktime.cli import ChineseUsageCommand
from oneteam.worktime.engine import CalendarError, Extension, Pause, Period, PeriodKind
from oneteam.worktime.parsing import InputError, parse_local

KIND_OPTIONS = {
    "working_days": PeriodKind.WORKING_DAYS,
    "days": PeriodKind.CALENDAR_DAYS,
    "working_hours": PeriodKind.WORKING_HOURS,
    "hours": PeriodKind.NATURAL_HOURS,
}


class Command(ChineseUsageCommand):
    help = "计算法定期限：起算时间 + N 个工作日/自然日/工作小时/自然小时，输出到期时间及计算说明。"
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument(
            "start", metavar="START", help="起算日期或时间（本地时间），如 2026-09-30 或 2026-09-30T10:00"
        )
        parser.add_argument("--working-days", metavar="N", help="N 个工作日")
        parser.add_argument("--days", metavar="N", help="N 日（自然日，最后一日为休息日的顺延）")
        parser.add_argument("--working-hours", metavar="N", help="N 个工作小时")
        parser.add_argument("--hours", metavar="N", help="N 小时（自然小时，用于紧急事件）")
        parser.add_argument(
            "--pause",
            action="append",
            default=[],
            metavar="FROM/TO",
            help="中止期间（不计入期限），可重复；日期含当日，如 2026-10-12/2026-10-13；TO 留空表示尚未结束",
        )
        parser.add_argument(
            "--extend",
            action="append",
            default=[],
            metavar="N[:原因]",
            help="延长 N 个同类单位，可重复，如 --extend 5:情况复杂",
        )
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, **options):
        try:
            start, period, pauses, extensions = self.parse(options)
            deadline = services.get_calendar().deadline(start, period, pauses=pauses, extensions=extensions)
        except (InputError, CalendarError) as exc:
            self.usage_error(str(exc))
            return
        if options["json"]:
            self.stdout.write(json.dumps(deadline.to_dict(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"到期：{deadline.due_display()}")
        for line in deadline.explanation.lines():
            self.stdout.write(line)
        for warning in deadline.warnings:
            self.stdout.write(f"注意：{warning}")

    def parse(self, options) -> tuple:
        chosen = [(name, options[name]) for name in KIND_OPTIONS if options.get(name) is not None]
        if not chosen:
            raise InputError("必须指定期限：--working-days、--days、--working-hours 或 --hours 之一")
        if len(chosen) > 1:
            names = "、".join("--" + name.replace("_", "-") for name, _ in chosen)
            raise InputError(f"只能指定一种期限，收到 {names}")
        name, raw = chosen[0]
        kind = KIND_OPTIONS[name]
        amount = _amount(raw, "--" + name.replace("_", "-"))
        start = parse_local(options["start"])
        pauses = [_pause(text) for text in options["pause"]]
        extensions = []
        for text in options["extend"]:
            number, _sep, reason = text.replace("\uff1a", ":").partition(":")  # either colon
            extensions.append(Extension(Period(kind, _amount(number, "--extend")), reason.strip()))
        return start, Period(kind, amount), pauses, extensions


def _amount(raw: str, option: str) -> int:
    text = str(raw).strip()
    try:
        value = int(text)
    except ValueError:
        raise InputError(f"{option} 的值应为非负整数，收到“{text}”") from None
    if value < 0:
        raise InputError(f"{option} 不能为负数，收到 {value}")
    return value


def _pause(text: str) -> Pause:
    first, sep, last = text.partition("/")
    if not sep or not first.strip():
        raise InputError(f"中止期间应为 FROM/TO，收到“{text}”")
    start = parse_local(first)
    end = parse_local(last, end_of_day=True) if last.strip() else None
    if end is not None and end < start:
        raise InputError(f"中止期间的结束早于开始：“{text}”")
    return Pause(start, end, "")
