"""``oneteam ledger-checkpoint``: sign the Merkle root of the record and export it."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from oneteam.core.errors import ServiceError
from oneteam.ledger.chain import checkpoint_document
from oneteam.ledger.models import LedgerCheckpoint
from oneteam.ledger.services import make_checkpoint

from ._output import write_json


def default_export_dir() -> Path:
    return Path(settings.DATA_DIR) / "ledger" / "checkpoints"


class Command(BaseCommand):
    help = "签署一个检查点（全部记录的默克尔根），并导出为 JSON 文件，供其他单位留存。"

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, help="导出文件路径（默认 DATA_DIR/ledger/checkpoints/）")
        parser.add_argument("--force", action="store_true", help="即使没有新记录也新签一个检查点")
        parser.add_argument("--export-only", action="store_true", help="不新签，只导出最新的检查点")

    def handle(self, *args, out, force, export_only, **options):
        try:
            if export_only:
                checkpoint = LedgerCheckpoint.objects.order_by("-tree_size", "-id").first()
                if checkpoint is None:
                    raise CommandError(_("还没有检查点。"))
                created = False
            else:
                checkpoint, created = make_checkpoint(force=force)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        path = out or default_export_dir() / f"checkpoint-{checkpoint.tree_size:09d}-{checkpoint.pk}.json"
        write_json(path, checkpoint_document(checkpoint))
        if created:
            message = _("已签署检查点 %(id)s：覆盖 %(n)s 条记录，根哈希 %(root)s。")
        else:
            message = _("最新检查点 %(id)s 已覆盖全部 %(n)s 条记录，未新签（--force 可强制新签）。")
        self.stdout.write(message % {"id": checkpoint.pk, "n": checkpoint.tree_size, "root": checkpoint.root})
        self.stdout.write(_("公钥指纹 %(kid)s；已导出到 %(path)s") % {"kid": checkpoint.key_id, "path": path})
