from django.db import migrations


def backfill(apps, schema_editor):
    from kefu.core.text import fold

    Customer = apps.get_model("customers", "Customer")
    for customer in Customer.objects.filter(search_text="").iterator(chunk_size=500):
        text = fold(" ".join(filter(None, (customer.name, customer.salutation, customer.company))))
        if text:
            Customer.objects.filter(pk=customer.pk).update(search_text=text)


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_search_text")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
