"""``Process.next_due``: the earliest due time of a process's running clocks,
filled in for the processes already there, and the command rooms' indexes
on it (one township's open processes, the city's)."""

from django.db import migrations, models

# Closed processes have no running clock (the kernel stops them all on closing).
FILL = """
UPDATE workflow_process SET next_due = (
    SELECT MIN(d.due_at) FROM workflow_processdeadline d
    WHERE d.process_id = workflow_process.id AND d.stopped_at IS NULL AND d.paused_since IS NULL
) WHERE closed_at IS NULL
"""


class Migration(migrations.Migration):

    dependencies = [
        ('workflow', '0007_party_role_checker'),
    ]

    operations = [
        migrations.AddField(
            model_name='process',
            name='next_due',
            field=models.DateTimeField(blank=True, null=True, verbose_name='最近到期'),
        ),
        migrations.RunSQL(FILL, reverse_sql=migrations.RunSQL.noop, elidable=True),
        migrations.RemoveIndex(
            model_name='process',
            name='workflow_process_open_township',
        ),
        migrations.AddIndex(
            model_name='process',
            index=models.Index(condition=models.Q(('closed_at__isnull', True)), fields=['township', 'kind', 'next_due'],
                               name='workflow_process_open_township'),
        ),
        migrations.AddIndex(
            model_name='process',
            index=models.Index(condition=models.Q(('closed_at__isnull', True)), fields=['kind', 'next_due', 'id'],
                               name='workflow_process_open_due'),
        ),
    ]
