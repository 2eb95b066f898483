"""Shipping fee calculator (R20): first weight + extra units, per courier and zone (provinces).

Pure functions over rate rows; :func:`kefu.aftersales.selectors.quote` feeds them the active
:class:`~kefu.aftersales.models.ShippingRate` rows."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

DEFAULT_RATES = Path(__file__).parent / "data" / "shipping_rates.json"

_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")


class Rate(Protocol):
    courier: str
    zone: str
    first_weight_grams: int
    first_price: Decimal
    extra_unit_grams: int
    extra_price: Decimal

    @property
    def province_list(self) -> list[str]: ...


@dataclass(frozen=True)
class Quote:
    courier: str
    zone: str
    weight_grams: int
    fee: Decimal
    first_price: Decimal
    extra_units: int
    extra_price: Decimal

    def as_dict(self) -> dict[str, Any]:
        return {
            "courier": self.courier,
            "zone": self.zone,
            "weight_grams": self.weight_grams,
            "fee": str(self.fee),
            "first_price": str(self.first_price),
            "extra_units": self.extra_units,
            "extra_price": str(self.extra_price),
        }


def short_province(name: str) -> str:
    """``广东省`` → ``广东``, ``新疆维吾尔自治区`` → ``新疆``, ``上海市`` → ``上海``."""
    name = (name or "").strip()
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def fee_for(rate: Rate, weight_grams: int) -> Quote:
    extra = max(0, weight_grams - rate.first_weight_grams)
    units = math.ceil(extra / rate.extra_unit_grams) if rate.extra_unit_grams else 0
    fee = rate.first_price + rate.extra_price * units
    return Quote(
        courier=rate.courier,
        zone=rate.zone,
        weight_grams=weight_grams,
        fee=fee.quantize(Decimal("0.01")),
        first_price=rate.first_price,
        extra_units=units,
        extra_price=rate.extra_price,
    )


def quotes(rates: Iterable[Rate], weight_grams: int, province: str, courier: str = "") -> list[Quote]:
    """One quote per courier that serves ``province`` (cheapest first)."""
    wanted = short_province(province)
    found: dict[str, Quote] = {}
    for rate in rates:
        if courier and rate.courier != courier:
            continue
        if wanted not in {short_province(p) for p in rate.province_list}:
            continue
        quote = fee_for(rate, weight_grams)
        if rate.courier not in found or quote.fee < found[rate.courier].fee:
            found[rate.courier] = quote
    return sorted(found.values(), key=lambda q: (q.fee, q.courier))


def default_rates() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(DEFAULT_RATES.read_text(encoding="utf-8"))
    return rows


def all_provinces(rates: Iterable[Rate]) -> list[str]:
    seen: dict[str, None] = {}
    for rate in rates:
        for p in rate.province_list:
            seen.setdefault(short_province(p))
    return list(seen)
