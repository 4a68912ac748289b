"""``oneteam import-catalog FILE [--dry-run]``: import catalog versions from .xlsx or .csv."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from oneteam.catalog.io import plan_import
from oneteam.catalog.services import do_import_catalog
from oneteam.org.models import User

MAX_ERRORS_SHOWN = 200


class Command(BaseCommand):
    help = "导入执法事项目录（.xlsx 或 .csv）。先完整校验，任何一行有错则不写入；--dry-run 只预览新增、变更、取消。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="目录文件（.xlsx 或 .csv），列见 docs/catalog.md")
        parser.add_argument("--dry-run", action="store_true", help="只预览，不写入")
        parser.add_argument("--user", help="记录为操作人的用户名（默认：系统）")
        parser.add_argument("--demo", action="store_true", help="将导入的版本标记为演示数据")

    def handle(self, *args, file, dry_run, user, demo, verbosity, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}", returncode=2)
        actor = None
        if user:
            actor = User.objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"未知用户：{user}", returncode=2)
        console = Console(stderr=True, quiet=verbosity == 0)
        with _bar(console) as bar:
            task = bar.add_task("校验", total=None)
            plan = plan_import(path, progress=lambda done, total: bar.update(task, completed=done, total=total))
        if not plan.ok:
            for issue in plan.errors[:MAX_ERRORS_SHOWN]:
                self.stderr.write(str(issue))
            if len(plan.errors) > MAX_ERRORS_SHOWN:
                self.stderr.write(f"……另有 {len(plan.errors) - MAX_ERRORS_SHOWN} 处错误")
            raise CommandError(f"文件有 {len(plan.errors)} 处错误，未导入任何内容。", returncode=2)
        for line in plan.summary_lines():
            self.stdout.write(line)
        if dry_run:
            self.stdout.write(self.style.WARNING("预览（--dry-run）：未写入任何内容。"))
            return
        if not plan.has_changes:
            self.stdout.write("没有新的目录版本，未作改动。")
            return
        with _bar(console) as bar:
            task = bar.add_task("写入", total=None)
            created = do_import_catalog(plan, actor=actor, is_demo=demo,
                                        progress=lambda done, total: bar.update(task, completed=done, total=total))
        self.stdout.write(self.style.SUCCESS(f"已导入 {len(created)} 个目录版本。"))


def _bar(console: Console) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=True)
