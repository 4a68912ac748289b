"""``oneteam plan-inspections [--from D --to D] [--window N] [--demo-year YYYY] [--json]``.

Takes a period's registered (not yet combined) inspection plans, or with
``--demo-year`` the deterministic synthetic year of the demo computed in
memory, and prints the merged schedule: visits before (one per plan) and after
(one per combined visit) and the reduction. Read-only."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from oneteam.linkage import conf, planner, services


class Command(BaseCommand):
    help = "综合查一次排程：合并同一对象的检查计划，给出合并前后检查次数。"

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", help="期间起 YYYY-MM-DD（默认今年1月1日）")
        parser.add_argument("--to", dest="end", help="期间止 YYYY-MM-DD（默认今年12月31日）")
        parser.add_argument("--window", type=int, default=None, help="合并窗口（日），默认配置值30")
        parser.add_argument("--demo-year", type=int, default=None, help="在内存中生成该年的演示计划并计算")
        parser.add_argument("--entities", type=int, default=300, help="演示市场主体数（配合 --demo-year）")
        parser.add_argument("--groups", type=int, default=10, help="列出前N组合并（0 不列）")
        parser.add_argument("--json", action="store_true", dest="as_json", help="输出 JSON")

    def handle(self, *args, start, end, window, demo_year, entities, groups, as_json, **options):
        window = conf.merge_window_days() if window is None else window
        if window < 0:
            raise CommandError("合并窗口不能为负数。", returncode=2)
        if demo_year:
            _ents, plans = planner.synthetic_year(demo_year, entities=entities)
            schedule = planner.plan_schedule([p for p, _t in plans], window)
            source = f"演示年{demo_year}（{entities}个市场主体，确定性生成）"
        else:
            year = dt.date.today().year
            try:
                d0 = dt.date.fromisoformat(start) if start else dt.date(year, 1, 1)
                d1 = dt.date.fromisoformat(end) if end else dt.date(year, 12, 31)
            except ValueError as exc:
                raise CommandError(f"日期格式应为 YYYY-MM-DD：{exc}", returncode=2) from None
            schedule = services.merge_proposals(period_from=d0, period_until=d1, window_days=window)
            source = f"{d0}至{d1}已登记、未合并的检查计划"
        summary = schedule.summary()
        if as_json:
            out = {"source": source, **summary, "groups": [
                {"target": str(g.target), "plans": [str(p.id) for p in g.plans], "bodies": [str(b) for b in g.bodies],
                 "lead": str(g.lead()), "window_from": g.window_from.isoformat(),
                 "window_until": g.window_until.isoformat()} for g in schedule.merges[:groups or None]]}
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"来源：{source}；合并窗口 {window} 日")
        self.stdout.write(f"检查计划 {summary['plans']} 个，涉及对象 {summary['targets']} 个")
        self.stdout.write(f"合并前检查 {summary['visits_before']} 次 → 合并后 {summary['visits_after']} 次，"
                          f"减少 {summary['saved']} 次（{summary['reduction']:.1%}）；"
                          f"合并组 {summary['merged_groups']}（跨部门 {summary['cross_body_groups']}）")
        for g in schedule.merges[:groups]:
            self.stdout.write(f"  {g.window_from}～{g.window_until} {g.target}：{len(g.plans)}个计划 → 1次，"
                              f"牵头 {g.lead()}，参与 {'、'.join(str(b) for b in g.bodies)}")
