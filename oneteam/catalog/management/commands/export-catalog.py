"""``oneteam export-catalog FILE [--date YYYY-MM-DD]``: the catalogs in force, one matter a row."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from oneteam.catalog.io import FileError, export_catalogs


class Command(BaseCommand):
    help = "导出指定日期（默认今天）施行的执法事项目录，.xlsx 或 .csv（按扩展名），列与导入相同。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--date", help="施行日期 YYYY-MM-DD（默认今天）")

    def handle(self, *args, file, date, **options):
        try:
            on = dt.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{date}", returncode=2) from None
        try:
            count = export_catalogs(Path(file), on)
        except FileError as exc:
            raise CommandError(str(exc), returncode=2) from None
        self.stdout.write(self.style.SUCCESS(f"已导出 {on.isoformat()} 施行的 {count} 个目录事项到 {file}。"))
