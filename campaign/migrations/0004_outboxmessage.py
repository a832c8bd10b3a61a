# The outbox's model moves here from the reports app (see reports 0003): first the state takes over the
# existing table, rows and index; then the table gets this app's name.

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('campaign', '0003_campaign_report_settings'),
        ('reports', '0003_outbox_moves_to_campaign'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='OutboxMessage',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name='ID')),
                        ('job', models.CharField(max_length=100)),
                        ('args', models.JSONField(default=list)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('sent_at', models.DateTimeField(blank=True, null=True)),
                        ('attempts', models.PositiveIntegerField(default=0)),
                        ('last_error', models.CharField(blank=True, max_length=300)),
                    ],
                    options={
                        'ordering': ['created_at', 'pk'],
                        'indexes': [models.Index(condition=models.Q(('sent_at__isnull', True)),
                                                 fields=['created_at'], name='outbox_pending_idx')],
                        'db_table': 'reports_outboxmessage',
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name='outboxmessage', table=None),
    ]
