"""Every write of the aftersales app, by sub-domain:

* :mod:`.orders` — orders (API, workspace, import), the address, the order's states, links to
  conversations and tickets;
* :mod:`.shipments` — shipments, tracking events, tracking updates to customers, redelivery, the
  shipment sweeper;
* :mod:`.cod` — the cash-on-delivery confirmation call;
* :mod:`.rates` — shipping rates;
* :mod:`.logistics` — logistics exceptions, compensation and courier claims;
* :mod:`.service` — service orders (installation, training, inspection, repair) and warranty
  reminders.

The sub-modules import one way (orders → logistics → shipments; cod → orders; service alone), so
there is no import loop.  Callers import from here: the names below are the package's interface.
"""

from kefu.aftersales.actions.cod import (
    check_record_cod_call,
    do_record_cod_call,
)
from kefu.aftersales.actions.logistics import (
    MOVING,
    SETTLED_BY_MOVEMENT,
    check_claim_outcome,
    check_file_claim,
    check_flag_exception,
    check_record_compensation,
    check_resolve_exception,
    do_open_exception,
    resolve_moving_exceptions,
)
from kefu.aftersales.actions.orders import (
    ADDRESS_FIELDS,
    ORDER_EVENT_PERMISSION,
    ImportResult,
    check_create_order,
    check_import_orders,
    check_link_order,
    check_transition_order,
    check_unlink_order,
    check_update_address,
    clean_address,
    do_create_order,
    do_link_order,
    do_transition_order,
    find_or_create_customer,
)
from kefu.aftersales.actions.rates import (
    RATE_FIELDS,
    check_save_shipping_rate,
    clean_rate,
    load_default_rates,
)
from kefu.aftersales.actions.service import (
    MAX_PARTS,
    SERVICE_DEADLINE,
    TRAINING_MONTHS,
    check_cancel_service,
    check_confirm_service,
    check_create_service_order,
    check_finish_service,
    check_reminder_done,
    check_schedule_service,
    check_service_arrived,
    check_snooze_reminder,
    clean_parts,
    do_create_service_order,
    do_create_warranty_reminders,
    do_schedule_inspection,
    on_service_due,
    service_due,
)
from kefu.aftersales.actions.shipments import (
    EXCEPTION_OF_EVENT,
    FINAL_SHIPMENT_STATES,
    STATUS_AFTER,
    TrackingUpdate,
    check_add_tracking_entry,
    check_create_shipment,
    check_request_redelivery,
    check_send_tracking_update,
    clean_shipment,
    clean_update,
    do_add_tracking,
    do_create_shipment,
    shipment_of,
    sweep_shipments,
    tracking_text,
)

__all__ = [
    "ADDRESS_FIELDS",
    "EXCEPTION_OF_EVENT",
    "FINAL_SHIPMENT_STATES",
    "MAX_PARTS",
    "MOVING",
    "ORDER_EVENT_PERMISSION",
    "RATE_FIELDS",
    "SERVICE_DEADLINE",
    "SETTLED_BY_MOVEMENT",
    "STATUS_AFTER",
    "TRAINING_MONTHS",
    "ImportResult",
    "TrackingUpdate",
    "check_add_tracking_entry",
    "check_cancel_service",
    "check_claim_outcome",
    "check_confirm_service",
    "check_create_order",
    "check_create_service_order",
    "check_create_shipment",
    "check_file_claim",
    "check_finish_service",
    "check_flag_exception",
    "check_import_orders",
    "check_link_order",
    "check_record_cod_call",
    "check_record_compensation",
    "check_reminder_done",
    "check_request_redelivery",
    "check_resolve_exception",
    "check_save_shipping_rate",
    "check_schedule_service",
    "check_send_tracking_update",
    "check_service_arrived",
    "check_snooze_reminder",
    "check_transition_order",
    "check_unlink_order",
    "check_update_address",
    "clean_address",
    "clean_parts",
    "clean_rate",
    "clean_shipment",
    "clean_update",
    "do_add_tracking",
    "do_create_order",
    "do_create_service_order",
    "do_create_shipment",
    "do_create_warranty_reminders",
    "do_link_order",
    "do_open_exception",
    "do_record_cod_call",
    "do_schedule_inspection",
    "do_transition_order",
    "find_or_create_customer",
    "load_default_rates",
    "on_service_due",
    "resolve_moving_exceptions",
    "service_due",
    "shipment_of",
    "sweep_shipments",
    "tracking_text",
]
