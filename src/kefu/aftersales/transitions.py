"""The order and service-order state machines; docs/state-machines.md renders these tables."""

from kefu.aftersales.choices import ClaimStatus as C
from kefu.aftersales.choices import ExceptionStatus as X
from kefu.aftersales.choices import OrderStatus as O
from kefu.aftersales.choices import ServiceStatus as V
from kefu.aftersales.models import LogisticsException, Order, ServiceOrder
from kefu.core.fsm import StateMachine

ORDER_TRANSITIONS: dict[tuple[str, str], str] = {
    (O.PENDING_PAYMENT, "pay"): O.PAID,
    (O.PENDING_PAYMENT, "cancel"): O.CANCELLED,
    (O.PENDING_CONFIRMATION, "cod_unreachable"): O.PENDING_CONFIRMATION,
    (O.PENDING_CONFIRMATION, "cod_confirm"): O.CONFIRMED,
    (O.PENDING_CONFIRMATION, "cod_decline"): O.CANCELLED,
    (O.PENDING_CONFIRMATION, "cancel"): O.CANCELLED,
    (O.PAID, "ship"): O.SHIPPED,
    (O.PAID, "cancel"): O.CANCELLED,
    (O.CONFIRMED, "ship"): O.SHIPPED,
    (O.CONFIRMED, "cancel"): O.CANCELLED,
    (O.SHIPPED, "deliver"): O.DELIVERED,
    (O.SHIPPED, "refuse"): O.CANCELLED,
    (O.DELIVERED, "complete"): O.COMPLETED,
}

order_machine: StateMachine[Order] = StateMachine(
    name="order",
    model=Order,
    transitions=ORDER_TRANSITIONS,
    stamps={
        O.PAID: "paid_at",
        O.CONFIRMED: "cod_confirmed_at",
        O.SHIPPED: "shipped_at",
        O.DELIVERED: "delivered_at",
        O.COMPLETED: "completed_at",
        O.CANCELLED: "cancelled_at",
    },
)

SERVICE_TRANSITIONS: dict[tuple[str, str], str] = {
    (V.NEW, "schedule"): V.SCHEDULED,
    (V.NEW, "arrive"): V.ON_SITE,  # an inspection starts the day of the request, without booking
    (V.NEW, "cancel"): V.CANCELLED,
    (V.SCHEDULED, "schedule"): V.SCHEDULED,
    (V.SCHEDULED, "arrive"): V.ON_SITE,
    (V.SCHEDULED, "cancel"): V.CANCELLED,
    (V.ON_SITE, "finish"): V.DONE,
    (V.DONE, "customer_confirm"): V.CONFIRMED,
    (V.DONE, "reopen"): V.ON_SITE,
}

service_machine: StateMachine[ServiceOrder] = StateMachine(
    name="service_order",
    model=ServiceOrder,
    transitions=SERVICE_TRANSITIONS,
    stamps={V.ON_SITE: "arrived_at", V.DONE: "finished_at", V.CONFIRMED: "confirmed_at"},
)

EXCEPTION_TRANSITIONS: dict[tuple[str, str], str] = {
    (X.OPEN, "redeliver"): X.REDELIVERY,
    (X.OPEN, "compensate"): X.COMPENSATED,
    (X.OPEN, "resolve"): X.RESOLVED,
    (X.REDELIVERY, "redeliver"): X.REDELIVERY,
    (X.REDELIVERY, "compensate"): X.COMPENSATED,
    (X.REDELIVERY, "resolve"): X.RESOLVED,
    (X.COMPENSATED, "file_claim"): X.CLAIMING,
    (X.COMPENSATED, "resolve"): X.RESOLVED,
    (X.CLAIMING, "resolve"): X.RESOLVED,
}

exception_machine: StateMachine[LogisticsException] = StateMachine(
    name="logistics_exception",
    model=LogisticsException,
    transitions=EXCEPTION_TRANSITIONS,
    stamps={X.RESOLVED: "resolved_at"},
)

# The claim against the courier for a lost (or damaged) parcel, tracked to its end.
CLAIM_TRANSITIONS: dict[tuple[str, str], str] = {
    (C.NONE, "file"): C.FILED,
    (C.FILED, "accept"): C.ACCEPTED,
    (C.FILED, "reject"): C.REJECTED,
    (C.ACCEPTED, "pay"): C.PAID,
    (C.REJECTED, "file"): C.FILED,
}

claim_machine: StateMachine[LogisticsException] = StateMachine(
    name="courier_claim",
    model=LogisticsException,
    transitions=CLAIM_TRANSITIONS,
    state_field="claim_status",
    stamps={C.FILED: "claim_filed_at", C.PAID: "claim_closed_at", C.REJECTED: "claim_closed_at"},
)
