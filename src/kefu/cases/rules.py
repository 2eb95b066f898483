"""The configurable rules of cases, read once per action: settings, reason rules, the deadlines
each state runs and what happens when each passes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from kefu.aftersales.choices import CarrierKind
from kefu.cases.choices import PHOTOS_REQUIRED, SHOP_PAYS_POSTAGE, CaseKind, CaseStatus, DeadlineName, PostagePayer
from kefu.cases.models import Case, CaseSettings, ReasonRule


@dataclass(frozen=True)
class Rule:
    postage_payer: str
    photos_required: bool


def reason_rule(reason: str) -> Rule:
    row = ReasonRule.objects.filter(reason=reason).first()
    if row is not None:
        return Rule(row.postage_payer, row.photos_required)
    return Rule(
        PostagePayer.SHOP if reason in SHOP_PAYS_POSTAGE else PostagePayer.BUYER,
        reason in PHOTOS_REQUIRED,
    )


@dataclass(frozen=True)
class Plan:
    """The deadline a case in some state runs: its name, when it passes, and the event then fired."""

    name: str
    due_at: datetime
    event: str


# deadline name -> the event the platform fires when it passes
OUTCOME_EVENT: dict[str, str] = {
    DeadlineName.SELLER_RESPOND_BY: "auto_agree",
    DeadlineName.BUYER_SHIP_BY: "buyer_ship_timeout",
    DeadlineName.SELLER_CONFIRM_BY: "auto_refund",
}


def plan(case: Case, rules: CaseSettings) -> Plan | None:
    """The deadline ``case`` runs in its current state (None: no platform deadline runs)."""
    if case.status == CaseStatus.REQUESTED:
        start, days, name = case.created_at, rules.seller_respond_days, DeadlineName.SELLER_RESPOND_BY
    elif case.status == CaseStatus.AGREED and case.agreed_at is not None:
        start, days, name = case.agreed_at, rules.buyer_ship_days, DeadlineName.BUYER_SHIP_BY
    elif case.status == CaseStatus.RETURNING and case.returned_at is not None and case.kind != CaseKind.REPAIR:
        start, name = case.returned_at, DeadlineName.SELLER_CONFIRM_BY
        days = rules.confirm_post_days if case.return_carrier_kind == CarrierKind.POST else rules.confirm_express_days
    else:
        return None
    return Plan(name=name, due_at=start + timedelta(days=days), event=OUTCOME_EVENT[name])


def consequence(case: Case, name: str) -> str:
    """What happens automatically when the deadline ``name`` of ``case`` passes."""
    if name == DeadlineName.SELLER_RESPOND_BY:
        if case.kind == CaseKind.REFUND_ONLY:
            return _("If nobody answers by then, the platform agrees and refunds the buyer automatically.")
        return _("If nobody answers by then, the platform agrees automatically.")
    if name == DeadlineName.BUYER_SHIP_BY:
        return _("If the buyer has not shipped the return by then, the request closes and the sale stands.")
    if name == DeadlineName.SELLER_CONFIRM_BY:
        return _("If receipt is not confirmed by then, the platform refunds the buyer automatically.")
    return ""
