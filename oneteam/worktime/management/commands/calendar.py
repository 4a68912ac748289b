"""``oneteam calendar load FILE [--dry-run] [--user NAME]`` loads a State
Council holiday notice (format in ``docs/worktime.md``); ``oneteam calendar
show YEAR`` prints a year's holidays and adjusted working days.

Bad input: one Chinese line per bad line of the file on stderr, exit status 2.
"""

from __future__ import annotations

from pathlib import Path

from oneteam.core.errors import ServiceError
from oneteam.worktime import services
from oneteam.worktime.cli import ChineseUsageCommand
from oneteam.worktime.engine import WEEKDAY_NAMES
from oneteam.worktime.notice import NoticeError, parse_notice


class Command(ChineseUsageCommand):
    help = "工作日历：导入国务院节假日安排通知（load），或查看某年的节假日与调休（show）。"
    # No system checks: loading the calendar must not depend on every other app's URLs being importable.
    requires_system_checks: list = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{load,show}")
        load = sub.add_parser("load", help="导入节假日安排文件（文本或 CSV）")
        load.add_argument("file", metavar="FILE", help="通知文件路径，UTF-8 或 GBK 编码")
        load.add_argument("--dry-run", action="store_true", help="只检查和预览，不保存")
        load.add_argument("--user", metavar="USERNAME", help="以该管理员名义导入（默认：系统）")
        show = sub.add_parser("show", help="查看某年的节假日与调休上班日")
        show.add_argument("year", type=int, metavar="YEAR")

    def handle(self, *args, action, **options):
        if action == "load":
            self.load(options["file"], dry_run=options["dry_run"], username=options.get("user"))
        else:
            self.show(options["year"])

    def load(self, path: str, *, dry_run: bool, username: str | None) -> None:
        text = _read(Path(path))
        if text is None:
            self.usage_error(f"无法读取文件“{path}”")
            return
        try:
            parsed = parse_notice(text)
        except NoticeError as exc:
            for line in exc.errors[:-1]:
                self.stderr.write(f"错误：{path} {line}")
            self.usage_error(f"{path} {exc.errors[-1]}")
            return
        actor = None
        if username:
            from django.contrib.auth import get_user_model

            actor = get_user_model().objects.filter(username=username).first()
            if actor is None:
                self.usage_error(f"用户“{username}”不存在")
                return
        for warning in parsed.warnings:
            self.stderr.write(f"提示：{warning}")
        before = services.get_calendar()
        after = services.preview_notice(parsed)
        changes = services.diff_calendars(before, after, parsed.year)
        scope = "全年安排" if parsed.scope == "year" else "个别日期修正"
        self.stdout.write(
            f"{parsed.year}年 {scope}：{parsed.title}" + (f"（{parsed.reference}）" if parsed.reference else "")
        )
        self.stdout.write(
            f"放假 {len(parsed.holidays)} 天，调休上班 {len(parsed.working_days)} 天；"
            f"{parsed.year}年共 {after.working_days_in_year(parsed.year)} 个工作日。"
        )
        if changes:
            self.stdout.write(f"与现有日历相比有 {len(changes)} 天变化：")
            for change in changes:
                self.stdout.write(f"  {change['date']}：{change['before']} → {change['after']}")
        else:
            self.stdout.write("与现有日历相比没有变化。")
        if dry_run:
            self.stdout.write("试运行：未保存。")
            return
        try:
            notice = services.do_load_notice(parsed, actor=actor, source_text=text)
        except ServiceError as exc:
            self.usage_error(exc.message)
            return
        self.stdout.write(self.style.SUCCESS(f"已导入（通知编号 {notice.pk}），已记入全过程记录。"))

    def show(self, year: int) -> None:
        calendar = services.get_calendar()
        if not calendar.first_year <= year <= calendar.last_year:
            self.usage_error(f"年份应在{calendar.first_year}至{calendar.last_year}之间")
            return
        state = "已导入" if calendar.is_year_loaded(year) else "未导入（仅按周末计算）"
        self.stdout.write(f"{year}年节假日安排：{state}；共 {calendar.working_days_in_year(year)} 个工作日。")
        for info in calendar.special_days(year):
            kind = "放假" if info.kind == "holiday" else "调休上班" if info.kind == "adjusted" else "上班"
            self.stdout.write(f"  {info.date.isoformat()}（{WEEKDAY_NAMES[info.date.weekday()]}） {kind} {info.name}")


def _read(path: Path) -> str | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None
