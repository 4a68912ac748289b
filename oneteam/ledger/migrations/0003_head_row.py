"""Create the chain's head row once, here, so that two first-ever appends on
PostgreSQL queue on the same row lock instead of racing to insert it."""

from django.db import migrations

GENESIS_HASH = "0" * 64


def create_head(apps, schema_editor):
    db = schema_editor.connection.alias
    LedgerHead = apps.get_model("ledger", "LedgerHead")
    LedgerEntry = apps.get_model("ledger", "LedgerEntry")
    if LedgerHead.objects.using(db).filter(pk=1).exists():
        return
    seq, hash_ = LedgerEntry.objects.using(db).order_by("-seq").values_list("seq", "hash").first() or (0, GENESIS_HASH)
    LedgerHead.objects.using(db).create(pk=1, seq=seq, hash=hash_)


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0002_checkpoint"),
    ]

    operations = [
        migrations.RunPython(create_head, migrations.RunPython.noop),
    ]
