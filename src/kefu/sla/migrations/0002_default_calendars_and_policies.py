"""The calendars and policies the brief asks for (R5–R11), shipped ready."""

from datetime import UTC, datetime

from django.db import migrations

H = 3600
DAY = 24 * H
WORKDAY = [[9 * 60, 12 * 60], [13 * 60, 18 * 60]]

# (name, position, conditions, calendar, targets[(metric, kind, seconds, business)])
POLICIES = [
    (
        "投诉当天联系 Complaint: contact the same day (R9)",
        10,
        {"ticket_type": "complaint"},
        "workdays",
        [("first_response", "same_day", 0, True)],
    ),
    (
        "培训一个月内 Training within 1 month (R10)",
        20,
        {"ticket_type": "training"},
        "24x7",
        [("first_response", "duration", 24 * H, False), ("resolution", "duration", 30 * DAY, False)],
    ),
    (
        "订单 48 小时内发货 Order dispatch within 48 h (R11)",
        30,
        {"ticket_type": "order"},
        "24x7",
        [("first_response", "duration", 24 * H, False), ("resolution", "duration", 48 * H, False)],
    ),
    (
        "在线客服 Live chat: greet 15 s, reply 20 s (R5, R6)",
        40,
        {"channel": "web_chat", "applies_to": "chats"},
        "24x7",
        [("first_response", "duration", 15, False), ("next_response", "duration", 20, False)],
    ),
    (
        "热线 4 小时答复 Hotline: answer within 4 h (R8)",
        50,
        {"channel": "phone"},
        "24x7",
        [("first_response", "duration", 4 * H, False), ("next_response", "duration", 4 * H, False)],
    ),
    (
        "服务请求 24 小时答复 Service request: answer within 24 h (R7)",
        100,
        {},
        "24x7",
        [
            ("first_response", "duration", 24 * H, False),
            ("next_response", "duration", 24 * H, False),
            ("on_site", "agreed", 0, False),
        ],
    ),
]


def forwards(apps, schema_editor):
    calendar_model = apps.get_model("sla", "BusinessCalendar")
    policy_model = apps.get_model("sla", "SlaPolicy")
    target_model = apps.get_model("sla", "SlaTarget")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    calendars = {
        "24x7": calendar_model.objects.get_or_create(
            name="24x7",
            defaults={
                "label": "全天候 24×7",
                "always_open": True,
                "hours": {},
                "china_holidays": False,
                "updated_at": now,
            },
        )[0],
        "workdays": calendar_model.objects.get_or_create(
            name="workdays",
            defaults={
                "label": "工作日 Workdays 09:00–12:00, 13:00–18:00",
                "always_open": False,
                "hours": {str(d): (WORKDAY if d < 5 else []) for d in range(7)},
                "china_holidays": True,
                "updated_at": now,
            },
        )[0],
    }
    for name, position, conditions, calendar, targets in POLICIES:
        policy, created = policy_model.objects.get_or_create(
            name=name,
            defaults={"position": position, "calendar": calendars[calendar], "updated_at": now, **conditions},
        )
        if created:
            for metric, kind, seconds, business in targets:
                target_model.objects.create(policy=policy, metric=metric, kind=kind, seconds=seconds, business=business)


def backwards(apps, schema_editor):
    apps.get_model("sla", "SlaPolicy").objects.filter(name__in=[p[0] for p in POLICIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
