"""Processes by kind and creation time instead of creation time alone: a flow's
list newest first walks the index instead of sorting every process of the kind."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('workflow', '0009_party_index_covers_process'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='process',
            index=models.Index(fields=['kind', 'created_at', 'id'], name='workflow_process_kind_created'),
        ),
        migrations.AlterField(
            model_name='process',
            name='created_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='发起时间'),
        ),
    ]
