"""Orders, shipments and tracking, logistics exceptions, shipping rates, COD confirmation, service
orders and warranty reminders (contract E of issue 8; docs/aftersales.md)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.aftersales.choices import (
    CarrierKind,
    ClaimStatus,
    CodOutcome,
    ExceptionKind,
    ExceptionStatus,
    OrderStatus,
    Payment,
    ReminderKind,
    ReminderStatus,
    ServiceKind,
    ServiceStatus,
    ShipmentKind,
    ShipmentStatus,
    TrackingEventKind,
    TrackingSource,
)


class Order(models.Model):
    """A customer's order in one shop (from a marketplace, the API, an import or typed in by hand)."""

    shop = models.ForeignKey("shops.Shop", verbose_name=_("shop"), on_delete=models.PROTECT, related_name="orders")
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="orders"
    )
    platform_order_no = models.CharField(_("platform order number"), max_length=64, blank=True)
    payment = models.CharField(_("payment"), max_length=10, choices=Payment.choices, default=Payment.ONLINE)
    status = models.CharField(_("status"), max_length=24, choices=OrderStatus.choices, default=OrderStatus.PAID)
    total_amount = models.DecimalField(_("total amount"), max_digits=12, decimal_places=2, default=Decimal("0"))
    paid_amount = models.DecimalField(_("paid amount"), max_digits=12, decimal_places=2, default=Decimal("0"))
    recipient_name = models.CharField(_("recipient"), max_length=60, blank=True)
    recipient_phone = models.CharField(_("recipient phone"), max_length=30, blank=True)
    province = models.CharField(_("province"), max_length=30, blank=True)
    city = models.CharField(_("city"), max_length=30, blank=True)
    address_detail = models.CharField(_("address"), max_length=200, blank=True)
    courier = models.CharField(_("courier"), max_length=40, blank=True)
    tracking_no = models.CharField(_("tracking number"), max_length=60, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=12, blank=True)  # api | import | manual | demo
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    cod_confirmed_at = models.DateTimeField(_("COD confirmed at"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    estimated_ship_at = models.DateTimeField(_("estimated ship date"), null=True, blank=True)
    estimated_arrival_at = models.DateTimeField(_("estimated arrival"), null=True, blank=True)
    # COD confirmation (R24): attempts made and when the next call is due (a timer column).
    cod_attempts = models.PositiveSmallIntegerField(_("confirmation calls"), default=0)
    cod_call_due_at = models.DateTimeField(_("next confirmation call"), null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "platform_order_no"],
                condition=~models.Q(platform_order_no=""),
                name="order_platform_no_unique_per_shop",
            )
        ]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["status", "cod_call_due_at"]),
        ]
        permissions = [
            ("confirm_cod", _("Can confirm cash-on-delivery orders with the buyer")),
            ("import_orders", _("Can import orders")),
            ("link_order", _("Can link conversations and tickets to orders")),
            ("ship_order", _("Can ship orders and enter tracking")),
            ("notify_tracking", _("Can send tracking updates to customers")),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return self.platform_order_no or f"#{self.pk}"

    @property
    def address(self) -> str:
        return f"{self.province}{self.city}{self.address_detail}"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "shops.Product", verbose_name=_("product"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sku = models.CharField(_("SKU"), max_length=60)
    name = models.CharField(_("name"), max_length=120)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.name} × {self.quantity}"


class OrderLink(models.Model):
    """A conversation or a ticket linked to an order (one order each), so ``{订单号}`` fills from it."""

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="links")
    conversation = models.OneToOneField(
        "conversations.Conversation",
        verbose_name=_("conversation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="order_link",
    )
    ticket = models.OneToOneField(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="order_link",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("linked at"))

    class Meta:
        verbose_name = _("order link")
        verbose_name_plural = _("order links")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(conversation__isnull=False) | models.Q(ticket__isnull=False),
                name="orderlink_has_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.order} ← {self.conversation_id or ''}/{self.ticket_id or ''}"


class Shipment(models.Model):
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="shipments")
    kind = models.CharField(_("kind"), max_length=12, choices=ShipmentKind.choices, default=ShipmentKind.OUTBOUND)
    courier = models.CharField(_("courier"), max_length=40)
    carrier_kind = models.CharField(
        _("carrier kind"), max_length=8, choices=CarrierKind.choices, default=CarrierKind.EXPRESS
    )
    tracking_no = models.CharField(_("tracking number"), max_length=60)
    status = models.CharField(
        _("status"), max_length=20, choices=ShipmentStatus.choices, default=ShipmentStatus.CREATED
    )
    created_at = models.DateTimeField(_("created at"))
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    last_event_at = models.DateTimeField(_("last movement"), null=True, blank=True)
    estimated_arrival_at = models.DateTimeField(_("estimated arrival"), null=True, blank=True)
    # Proactive updates (R23): stamped once the automatic message went out, so it goes once.
    delay_notified_at = models.DateTimeField(null=True, blank=True)
    delivered_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["order", "id"]
        indexes = [models.Index(fields=["status", "last_event_at"])]

    def __str__(self) -> str:
        return f"{self.courier} {self.tracking_no}"

    @property
    def is_moving(self) -> bool:
        return self.status in {ShipmentStatus.CREATED, ShipmentStatus.IN_TRANSIT, ShipmentStatus.OUT_FOR_DELIVERY}


class TrackingEvent(models.Model):
    shipment = models.ForeignKey(Shipment, verbose_name=_("shipment"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=TrackingEventKind.choices)
    happened_at = models.DateTimeField(_("time"))
    location = models.CharField(_("location"), max_length=80, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=TrackingSource.choices, default=TrackingSource.COURIER)
    external_id = models.CharField(max_length=80, blank=True)  # the courier's event id, for idempotent intake
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        ordering = ["shipment", "happened_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "external_id"], condition=~models.Q(external_id=""), name="tracking_event_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.happened_at:%Y-%m-%d %H:%M} {self.kind}"


class CodCall(models.Model):
    """One confirmation call to a cash-on-delivery buyer and its outcome (R24)."""

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="cod_calls")
    outcome = models.CharField(_("outcome"), max_length=12, choices=CodOutcome.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    reorder_online = models.BooleanField(_("re-ordered online"), default=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    called_at = models.DateTimeField(_("called at"))

    class Meta:
        verbose_name = _("COD confirmation call")
        verbose_name_plural = _("COD confirmation calls")
        ordering = ["order", "called_at", "id"]

    def __str__(self) -> str:
        return f"{self.order} {self.outcome}"


class LogisticsException(models.Model):
    """A shipment flagged by the sweeper or an agent (R23), worked until resolved; a lost parcel
    carries the claim against the courier."""

    shipment = models.ForeignKey(
        Shipment, verbose_name=_("shipment"), on_delete=models.CASCADE, related_name="exceptions"
    )
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="exceptions")
    kind = models.CharField(_("kind"), max_length=20, choices=ExceptionKind.choices)
    status = models.CharField(_("status"), max_length=12, choices=ExceptionStatus.choices, default=ExceptionStatus.OPEN)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"))
    updated_at = models.DateTimeField(_("updated at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.CharField(_("resolution"), max_length=300, blank=True)
    compensation_id = models.CharField(_("compensation"), max_length=40, blank=True)
    claim_status = models.CharField(
        _("claim"), max_length=10, choices=ClaimStatus.choices, blank=True, default=ClaimStatus.NONE
    )
    claim_no = models.CharField(_("claim number"), max_length=60, blank=True)
    claim_amount = models.DecimalField(_("claim amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    claim_filed_at = models.DateTimeField(_("claim filed at"), null=True, blank=True)
    claim_closed_at = models.DateTimeField(_("claim closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("logistics exception")
        verbose_name_plural = _("logistics exceptions")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "kind"],
                condition=~models.Q(status="resolved"),
                name="logistics_exception_open_once",
            )
        ]
        indexes = [models.Index(fields=["status", "opened_at"])]
        permissions = [("handle_logistics", _("Can work logistics exceptions and courier claims"))]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.shipment}"


class ShippingRate(models.Model):
    """A courier's price to one zone (a set of provinces): first weight, then per extra unit (R20)."""

    courier = models.CharField(_("courier"), max_length=40)
    zone = models.CharField(_("zone"), max_length=40)
    provinces = models.TextField(_("provinces"), help_text=_("Comma- or space-separated province names."))
    first_weight_grams = models.PositiveIntegerField(_("first weight (g)"), default=1000)
    first_price = models.DecimalField(_("first-weight price"), max_digits=12, decimal_places=2)
    extra_unit_grams = models.PositiveIntegerField(_("extra weight unit (g)"), default=1000)
    extra_price = models.DecimalField(_("price per extra unit"), max_digits=12, decimal_places=2)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("shipping rate")
        verbose_name_plural = _("shipping rates")
        ordering = ["courier", "zone"]
        constraints = [models.UniqueConstraint(fields=["courier", "zone"], name="shipping_rate_unique")]

    def __str__(self) -> str:
        return f"{self.courier} · {self.zone}"

    @property
    def province_list(self) -> list[str]:
        return [p for p in self.provinces.replace("，", ",").replace(",", " ").split() if p]


class AftersalesSettings(models.Model):
    """The numbers and switches an administrator tunes (one row, pk=1)."""

    cod_retry_hours = models.PositiveSmallIntegerField(_("COD: retry an unreachable buyer after (hours)"), default=4)
    cod_max_attempts = models.PositiveSmallIntegerField(_("COD: calls before cancelling"), default=3)
    cod_surcharge = models.DecimalField(
        _("COD: price difference to online payment"), max_digits=12, decimal_places=2, default=Decimal("10")
    )
    no_movement_hours = models.PositiveSmallIntegerField(_("Flag a parcel without movement after (hours)"), default=72)
    default_burn_in_hours = models.PositiveSmallIntegerField(
        _("Burn-in time of custom-made goods without their own (hours)"), default=48
    )
    notify_on_delay = models.BooleanField(_("Tell the customer when a parcel is delayed"), default=True)
    notify_on_delivery = models.BooleanField(_("Tell the customer when a parcel is delivered"), default=False)
    warranty_notice_days = models.PositiveSmallIntegerField(_("Remind before the warranty ends (days)"), default=30)
    inspection_interval_months = models.PositiveSmallIntegerField(
        _("Periodic inspection of installed equipment every (months)"), default=6
    )

    class Meta:
        verbose_name = _("orders and logistics settings")
        verbose_name_plural = _("orders and logistics settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def load(cls) -> AftersalesSettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class ServiceOrder(models.Model):
    """The on-site part of an installation, commissioning, repair, training or inspection ticket."""

    ticket = models.OneToOneField(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="service_order"
    )
    kind = models.CharField(_("kind"), max_length=14, choices=ServiceKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=ServiceStatus.choices, default=ServiceStatus.NEW)
    order = models.ForeignKey(
        Order, verbose_name=_("order"), null=True, blank=True, on_delete=models.SET_NULL, related_name="service_orders"
    )
    product = models.ForeignKey(
        "shops.Product", verbose_name=_("product"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("technician"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_orders",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    appointment_at = models.DateTimeField(_("appointment"), null=True, blank=True)
    due_at = models.DateTimeField(_("due by"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    parts = models.JSONField(_("parts used"), default=list, blank=True)  # [{"name", "quantity", "unit_price"}]
    cost = models.DecimalField(_("cost"), max_digits=12, decimal_places=2, default=Decimal("0"))
    result = models.TextField(_("result"), blank=True)
    result_sent_at = models.DateTimeField(_("result sent at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("customer confirmed at"), null=True, blank=True)
    confirmation_note = models.CharField(_("customer's confirmation"), max_length=300, blank=True)
    in_warranty = models.BooleanField(_("in warranty"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("service order")
        verbose_name_plural = _("service orders")
        ordering = ["appointment_at", "id"]
        indexes = [models.Index(fields=["technician", "status"])]
        permissions = [("work_service_order", _("Can work service orders on site"))]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.ticket.number}"


class WarrantyReminder(models.Model):
    """Warranty expiry or periodic inspection due for equipment a customer bought (R25)."""

    order_line = models.ForeignKey(
        OrderLine, verbose_name=_("order line"), on_delete=models.CASCADE, related_name="reminders"
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ReminderKind.choices)
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=8, choices=ReminderStatus.choices, default=ReminderStatus.OPEN)
    snoozed_until = models.DateField(_("snoozed until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("warranty reminder")
        verbose_name_plural = _("warranty reminders")
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["order_line", "kind", "due_on"], name="warranty_reminder_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on}"
