"""The party index by body and role holds the process too, so the inbox reads it alone."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0001_initial'),
        ('workflow', '0008_process_next_due'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='party',
            name='workflow_party_body_role',
        ),
        migrations.AddIndex(
            model_name='party',
            index=models.Index(fields=['body', 'role', 'active', 'process'], name='workflow_party_body_role'),
        ),
    ]
