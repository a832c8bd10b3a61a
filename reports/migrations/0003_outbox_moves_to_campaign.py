# The outbox is infrastructure (campaign/core/outbox.py) any app may queue through; its model now belongs
# to the campaign app. Only Django's state changes here: campaign 0004 takes over the table and renames it.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0002_outbox_and_task_notices'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='OutboxMessage')],
            database_operations=[],
        ),
    ]
