from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Shop(models.Model):
    """A shop (storefront) of the company; channels, orders and canned replies belong to one."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=200, blank=True)
    phone = models.CharField(_("service phone"), max_length=40, blank=True)
    return_address = models.CharField(_("return address"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("shop")
        verbose_name_plural = _("shops")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    shop = models.ForeignKey(Shop, verbose_name=_("shop"), on_delete=models.CASCADE, related_name="products")
    sku = models.CharField(_("SKU"), max_length=60)
    name = models.CharField(_("name"), max_length=120)
    category = models.CharField(_("category"), max_length=60, blank=True)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2, default=Decimal("0"))
    weight_grams = models.PositiveIntegerField(_("weight (g)"), default=0)
    warranty_months = models.PositiveSmallIntegerField(_("warranty (months)"), default=12)
    custom_made = models.BooleanField(_("custom-made"), default=False)
    burn_in_hours = models.PositiveSmallIntegerField(_("burn-in time (hours)"), default=0)
    specs = models.JSONField(_("specifications"), default=dict, blank=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["shop", "sku"]
        constraints = [models.UniqueConstraint(fields=["shop", "sku"], name="product_sku_unique_per_shop")]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"
