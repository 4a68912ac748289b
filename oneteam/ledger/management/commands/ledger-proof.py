"""``oneteam ledger-proof OBJECT``: export an offline-verifiable inclusion proof."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from oneteam.core.errors import ServiceError
from oneteam.ledger.proofs import inclusion_proof
from oneteam.ledger.services import parse_object_ref

from ._output import write_json


class Command(BaseCommand):
    help = (
        "导出一个对象的全部记录的包含证明（条目、叶序号、审计路径、签名检查点），"
        "可用 python -m oneteam.ledger.offline_verify 离线核验。"
    )

    def add_arguments(self, parser):
        parser.add_argument("object", help="对象，写作“应用.模型:编号”，例如 org.township:5")
        parser.add_argument("--out", type=Path, help="输出文件（默认 proof-<对象>.json）")
        parser.add_argument(
            "--no-new-checkpoint", action="store_true", help="不新签检查点；晚于最新检查点的记录不在证明之内"
        )

    def handle(self, *args, object, out, no_new_checkpoint, **options):
        try:
            object_type, object_id = parse_object_ref(object)
            proof = inclusion_proof(object_type, object_id, new_checkpoint=not no_new_checkpoint)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        path = out or Path(f"proof-{object_type}-{object_id}.json".replace("/", "_"))
        write_json(path, proof)
        cp = proof["checkpoint"]
        self.stdout.write(
            _("已导出 %(obj)s 的 %(k)s 条记录的证明（检查点覆盖 %(n)s 条，公钥指纹 %(kid)s）到 %(path)s")
            % {
                "obj": f"{object_type}:{object_id}",
                "k": len(proof["entries"]),
                "n": cp["tree_size"],
                "kid": cp["key_id"],
                "path": path,
            }
        )
        if proof["uncovered_seqs"]:
            self.stderr.write(
                _("注意：第 %(seqs)s 条晚于检查点，未包含在证明中。")
                % {"seqs": "、".join(map(str, proof["uncovered_seqs"]))}
            )
        self.stdout.write(_("离线核验：python -m oneteam.ledger.offline_verify %(path)s") % {"path": path})
