"""The shipped rules: one settings row with the brief's numbers and one rule per reason
(the shop pays the return postage when the fault is ours; quality and damage need photos)."""

from django.db import migrations

SHOP_PAYS = ("quality", "wrong_item", "missing_item", "damaged")
PHOTOS = ("quality", "damaged")
REASONS = ("no_reason", "quality", "wrong_item", "missing_item", "damaged", "other")


def forwards(apps, schema_editor):
    settings = apps.get_model("cases", "CaseSettings")
    rule = apps.get_model("cases", "ReasonRule")
    settings.objects.get_or_create(pk=1)
    for reason in REASONS:
        rule.objects.get_or_create(
            reason=reason,
            defaults={"postage_payer": "shop" if reason in SHOP_PAYS else "buyer", "photos_required": reason in PHOTOS},
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
