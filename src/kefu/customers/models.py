from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kefu.customers.choices import CustomerType, Gender, IdentityKind, RemarkKind, VipTier
from kefu.customers.names import salutation_for


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=40, unique=True)
    color = models.CharField(_("colour"), max_length=7, default="#607d8b")

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    """One person or company, whatever channel they come from (R4, R32)."""

    name = models.CharField(_("name"), max_length=80, blank=True)
    gender = models.CharField(_("gender"), max_length=6, choices=Gender.choices, blank=True, default="")
    salutation = models.CharField(
        _("salutation"), max_length=20, blank=True, help_text=_("How agents address them, e.g. 张先生 / 高小姐.")
    )
    company = models.CharField(_("company"), max_length=120, blank=True)
    vip_tier = models.PositiveSmallIntegerField(_("VIP tier"), choices=VipTier.choices, default=VipTier.NONE)
    customer_type = models.CharField(
        _("customer type"), max_length=10, choices=CustomerType.choices, default=CustomerType.POTENTIAL
    )
    score = models.PositiveSmallIntegerField(_("score"), default=0)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner salesperson"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_customers",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="customers")
    usual_courier = models.CharField(_("usual courier"), max_length=40, blank=True)
    usual_products = models.ManyToManyField(
        "shops.Product", verbose_name=_("usual products"), blank=True, related_name="+"
    )
    preferences = models.JSONField(_("other preferences"), default=dict, blank=True)
    search_text = models.TextField(
        editable=False,
        blank=True,
        help_text="Folded (Simplified, lower-case) name, salutation and company, for search.",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_from",
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-updated_at", "-id"]
        permissions = [
            ("merge_customers", _("Can merge duplicate customers")),
            ("set_vip_tier", _("Can set a customer's VIP tier")),
            ("assign_owner", _("Can assign a customer's owner salesperson")),
        ]

    def __str__(self) -> str:
        # Unnamed (a web visitor, a bare phone number): say what it is, not only a number.
        return self.name or gettext("Customer #%(id)s") % {"id": self.pk}

    @property
    def display_salutation(self) -> str:
        return self.salutation or salutation_for(self.name, self.gender)

    @property
    def is_vip(self) -> bool:
        return self.vip_tier > VipTier.NONE


class CustomerIdentity(models.Model):
    """An address the customer reaches us from; unique per kind across all customers."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(_("kind"), max_length=10, choices=IdentityKind.choices)
    value = models.CharField(_("value"), max_length=200)
    verified = models.BooleanField(_("verified"), default=False)
    failing = models.BooleanField(_("failing"), default=False)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("identity")
        verbose_name_plural = _("identities")
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="identity_unique_per_kind")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class CustomerAddress(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    name = models.CharField(_("recipient"), max_length=60)
    phone = models.CharField(_("phone"), max_length=30)
    province = models.CharField(_("province"), max_length=30)
    city = models.CharField(_("city"), max_length=30)
    district = models.CharField(_("district"), max_length=30, blank=True)
    detail = models.CharField(_("address"), max_length=200)
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["-is_default", "id"]

    def __str__(self) -> str:
        return f"{self.province}{self.city}{self.district}{self.detail}"


class CustomerRemark(models.Model):
    """R17: special requests are remarked at once and shown to every agent afterwards."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="remarks")
    kind = models.CharField(_("kind"), max_length=20, choices=RemarkKind.choices, default=RemarkKind.SPECIAL_REQUEST)
    text = models.TextField(_("remark"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("customer remark")
        verbose_name_plural = _("customer remarks")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text[:40]
