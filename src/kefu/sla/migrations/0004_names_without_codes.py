"""The shipped policies and the work-day calendar were named in two languages with requirement codes
("热线 4 小时答复 Hotline: answer within 4 h (R8)"), and the names show on every zh-Hans page: rename
them to their Chinese names. A policy an administrator renamed is left alone."""

from typing import Any

from django.db import migrations

POLICY_NAMES = {
    "投诉当天联系 Complaint: contact the same day (R9)": "投诉当天联系",
    "培训一个月内 Training within 1 month (R10)": "培训一个月内",
    "订单 48 小时内发货 Order dispatch within 48 h (R11)": "订单 48 小时内发货",
    "在线客服 Live chat: greet 15 s, reply 20 s (R5, R6)": "在线客服 15 秒问候、20 秒回复",
    "热线 4 小时答复 Hotline: answer within 4 h (R8)": "热线 4 小时答复",
    "服务请求 24 小时答复 Service request: answer within 24 h (R7)": "服务请求 24 小时答复",
}
CALENDAR_LABELS = {"工作日 Workdays 09:00–12:00, 13:00–18:00": "工作日 09:00–12:00、13:00–18:00"}


def _rename(apps: Any, names: dict[str, str]) -> None:
    policy = apps.get_model("sla", "SlaPolicy")
    for old, new in names.items():
        if not policy.objects.filter(name=new).exists():
            policy.objects.filter(name=old).update(name=new)


def _relabel(apps: Any, labels: dict[str, str]) -> None:
    calendar = apps.get_model("sla", "BusinessCalendar")
    for old, new in labels.items():
        calendar.objects.filter(label=old).update(label=new)


def forwards(apps: Any, schema_editor: Any) -> None:
    _rename(apps, POLICY_NAMES)
    _relabel(apps, CALENDAR_LABELS)


def backwards(apps: Any, schema_editor: Any) -> None:
    _rename(apps, {new: old for old, new in POLICY_NAMES.items()})
    _relabel(apps, {new: old for old, new in CALENDAR_LABELS.items()})


class Migration(migrations.Migration):
    dependencies = [("sla", "0003_deadlines")]

    operations = [migrations.RunPython(forwards, backwards)]
