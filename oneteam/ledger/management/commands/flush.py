"""Django's ``flush``, able to empty the append-only ledger tables.

``flush`` empties every table by definition, and the test runner calls it
after each transactional test; the ledger's guard triggers would otherwise
refuse it (PostgreSQL refuses TRUNCATE, SQLite DELETE). The guard is lifted
only inside flush's own transaction (see :mod:`oneteam.ledger.guard`).
"""

from django.core.management.commands import flush
from django.db import transaction

from oneteam.ledger.guard import guard_suspended


class Command(flush.Command):
    help = flush.Command.help + " 全过程记录（只增不改的表）也一并清空。"

    def handle(self, **options):
        with transaction.atomic(using=options["database"]), guard_suspended(options["database"]):
            super().handle(**options)
