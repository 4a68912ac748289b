"""``oneteam who-handles --matter CODE (--township NAME|CODE | --point LNG,LAT) [--date] [--json]``."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from oneteam.catalog.resolver import CompetenceError, who_handles


class Command(BaseCommand):
    help = "谁来管：给出某事项在某地某日由谁办理及理由。"

    def add_arguments(self, parser):
        parser.add_argument("--matter", required=True, help="事项编码（12位）")
        place = parser.add_mutually_exclusive_group(required=True)
        place.add_argument("--township", help="乡镇(街道)名称或代码")
        place.add_argument("--point", help="WGS84 坐标“经度,纬度”")
        parser.add_argument("--date", help="日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--json", action="store_true", dest="as_json", help="输出 JSON")

    def handle(self, *args, matter, township, point, date, as_json, **options):
        try:
            on = dt.date.fromisoformat(date) if date else None
        except ValueError:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{date}", returncode=2) from None
        try:
            answer = who_handles(matter, township=township, point=point, on=on)
        except CompetenceError as exc:
            if as_json:
                self.stdout.write(json.dumps({"code": exc.code, "message": exc.message}, ensure_ascii=False))
            raise CommandError(exc.message, returncode=2) from None
        if as_json:
            self.stdout.write(json.dumps(answer.as_dict(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(self.style.SUCCESS(f"{answer.body.name}（{answer.body.get_kind_display()}）"))
        for i, reason in enumerate(answer.reasons, start=1):
            self.stdout.write(f"  {i}. {reason}")
        self.stdout.write(f"监管保留：{'、'.join(b.name for b in answer.supervising)}")
        if answer.patrol:
            self.stdout.write(f"日常巡查：{answer.patrol.name}")
        self.stdout.write(f"定向检查：{'、'.join(b.name for b in answer.targeted_inspection)}")
