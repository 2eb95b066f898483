"""Template pieces of after-sales cases: a deadline badge, and the panel beside a conversation or
in a customer file (their cases, a one-click new case and compensation)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from kefu.cases.choices import FINISHED, DeadlineName
from kefu.cases.models import Case
from kefu.core import clock

register = template.Library()


@register.simple_tag
def case_due(case: Case, now: datetime) -> SafeString:
    """The running deadline: red once passed, amber within a day."""
    if case.due_at is None:
        return mark_safe('<span class="muted">—</span>')
    label = dict(DeadlineName.choices).get(case.due_name, case.due_name)
    local = timezone.localtime(case.due_at)
    if case.due_at <= now:
        css, when = "due due-overdue", _("overdue since %(time)s") % {"time": local.strftime("%m-%d %H:%M")}
    else:
        css, when = ("due due-soon" if case.due_at - now < timedelta(days=1) else "due"), local.strftime("%m-%d %H:%M")
    return format_html('<span class="{}" title="{}">{}</span>', css, label, when)


@register.inclusion_tag("cases/_panel.html", takes_context=True)
def cases_panel(context: Any, conversation: Any = None, customer: Any = None) -> dict[str, Any]:
    from kefu.aftersales.selectors import linked_order
    from kefu.core.actions import has_perm

    request = context.get("request")
    user = getattr(request, "user", None)
    conversation = conversation or None  # an undefined template variable arrives as ""
    customer = customer or None
    if customer is None and conversation is not None:
        customer = conversation.customer
    cases = list(
        Case.objects.filter(customer=customer)
        .exclude(status__in=FINISHED)
        .select_related("order")
        .order_by("due_at")[:6]
        if customer is not None
        else []
    )
    return {
        "conversation": conversation,
        "customer": customer,
        "linked": linked_order(conversation=conversation) if conversation is not None else None,
        "cases": cases,
        "now": context.get("now") or clock.now(),
        "can_add": has_perm(user, "cases.add_case"),
        "can_compensate": has_perm(user, "cases.add_compensation"),
    }


@register.filter
def case_step(event: Any) -> str:
    """An audit row of a case as a timeline line."""
    from kefu.cases.labels import step

    return step(event.verb)


@register.filter
def case_note(event: Any) -> str:
    """What a person wrote with a step (a reason, a remark, a tracking number)."""
    if event.verb == "case.created":
        return ""
    data = event.data or {}
    return " ".join(str(data[k]) for k in ("reason", "remark", "tracking_no") if data.get(k))
