"""``oneteam verify-ledger``: recompute the chain and every checkpoint."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from oneteam.ledger.offline_verify import load_public_key_hex
from oneteam.ledger.verification import verify_ledger


class Command(BaseCommand):
    help = "核验全过程记录：重新计算哈希链和每个检查点，报告完整或指出第一条不符的记录（失败时退出码为 1）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--public-key",
            type=Path,
            help="只信任这个公钥（PEM 或十六进制）签署的检查点；默认信任本机密钥及其旁的 *.pub.pem",
        )
        parser.add_argument("--json", action="store_true", dest="as_json", help="以 JSON 输出核验报告")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args, public_key, as_json, no_progress, verbosity, **options):
        trusted = None
        if public_key is not None:
            try:
                trusted = {load_public_key_hex(public_key.read_text(encoding="utf-8"))}
            except (OSError, ValueError) as exc:
                raise CommandError(_("无法读取公钥 %(path)s：%(exc)s") % {"path": public_key, "exc": exc}) from exc
        console = Console(file=sys.stderr)
        show_progress = verbosity > 0 and not no_progress and not as_json and console.is_terminal
        with Progress(
            TextColumn(_("核验全过程记录")),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            disable=not show_progress,
        ) as bar:
            task = bar.add_task("verify", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            report = verify_ledger(progress=progress, trusted_keys=trusted)
        if as_json:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            write = self.stdout.write if report.ok else self.stderr.write
            write(report.summary())
            for problem in report.problems[1:]:  # the first is in the summary
                write(f"  · {problem.message}")
            for warning in report.warnings:
                self.stderr.write(f"  ! {warning}")
        if not report.ok:
            raise SystemExit(1)
