"""Running triggers and macros: every effect goes through the tickets' action layer.

Loop guard: while a trigger's actions run, its id is on the *chain* (a context variable).
An event caused by those actions runs the other matching triggers, never one already on the
chain — so neither a trigger that re-fires itself (``ticket.updated`` → add a tag → ``ticket.updated``)
nor two triggers that undo each other can loop; the skip is audited as
``automation.loop_prevented``.  The chain is also capped at :data:`MAX_DEPTH`.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from kefu.accounts.models import Team, User
from kefu.automation import rules
from kefu.automation.choices import ActionType
from kefu.automation.models import Macro, TimeTrigger, TimeTriggerFiring, Trigger
from kefu.core import clock, params
from kefu.core.actions import action
from kefu.core.errors import KefuError, ValidationFailed
from kefu.core.events import notify, record_audit
from kefu.core.models import Notification
from kefu.core.notifications import StaffNote, do_notify_staff
from kefu.tickets.choices import TicketStatus
from kefu.tickets.models import Ticket

log = logging.getLogger(__name__)

MAX_DEPTH = 5
_chain: ContextVar[tuple[int, ...]] = ContextVar("automation_chain", default=())


def run_triggers(event: str, ticket: Ticket, *, now: datetime) -> list[int]:
    """Run the active triggers of ``event`` whose conditions ``ticket`` meets; returns their ids."""
    chain = _chain.get()
    triggers = list(Trigger.objects.filter(is_active=True, event=event))
    if not triggers:
        return []
    fired: list[int] = []
    for trigger in triggers:
        if trigger.pk in chain or len(chain) >= MAX_DEPTH:
            record_audit(
                ticket,
                "automation.loop_prevented",
                actor=None,
                now=now,
                data={"trigger": trigger.pk, "name": trigger.name, "chain": list(chain)},
            )
            continue
        fresh = Ticket.objects.select_related("customer").get(pk=ticket.pk)
        if not rules.matches(fresh, trigger.conditions):
            continue
        token = _chain.set((*chain, trigger.pk))
        try:
            record_audit(
                fresh, "automation.trigger", actor=None, now=now, data={"trigger": trigger.pk, "name": trigger.name}
            )
            apply_actions(fresh, trigger.actions, actor=None, now=now)
        finally:
            _chain.reset(token)
        fired.append(trigger.pk)
    return fired


def apply_actions(ticket: Ticket, actions: list[dict[str, Any]], *, actor: Any, now: datetime) -> None:
    """Apply ``actions`` to ``ticket``: with an ``actor`` (a macro) through the permission-checked
    ``check_*`` actions, without one (a trigger) through the ``do_*`` actions."""
    for item in actions:
        try:
            with transaction.atomic():
                _apply(ticket, item["type"], item.get("value"), actor=actor, now=now)
        except KefuError as exc:
            if actor is not None:
                raise
            record_audit(
                ticket,
                "automation.skipped",
                actor=None,
                now=now,
                data={"action": item["type"], "reason": str(exc.message)},
            )


def _apply(ticket: Ticket, kind: str, value: Any, *, actor: Any, now: datetime) -> None:
    from kefu.tickets import actions as t

    checked = actor is not None
    ticket.refresh_from_db()
    if kind == ActionType.ASSIGN:
        user = User.objects.filter(pk=value, is_active=True).first() if params.is_digits(str(value)) else None
        if user is None:
            raise ValidationFailed(_("There is no such active agent."))
        if checked:
            t.check_assign_ticket(ticket, actor=actor, assignee=user, team=ticket.team)
        else:
            t.do_assign_ticket(ticket, assignee=user, team=ticket.team, actor=None, now=now)
    elif kind == ActionType.SET_TEAM:
        team = Team.objects.filter(pk=value).first() if params.is_digits(str(value)) else None
        if team is None:
            raise ValidationFailed(_("There is no such team."))
        if checked:
            t.check_assign_ticket(ticket, actor=actor, assignee=ticket.assignee, team=team)
        else:
            t.do_assign_ticket(ticket, assignee=ticket.assignee, team=team, actor=None, now=now)
    elif kind in (ActionType.SET_PRIORITY, ActionType.SET_TYPE):
        field = "priority" if kind == ActionType.SET_PRIORITY else "type"
        if checked:
            t.check_update_ticket(ticket, actor=actor, **{field: value})
        else:
            t.do_update_ticket(ticket, t.clean_fields({field: value}), actor=None, now=now)
    elif kind == ActionType.ADD_TAG:
        tags = [*t.tag_list(ticket), str(value)]
        if checked:
            t.check_set_tags(ticket, tags, actor=actor)
        else:
            t.do_set_tags(ticket, tags, actor=None, now=now)
    elif kind == ActionType.CANNED_REPLY:
        _canned_reply(ticket, str(value), actor=actor, now=now)
    elif kind == ActionType.NOTIFY:
        _notify(ticket, str(value), now=now)
    elif kind == ActionType.CREATE_TASK:
        subject, team, assignee, conversation = str(value), ticket.team, ticket.assignee, ticket.conversation
        if checked:
            t.check_create_ticket(
                ticket.customer,
                actor=actor,
                subject=subject,
                conversation=conversation,
                team=team,
                assignee=assignee,
                parent=ticket,
            )
        else:
            t.do_create_ticket(
                ticket.customer,
                now=now,
                subject=subject,
                conversation=conversation,
                team=team,
                assignee=assignee,
                parent=ticket,
            )
    elif kind == ActionType.TRANSITION:
        if checked:
            t.check_transition_ticket(ticket, str(value), actor=actor)
        else:
            t.do_transition_ticket(ticket, str(value), actor=None, now=now)
    elif kind == ActionType.ADD_REMARK:
        if checked:
            t.check_add_ticket_remark(ticket, str(value), actor=actor)
        else:
            t.do_add_ticket_remark(ticket, str(value), author=None, now=now)


def _canned_reply(ticket: Ticket, key: str, *, actor: Any, now: datetime) -> None:
    from kefu.conversations import actions as conv
    from kefu.conversations.choices import AuthorKind
    from kefu.knowledge.models import CannedReply
    from kefu.tickets import actions as t

    reply = CannedReply.objects.filter(key=key, is_active=True).first()
    if reply is None:
        raise ValidationFailed(_("There is no active canned reply “%(key)s”.") % {"key": key})
    conversation = ticket.conversation
    if conversation is None:
        raise ValidationFailed(_("The ticket has no conversation to reply in."))
    if actor is not None:
        conv.check_send_reply(conversation, reply.text, actor=actor)
    else:
        conv.do_post_message(conversation, author_kind=AuthorKind.AGENT, text=reply.text, now=now)
    t.do_record_response(ticket, actor=actor, now=now, how="canned_reply")


def _notify(ticket: Ticket, who: str, *, now: datetime) -> None:
    if who == "assignee":
        user_id = ticket.assignee_id
    elif who == "leader":
        user_id = ticket.team.leader_id if ticket.team else None
    else:
        user_id = int(who) if params.is_digits(who) else None
    if user_id is None:
        raise ValidationFailed(_("Nobody to notify."))
    text = _("Reminder: #%(id)s %(subject)s") % {"id": ticket.pk, "subject": ticket.subject}
    do_notify_staff([StaffNote(user_id, Notification.Kind.AUTOMATION, text, ticket=ticket.pk)], now=now)
    notify("inbox", "notification", "created", {"user": user_id, "ticket": ticket.pk}, now=now)


@action("tickets.change_ticket")
def check_apply_macro(ticket: Ticket, macro: Macro, *, actor: Any) -> Ticket:
    """An agent's one click: the macro's actions, each checked against the agent's permissions."""
    if not macro.is_active:
        raise ValidationFailed(_("This macro is switched off."))
    if ticket.status in (TicketStatus.CLOSED, TicketStatus.CANCELLED):
        raise ValidationFailed(_("A closed or cancelled ticket cannot be changed."))
    now = clock.now()
    with transaction.atomic():
        record_audit(ticket, "automation.macro", actor=actor, now=now, data={"macro": macro.pk, "name": macro.name})
        apply_actions(ticket, macro.actions, actor=actor, now=now)
    ticket.refresh_from_db()
    return ticket


# Which timestamp a stay in a status began at.
SINCE_FIELD: dict[str, str] = {
    TicketStatus.PENDING: "sla_paused_at",
    TicketStatus.ON_HOLD: "sla_paused_at",
    TicketStatus.RESOLVED: "resolved_at",
    TicketStatus.CLOSED: "closed_at",
}


def sweep_time_triggers(now: datetime, *, limit: int = 500) -> int:
    """Fire each active time trigger once for each ticket that has been in its status long enough."""
    fired = 0
    for trigger in TimeTrigger.objects.filter(is_active=True):
        since_field = SINCE_FIELD.get(trigger.status, "updated_at")
        cutoff = now - timedelta(hours=trigger.hours)
        done = TimeTriggerFiring.objects.filter(trigger=trigger, ticket=OuterRef("pk"), since=OuterRef(since_field))
        candidates = (
            Ticket.objects.filter(status=trigger.status, **{f"{since_field}__lte": cutoff})
            .exclude(Exists(done))
            .select_related("customer")
            .order_by("id")[:limit]
        )
        for ticket in candidates:
            since = getattr(ticket, since_field)
            if not rules.matches(ticket, trigger.conditions):
                continue
            try:
                with transaction.atomic():
                    TimeTriggerFiring.objects.create(trigger=trigger, ticket=ticket, since=since, fired_at=now)
                    record_audit(
                        ticket,
                        "automation.time_trigger",
                        actor=None,
                        now=now,
                        data={"trigger": trigger.pk, "name": trigger.name},
                    )
                    apply_actions(ticket, trigger.actions, actor=None, now=now)
            except IntegrityError:
                continue  # another sweeper fired it first
            fired += 1
    return fired
