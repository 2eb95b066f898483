"""After-sales cases (售后单), their evidence photos, their rules (admin-editable) and
compensations (R21, R22, R26)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.aftersales.choices import CarrierKind
from kefu.cases.choices import (
    CaseKind,
    CaseReason,
    CaseStatus,
    CompensationKind,
    CompensationReason,
    CompensationStatus,
    PostagePayer,
)

USER = settings.AUTH_USER_MODEL


class CaseSettings(models.Model):
    """The marketplace's rules as numbers (one row, edited in the admin)."""

    seller_respond_days = models.PositiveSmallIntegerField(
        _("days to answer a request"), default=5, help_text=_("Then the platform agrees automatically.")
    )
    buyer_ship_days = models.PositiveSmallIntegerField(
        _("days for the buyer to ship a return"),
        default=7,
        help_text=_("Then the request closes and the sale stands."),
    )
    confirm_express_days = models.PositiveSmallIntegerField(
        _("days to confirm receipt (express)"), default=10, help_text=_("Then the platform refunds automatically.")
    )
    confirm_post_days = models.PositiveSmallIntegerField(
        _("days to confirm receipt (post)"), default=30, help_text=_("Then the platform refunds automatically.")
    )
    warn_hours = models.PositiveSmallIntegerField(
        _("warning before a deadline (hours)"), default=24, help_text=_("To the case's owner and team leader.")
    )
    no_reason_days = models.PositiveSmallIntegerField(_("no-reason return window (days after receipt)"), default=7)
    compensation_limit = models.DecimalField(
        _("compensation approval limit (yuan)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("50.00"),
        help_text=_(
            "When a customer's or a case's compensation within the window, with the new one, comes "
            "to more, it waits for a supervisor's approval."
        ),
    )
    compensation_window_days = models.PositiveSmallIntegerField(
        _("compensation window (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(3660)],
        help_text=_("Compensation approved or waiting within this many days counts against the limit."),
    )
    quick_coupon_amount = models.DecimalField(
        _("one-click coupon (yuan)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("20.00"),
        help_text=_("The coupon offered in one click for a delay or a small fault."),
    )
    return_contact = models.CharField(
        _("return contact"),
        max_length=60,
        blank=True,
        default="售后部",
        help_text=_("Told to the buyer when agreeing."),
    )

    class Meta:
        verbose_name = _("after-sales rules")
        verbose_name_plural = _("after-sales rules")

    def __str__(self) -> str:
        return str(_("After-sales rules"))

    @classmethod
    def current(cls) -> CaseSettings:
        found, _created = cls.objects.get_or_create(pk=1)
        return found


class ReasonRule(models.Model):
    """Per reason: who pays the return postage and whether evidence photos are required."""

    reason = models.CharField(_("reason"), max_length=20, choices=CaseReason.choices, unique=True)
    postage_payer = models.CharField(
        _("return postage"), max_length=8, choices=PostagePayer.choices, default=PostagePayer.BUYER
    )
    photos_required = models.BooleanField(_("evidence photos required"), default=False)

    class Meta:
        verbose_name = _("reason rule")
        verbose_name_plural = _("reason rules")
        ordering = ["reason"]

    def __str__(self) -> str:
        return self.get_reason_display()


class Case(models.Model):
    """An after-sales case on an order (and one of its lines)."""

    order = models.ForeignKey(
        "aftersales.Order", verbose_name=_("order"), on_delete=models.PROTECT, related_name="cases"
    )
    order_line = models.ForeignKey(
        "aftersales.OrderLine",
        verbose_name=_("order line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="cases"
    )
    conversation = models.ForeignKey(
        "conversations.Conversation",
        verbose_name=_("conversation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CaseKind.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=CaseReason.choices)
    status = models.CharField(_("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.REQUESTED)
    description = models.TextField(_("description"), blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, default=Decimal("0"))
    unused = models.BooleanField(_("unused"), default=False)
    original_packaging = models.BooleanField(_("original packaging intact"), default=False)
    owner = models.ForeignKey(
        USER, verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Agreeing: where the return goes and who pays its postage.
    return_address = models.CharField(_("return address"), max_length=200, blank=True)
    return_contact = models.CharField(_("return contact"), max_length=60, blank=True)
    return_phone = models.CharField(_("return phone"), max_length=40, blank=True)
    postage_payer = models.CharField(_("return postage"), max_length=8, choices=PostagePayer.choices, blank=True)
    refuse_reason = models.CharField(_("reason for refusing"), max_length=300, blank=True)
    # The buyer's return and our replacement / repaired item.
    return_carrier_kind = models.CharField(
        _("return by"), max_length=8, choices=CarrierKind.choices, blank=True, default=""
    )
    return_tracking_no = models.CharField(_("return tracking number"), max_length=60, blank=True)
    return_shipment = models.ForeignKey(
        "aftersales.Shipment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outbound_shipment = models.ForeignKey(
        "aftersales.Shipment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Refund payment (R22): requested by an agent, paid or sent back by finance.
    green_channel = models.BooleanField(_("green channel (urgent)"), default=False)
    payment_remark = models.CharField(_("remark for finance"), max_length=300, blank=True)
    payment_requested_at = models.DateTimeField(_("payment requested at"), null=True, blank=True)
    payment_requested_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sent_back_reason = models.CharField(_("sent back because"), max_length=300, blank=True)
    paid_at = models.DateTimeField(_("refund paid at"), null=True, blank=True)
    paid_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The deadline running now, mirrored from kefu.sla.deadlines for sorting the workbench.
    due_name = models.CharField(_("running deadline"), max_length=20, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    agreed_at = models.DateTimeField(_("agreed at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("buyer shipped at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("after-sales case")
        verbose_name_plural = _("after-sales cases")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["order", "kind"]),
            models.Index(fields=["status", "green_channel", "payment_requested_at"]),
        ]
        permissions = [
            ("decide_case", _("Can agree, refuse and close after-sales cases")),
            ("record_return", _("Can record the buyer's return shipment")),
            ("handle_case", _("Can receive returns, ship replacements and repairs")),
            ("request_payment", _("Can ask finance to pay a refund")),
            ("pay_refund", _("Can pay refunds or send them back")),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()}"

    @property
    def number(self) -> str:
        return f"SH{self.pk:06d}" if self.pk else "SH—"

    @property
    def stream_key(self) -> str:
        return f"case:{self.pk}"


def photo_path(instance: CasePhoto, filename: str) -> str:
    return f"cases/{instance.case_id}/{filename}"


class CasePhoto(models.Model):
    """Evidence (凭证) of a case: images only, judged by their bytes."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=photo_path, max_length=300)
    name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=60)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("evidence photo")
        verbose_name_plural = _("evidence photos")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Compensation(models.Model):
    """A coupon, gift or money given to a customer (R26), recorded for the cost report (R40)."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="compensations"
    )
    order = models.ForeignKey(
        "aftersales.Order",
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="compensations",
    )
    kind = models.CharField(_("kind"), max_length=8, choices=CompensationKind.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=200)
    note = models.CharField(_("note"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=20, blank=True)
    source_id = models.CharField(_("source id"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=CompensationStatus.choices)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("compensation")
        verbose_name_plural = _("compensations")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"]), models.Index(fields=["created_at"])]
        permissions = [
            ("approve_compensation", _("Can approve compensations above the limit")),
            ("view_cost_report", _("Can see the compensation cost report")),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ¥{self.amount}"

    @property
    def reason_label(self) -> str:
        return str(dict(CompensationReason.choices).get(self.reason, self.reason))


class CompensationApproval(models.Model):
    """One approval of a compensation: who (empty when approved at once within the limit), when,
    the amount, and the sum of the customer's or case's compensation within the window it saw."""

    compensation = models.ForeignKey(
        Compensation, verbose_name=_("compensation"), on_delete=models.CASCADE, related_name="approvals"
    )
    approved_by = models.ForeignKey(
        USER, verbose_name=_("approved by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)
    window_sum = models.DecimalField(_("sum within the window (yuan)"), max_digits=12, decimal_places=2)
    limit = models.DecimalField(_("limit (yuan)"), max_digits=10, decimal_places=2)
    window_days = models.PositiveSmallIntegerField(_("window (days)"))

    class Meta:
        verbose_name = _("compensation approval")
        verbose_name_plural = _("compensation approvals")
        ordering = ["-approved_at", "-id"]
        indexes = [models.Index(fields=["approved_at"])]

    def __str__(self) -> str:
        return f"{self.compensation} @ {self.approved_at:%Y-%m-%d %H:%M}"
