from django.core.management import call_command
from django.core.management.base import BaseCommand

from oneteam.core.demo import DemoContext, load_demo

from .serve import base_url


class Command(BaseCommand):
    help = "迁移数据库、载入瑞安演示数据，然后启动服务（--no-serve 只载入）。"

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="只载入演示数据，不启动服务")

    def handle(self, *args, addrport, no_serve, verbosity, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("载入瑞安市演示数据 …")
        ctx = load_demo(DemoContext(stdout=self.stdout, verbosity=verbosity, base_url=base_url(addrport)))
        # Sign a checkpoint over everything the demo recorded (docs/ledger.md).
        from oneteam.ledger.services import make_checkpoint

        checkpoint, _created = make_checkpoint()
        self.stdout.write(f"全过程记录检查点：{checkpoint.tree_size} 条记录，根哈希 {checkpoint.root[:16]}…"
                          "（`oneteam verify-ledger` 可核验）")
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。"))
        if ctx.credentials:
            self.stdout.write("\n演示账号（用户名  密码  身份）：")
            width = max(len(c[1]) for c in ctx.credentials)
            for who, username, secret in ctx.credentials:
                self.stdout.write(f"  {username.ljust(width)}  {secret}  {who}")
        for note in ctx.notes:
            self.stdout.write(note)
        if not no_serve:
            call_command("serve", addrport)
