from django.core.management.base import BaseCommand, CommandError
from rich.progress import Progress

from oneteam.core.errors import InvalidInput
from oneteam.org.grid_import import import_grids, read_features


class Command(BaseCommand):
    help = "从 GeoJSON 导入网格（FeatureCollection；每个要素含 code、name、township、village_code、village）。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="只校验并报告，不写入")

    def handle(self, *args, file, dry_run, **options):
        try:
            features = read_features(file)
            with Progress(transient=True) as progress:
                task = progress.add_task("校验网格", total=len(features) or 1)
                report = import_grids(features, actor=None, dry_run=dry_run,
                                      progress=lambda i, n: progress.update(task, completed=i))
        except InvalidInput as exc:
            for line in exc.detail or []:
                self.stderr.write(line)
            raise CommandError(exc.message, returncode=2) from exc
        verb = "将" if dry_run else "已"
        self.stdout.write(self.style.SUCCESS(
            f"{verb}新建网格 {report.created} 个、更新 {report.updated} 个、未变 {report.unchanged} 个；"
            f"新建村(社区) {report.villages_created} 个。" + ("（试运行，未写入）" if dry_run else "")
        ))
