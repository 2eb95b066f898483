from django.db import migrations


def create(apps, schema_editor):
    from kefu.core import clock

    Scorecard = apps.get_model("quality", "Scorecard")
    if not Scorecard.objects.filter(is_default=True).exists():
        Scorecard.objects.get_or_create(name="标准评分卡", defaults={"is_default": True, "updated_at": clock.now()})


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
