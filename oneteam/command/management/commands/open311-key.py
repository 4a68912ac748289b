"""``oneteam open311-key NAME [--body CODE] [--rotate]``: issue (or replace)
an external system's key for Open311 and the REST intake. The key is printed
once; only its hash is stored."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from oneteam.command.services_keys import issue_key
from oneteam.core.errors import ServiceError
from oneteam.org.models import Body


class Command(BaseCommand):
    # Help texts are plain strings: argparse cannot format lazy translations (as in the other commands).
    help = "为外部系统（12345热线、四平台等）签发 Open311 / 接口密钥；密钥只显示一次。"

    def add_arguments(self, parser):
        parser.add_argument("name", help="外部系统名称")
        parser.add_argument("--body", default="COMMAND",
                            help="代表单位代码（默认 COMMAND，市行政执法指挥中心）")
        parser.add_argument("--rotate", action="store_true", help="更换已有系统的密钥（旧密钥立即失效）")

    def handle(self, *args, name, body, rotate, **options):
        found = Body.objects.filter(code=body, is_active=True).first()
        if found is None:
            raise CommandError(_("未找到单位代码 %(c)s。") % {"c": body}, returncode=2)
        try:
            system, key = issue_key(name, body=found, rotate=rotate)
        except ServiceError as exc:
            raise CommandError(exc.message, returncode=2) from None
        self.stdout.write(self.style.SUCCESS(_("已为“%(n)s”（%(b)s）签发密钥：") % {"n": system.name, "b": found.name}))
        self.stdout.write(key)
        self.stdout.write(_("请立即妥善保存：此密钥不会再次显示。用法：api_key=<密钥>（Open311）或请求头 X-API-Key。"))
