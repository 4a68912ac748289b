"""``oneteam ledger-public-key``: export the checkpoint signing public key."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from oneteam.ledger.keys import signing_key


class Command(BaseCommand):
    help = "输出检查点签名公钥（PEM），供其他单位留存并用于核验检查点和证明。"

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, help="写入文件而不是输出到屏幕")

    def handle(self, *args, out, **options):
        key = signing_key()
        pem = key.public_pem()
        if out:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(pem, encoding="utf-8")
            self.stdout.write(_("公钥（指纹 %(kid)s）已写入 %(path)s") % {"kid": key.key_id, "path": out})
        else:
            self.stdout.write(pem, ending="")
            self.stderr.write(_("公钥指纹 %(kid)s（私钥文件 %(path)s）") % {"kid": key.key_id, "path": key.path})
