"""``oneteam deliver-notifications``: attempt every pending outbound delivery
whose time has come (retries with exponential backoff). Meant for cron or a
systemd timer, e.g. every minute."""

from django.core.management.base import BaseCommand

from oneteam.workflow.channels import deliver_due


class Command(BaseCommand):
    help = "发送到期的外发通知（失败按指数退避重试）。"

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="本次最多尝试的条数")

    def handle(self, *args, limit: int, **options):
        counts = deliver_due(limit=limit)
        self.stdout.write(
            f"attempted={counts['attempted']} delivered={counts['delivered']} "
            f"pending={counts['pending']} failed={counts['failed']}"
        )
