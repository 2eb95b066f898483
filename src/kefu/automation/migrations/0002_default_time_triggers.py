"""The time triggers the brief names: remind after 48 h waiting on the customer, close 7 days after resolving."""

from datetime import UTC, datetime

from django.db import migrations

DEFAULTS = [
    (
        "等待客户 48 小时提醒 Remind after 48 h waiting on the customer",
        "pending",
        48,
        [{"type": "notify", "value": "assignee"}],
    ),
    ("解决 7 天后关闭 Close 7 days after resolving", "resolved", 7 * 24, [{"type": "transition", "value": "close"}]),
]


def forwards(apps, schema_editor):
    time_trigger = apps.get_model("automation", "TimeTrigger")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    for name, status, hours, actions in DEFAULTS:
        time_trigger.objects.get_or_create(
            name=name, defaults={"status": status, "hours": hours, "actions": actions, "updated_at": now}
        )


def backwards(apps, schema_editor):
    apps.get_model("automation", "TimeTrigger").objects.filter(name__in=[d[0] for d in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("automation", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
