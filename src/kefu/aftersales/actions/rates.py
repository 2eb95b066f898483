"""Shipping rates (R20): an administrator's edits and the defaults of a fresh install."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kefu.aftersales.models import (
    ShippingRate,
)
from kefu.aftersales.orders_input import text
from kefu.core import clock, params
from kefu.core.actions import action
from kefu.core.errors import Conflict, ValidationFailed
from kefu.core.events import record_audit
from kefu.core.records import save_changes

# ---- shipping rates (R20) ---------------------------------------------------------------------------

RATE_FIELDS = (
    "courier",
    "zone",
    "provinces",
    "first_weight_grams",
    "first_price",
    "extra_unit_grams",
    "extra_price",
    "is_active",
)


def clean_rate(fields: dict[str, Any]) -> dict[str, Any]:
    from kefu.aftersales.orders_input import money

    clean: dict[str, Any] = {
        "courier": text(fields, "courier", str(_("Courier")), max_length=40),
        "zone": text(fields, "zone", str(_("Zone")), max_length=40),
        "provinces": text(fields, "provinces", str(_("Provinces")), max_length=2000),
        "first_price": money(fields.get("first_price"), str(_("First-weight price"))),
        "extra_price": money(fields.get("extra_price"), str(_("Price per extra unit"))),
        "is_active": bool(fields.get("is_active", True)),
    }
    for name, label in (
        ("first_weight_grams", _("First weight (g)")),
        ("extra_unit_grams", _("Extra weight unit (g)")),
    ):
        value = str(fields.get(name, "")).strip()
        if not params.is_digits(value) or not 1 <= int(value) <= 1_000_000:
            raise ValidationFailed(_("%(field)s must be a whole number of grams.") % {"field": label}, field=name)
        clean[name] = int(value)
    return clean


@action("aftersales.change_shippingrate")
def check_save_shipping_rate(rate: ShippingRate | None, *, actor: Any, **fields: Any) -> ShippingRate:
    clean = clean_rate(fields)
    now = clock.now()
    clash = ShippingRate.objects.filter(courier=clean["courier"], zone=clean["zone"])
    if rate is not None:
        clash = clash.exclude(pk=rate.pk)
    if clash.exists():
        raise Conflict(_("%(courier)s already has a rate for the zone %(zone)s.") % clean)
    if rate is None:
        with transaction.atomic():
            rate = ShippingRate.objects.create(updated_at=now, **clean)
            record_audit(
                rate,
                "shipping_rate.created",
                actor=actor,
                now=now,
                data={"fields": {k: str(v) for k, v in clean.items()}},
            )
        return rate
    save_changes(rate, clean, actor=actor, now=now, verb="shipping_rate.changed")
    return rate


def load_default_rates(*, now: datetime) -> int:
    """The default rates (data/shipping_rates.json) on a fresh install; idempotent: nothing
    happens once any rate exists, so an administrator's deletions stay deleted."""
    from kefu.aftersales.shipping import default_rates

    if ShippingRate.objects.exists():
        return 0
    rows = [
        ShippingRate(
            courier=row["courier"],
            zone=row["zone"],
            provinces=row["provinces"],
            first_weight_grams=row["first_weight_grams"],
            first_price=Decimal(row["first_price"]),
            extra_unit_grams=row["extra_unit_grams"],
            extra_price=Decimal(row["extra_price"]),
            updated_at=now,
        )
        for row in default_rates()
    ]
    ShippingRate.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
