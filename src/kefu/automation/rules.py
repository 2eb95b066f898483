"""Conditions and actions as data: validation and evaluation (no writes here)."""

from __future__ import annotations

from typing import Any

from kefu.automation.choices import ActionType, ConditionOp
from kefu.core.choices import Priority
from kefu.tickets.choices import TicketStatus, TicketType


class RuleError(ValueError):
    pass


def _customer_vip(ticket: Any) -> Any:
    return ticket.customer.vip_tier


def _tags(ticket: Any) -> list[str]:
    return [t for t in (ticket.tags or "").split(",") if t]


# field name -> how to read it from a ticket
FIELDS: dict[str, Any] = {
    "status": lambda t: t.status,
    "type": lambda t: t.type,
    "priority": lambda t: t.priority,
    "source": lambda t: t.source,
    "team": lambda t: t.team_id,
    "assignee": lambda t: t.assignee_id,
    "subject": lambda t: t.subject,
    "description": lambda t: t.description,
    "tags": _tags,
    "customer": lambda t: t.customer_id,
    "customer.vip_tier": _customer_vip,
    "customer.tags": lambda t: [tag.name for tag in t.customer.tags.all()],
    "stage": lambda t: t.stage,
    "sla_state": lambda t: t.sla_state,
    "conversation.channel": lambda t: t.conversation.channel.kind if t.conversation_id else None,
    "conversation.status": lambda t: t.conversation.status if t.conversation_id else None,
    "conversation.service_class": lambda t: t.conversation.service_class if t.conversation_id else None,
}

VALUE_CHOICES: dict[str, list[str]] = {
    ActionType.SET_PRIORITY: list(Priority.values),
    ActionType.SET_TYPE: list(TicketType.values),
}


def check_conditions(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise RuleError("conditions must be a list of {field, op, value}")
    for item in value:
        if not isinstance(item, dict) or item.get("field") not in FIELDS:
            raise RuleError(f"unknown condition field in {item!r}; known: {', '.join(FIELDS)}")
        if item.get("op", "eq") not in ConditionOp.values:
            raise RuleError(f"unknown operator in {item!r}; known: {', '.join(ConditionOp.values)}")
        if item.get("op") == ConditionOp.IN and not isinstance(item.get("value"), list):
            raise RuleError(f"'in' needs a list value: {item!r}")
    return value


def check_actions(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not value:
        raise RuleError("actions must be a non-empty list of {type, value}")
    for item in value:
        if not isinstance(item, dict) or item.get("type") not in ActionType.values:
            raise RuleError(f"unknown action in {item!r}; known: {', '.join(ActionType.values)}")
        allowed = VALUE_CHOICES.get(item["type"])
        if allowed is not None and item.get("value") not in allowed:
            raise RuleError(f"{item['type']} takes one of {', '.join(allowed)}")
        if item["type"] == ActionType.TRANSITION and not item.get("value"):
            raise RuleError("transition needs an event, e.g. close")
        if (
            item["type"] in (ActionType.ADD_TAG, ActionType.CREATE_TASK, ActionType.ADD_REMARK)
            and not str(item.get("value", "")).strip()
        ):
            raise RuleError(f"{item['type']} needs a value")
    return value


def _matches(actual: Any, op: str, expected: Any) -> bool:
    if op == ConditionOp.IS_SET:
        return actual not in (None, "", [], 0)
    if op == ConditionOp.NOT_SET:
        return actual in (None, "", [], 0)
    if isinstance(actual, list):
        if op in (ConditionOp.CONTAINS, ConditionOp.EQ):
            return str(expected) in actual
        if op == ConditionOp.NE:
            return str(expected) not in actual
        if op == ConditionOp.IN:
            return any(str(e) in actual for e in expected)
        return False
    if op == ConditionOp.EQ:
        return str(actual) == str(expected)
    if op == ConditionOp.NE:
        return str(actual) != str(expected)
    if op == ConditionOp.IN:
        return str(actual) in [str(e) for e in expected]
    if op == ConditionOp.CONTAINS:
        return str(expected) in str(actual or "")
    try:
        if op == ConditionOp.GTE:
            return float(actual) >= float(expected)
        if op == ConditionOp.LTE:
            return float(actual) <= float(expected)
    except (TypeError, ValueError):
        return False
    return False


def matches(ticket: Any, conditions: list[dict[str, Any]]) -> bool:
    """Every condition holds (an empty list matches any ticket)."""
    return all(
        _matches(FIELDS[c["field"]](ticket), c.get("op", ConditionOp.EQ), c.get("value")) for c in conditions or []
    )


OPEN_STATES = (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING, TicketStatus.ON_HOLD)
