"""``oneteam generate-city --events N [--year 2026] [--seed S] [--batch 10000]``"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Command(BaseCommand):
    help = gettext_lazy("生成一个城市一年的合成事件（批量写入，不写入全过程记录），然后重建统计汇总。"
                        "需先运行 `oneteam demo --no-serve`。")

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, required=True, help=gettext_lazy("事件数"))
        parser.add_argument("--year", type=int, default=timezone.localdate().year)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--batch", type=int, default=10_000, help=gettext_lazy("每批写入的事件数"))
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, events, year, seed, batch, no_progress, **options):
        from rich import progress as rp

        from oneteam.oversight import rollups
        from oneteam.oversight.generator import Generator

        if events <= 0:
            raise CommandError(_("--events 须为正数"))
        try:
            gen = Generator(events=events, year=year, seed=seed, batch=batch)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        started = time.perf_counter()
        columns = [rp.TextColumn("[bold]{task.description}"), rp.BarColumn(), rp.MofNCompleteColumn(),
                   rp.TimeElapsedColumn(), rp.TimeRemainingColumn()]
        with rp.Progress(*columns, disable=no_progress, transient=False) as bar:
            task = bar.add_task(_("生成事件"), total=events)
            try:
                totals = gen.run(progress=lambda n: bar.advance(task, n))
            except RuntimeError as exc:
                raise CommandError(str(exc)) from exc
            generated = time.perf_counter() - started
            rebuild_task = bar.add_task(_("重建统计汇总"), total=1)
            t = time.perf_counter()
            result = rollups.rebuild()
            bar.advance(rebuild_task)
        rebuilt = time.perf_counter() - t
        states = ", ".join(f"{k} {v}" for k, v in sorted(totals.items()) if k != "rows")
        self.stdout.write(self.style.SUCCESS(
            _("已生成 %(events)s 个事件（%(rows)s 行，%(secs).1f 秒，%(rate)s 行/秒）；"
              "汇总 %(facts)s 条明细、%(stats)s 条日统计（%(rebuilt).1f 秒）。") % {
                "events": events, "rows": totals.get("rows", 0), "secs": generated,
                "rate": f"{totals.get('rows', 0) / max(generated, 1e-9):,.0f}", "facts": result["facts"],
                "stats": result["stats"], "rebuilt": rebuilt}))
        self.stdout.write(_("状态分布：%(s)s") % {"s": states})
