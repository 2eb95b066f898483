"""Notification moves to core (core 0002 takes it over, table and rows unchanged): here it only
leaves the tickets app's migration state."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0004_notification_url"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="Notification")],
        ),
    ]
