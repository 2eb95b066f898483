"""Writes to conversations and their messages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from kefu.conversations.choices import AuthorKind, ConversationStatus
from kefu.conversations.models import Attachment, Channel, Conversation, Message
from kefu.conversations.outbound import deliver_after_commit
from kefu.conversations.router import assignment_payload
from kefu.conversations.tasks import drain_queue
from kefu.conversations.transitions import AGENT_EVENTS, conversation_machine
from kefu.core import clock
from kefu.core.actions import action
from kefu.core.assignment import assign_locked
from kefu.core.choices import Priority, ServiceClass, Stage
from kefu.core.errors import InvalidTransition, ValidationFailed
from kefu.core.events import notify, publish, record_audit
from kefu.core.records import save_changes
from kefu.core.uploads import check_upload
from kefu.customers.models import Customer

MAX_MESSAGE_CHARS = 5000
INBOX_STREAM = "inbox"


def _summary(conversation: Conversation) -> dict[str, Any]:
    return {
        "conversation": conversation.pk,
        "status": conversation.status,
        "assignee": conversation.assignee_id,
        "team": conversation.team_id,
    }


def do_start_conversation(
    channel: Channel,
    customer: Customer,
    *,
    now: datetime,
    subject: str = "",
    actor: Any = None,
    team: Any = None,
    service_class: str = "",
    stage: str = "",
    priority: str = Priority.NORMAL,
) -> Conversation:
    with transaction.atomic():
        conversation = Conversation.objects.create(
            channel=channel,
            customer=customer,
            subject=subject[:200],
            team=team or channel.team,
            service_class=service_class,
            stage=stage,
            priority=priority,
            created_at=now,
            updated_at=now,
            last_message_at=now,
        )
        record_audit(conversation, "conversation.created", actor=actor, now=now, to_state=conversation.status)
        publish(conversation.stream_key, "conversation", "created", _summary(conversation), now=now)
        notify(INBOX_STREAM, "conversation", "created", _summary(conversation), now=now)
    return conversation


@action("conversations.add_conversation")
def check_start_conversation(channel: Channel, customer: Customer, *, actor: Any, subject: str = "") -> Conversation:
    if customer.merged_into_id:
        raise ValidationFailed(_("That customer was merged into another; use the other one."))
    return do_start_conversation(channel, customer, now=clock.now(), subject=subject, actor=actor, team=None)


def _validate_text(text: str, attachments: Sequence[UploadedFile]) -> str:
    text = (text or "").strip()
    if not text and not attachments:
        raise ValidationFailed(_("A message cannot be empty."))
    if len(text) > MAX_MESSAGE_CHARS:
        raise ValidationFailed(
            _("A message has at most %(n)d characters; split long answers into several messages.")
            % {"n": MAX_MESSAGE_CHARS}
        )
    return text


def do_post_message(
    conversation: Conversation,
    *,
    author_kind: str,
    text: str,
    now: datetime,
    author: Any = None,
    client_id: str = "",
    is_internal: bool = False,
    attachments: Sequence[UploadedFile] = (),
) -> tuple[Message, bool]:
    """Store a message (before anyone is told of it).  Returns ``(message, created)``;
    a resend with the same ``client_id`` returns the stored message and creates nothing."""
    text = _validate_text(text, attachments)
    if author_kind not in AuthorKind.values:
        raise ValidationFailed(_("Unknown author."))
    client_id = (client_id or "")[:64]
    checked = [check_upload(upload) for upload in attachments]
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        if client_id:
            existing = Message.objects.filter(conversation=locked, client_id=client_id).first()
            if existing is not None:
                return existing, False
        if locked.status == ConversationStatus.CLOSED:
            raise InvalidTransition(_("This conversation is closed; start a new one."), state=locked.status)
        message = Message.objects.create(
            conversation=locked,
            author_kind=author_kind,
            author=author if getattr(author, "pk", None) else None,
            text=text,
            is_internal=is_internal,
            client_id=client_id,
            created_at=now,
        )
        for upload, info in zip(attachments, checked, strict=True):
            attachment = Attachment(message=message, name=info.name, content_type=info.content_type, size=info.size)
            attachment.file.save(info.name, upload, save=False)
            attachment.save()
        updates = ["last_message_at", "updated_at"]
        locked.last_message_at = now
        locked.updated_at = now
        if not is_internal and author_kind == AuthorKind.CUSTOMER:
            if locked.first_customer_message_at is None:
                locked.first_customer_message_at = now
                updates.append("first_customer_message_at")
            if locked.waiting_since is None:
                locked.waiting_since = now
                updates.append("waiting_since")
        elif not is_internal and author_kind in (AuthorKind.AGENT, AuthorKind.BOT):
            if author_kind == AuthorKind.AGENT and locked.first_agent_reply_at is None:
                locked.first_agent_reply_at = now
                updates.append("first_agent_reply_at")
            if locked.waiting_since is not None:
                locked.waiting_since = None
                updates.append("waiting_since")
        locked.save(update_fields=updates)
        if not is_internal and author_kind == AuthorKind.CUSTOMER:
            wake_event = {
                ConversationStatus.PENDING: "activate",
                ConversationStatus.SNOOZED: "wake",
                ConversationStatus.RESOLVED: "reopen",
            }.get(ConversationStatus(locked.status))
            if wake_event:
                do_transition(locked, wake_event, actor=None, now=now, data={"cause": "customer_message"})
        payload = {
            "conversation": locked.pk,
            "message": message_payload(message),
        }
        publish(locked.stream_key, "message", "created", payload, now=now)
        notify(
            INBOX_STREAM,
            "message",
            "created",
            {**_summary(locked), "internal": is_internal, "author_kind": author_kind},
            now=now,
        )
        if not is_internal and author_kind in (AuthorKind.AGENT, AuthorKind.BOT):
            deliver_after_commit(locked.channel.kind, message.pk)
    for name in (
        "status",
        "last_message_at",
        "waiting_since",
        "first_customer_message_at",
        "first_agent_reply_at",
        "snoozed_until",
    ):
        setattr(conversation, name, getattr(locked, name))
    return message, True


def message_payload(message: Message) -> dict[str, Any]:
    return {
        "id": message.pk,
        "author_kind": message.author_kind,
        "author": str(message.author) if message.author_id else "",
        "text": message.text,
        "internal": message.is_internal,
        "client_id": message.client_id,
        "created_at": message.created_at.isoformat(),
        "attachments": [
            {"name": a.name, "url": a.url, "content_type": a.content_type, "size": a.size}
            for a in message.attachments.all()
        ],
    }


@action("conversations.reply_conversation")
def check_send_reply(
    conversation: Conversation, text: str, *, actor: Any, client_id: str = "", attachments: Sequence[UploadedFile] = ()
) -> tuple[Message, bool]:
    return do_post_message(
        conversation,
        author_kind=AuthorKind.AGENT,
        text=text,
        author=actor,
        now=clock.now(),
        client_id=client_id,
        attachments=attachments,
    )


@action("conversations.add_note")
def check_add_note(conversation: Conversation, text: str, *, actor: Any, client_id: str = "") -> tuple[Message, bool]:
    return do_post_message(
        conversation,
        author_kind=AuthorKind.AGENT,
        text=text,
        author=actor,
        now=clock.now(),
        client_id=client_id,
        is_internal=True,
    )


def do_assign(
    conversation: Conversation,
    *,
    assignee: Any,
    team: Any,
    actor: Any,
    now: datetime,
    note: str = "",
    reason: str = "manual",
) -> Conversation:
    with transaction.atomic():
        locked = assign_locked(
            Conversation,
            conversation.pk,
            assignee=assignee,
            team=team,
            actor=actor,
            now=now,
            verb="conversation.assigned",
            data={"reason": reason, "note": note},
        )
        if assignee is not None:
            locked.assigned_at = now
            locked.routing = {**(locked.routing or {}), "at": now.isoformat(), "reason": reason}
            locked.save(update_fields=["assigned_at", "routing"])
        if note.strip():
            do_post_message(locked, author_kind=AuthorKind.SYSTEM, text=note, author=actor, now=now, is_internal=True)
        summary = assignment_payload(locked)
        publish(locked.stream_key, "conversation", "assigned", summary, now=now)
        notify(INBOX_STREAM, "conversation", "assigned", summary, now=now)
        if assignee is None or (conversation.assignee_id and conversation.assignee_id != getattr(assignee, "pk", None)):
            drain_queue.on_commit()  # someone may have room now
    conversation.assignee, conversation.team = locked.assignee, locked.team
    return conversation


@action("conversations.assign_conversation")
def check_assign(
    conversation: Conversation, *, actor: Any, assignee: Any = None, team: Any = None, note: str = ""
) -> Conversation:
    if len(note) > 2000:
        raise ValidationFailed(_("A transfer note has at most 2,000 characters."))
    return do_assign(conversation, assignee=assignee, team=team, actor=actor, now=clock.now(), note=note)


def do_transition(
    conversation: Conversation,
    event: str,
    *,
    actor: Any,
    now: datetime,
    snooze_until: datetime | None = None,
    data: dict[str, Any] | None = None,
) -> Conversation:
    updates: dict[str, Any] = {}
    if event == "snooze":
        if snooze_until is None or snooze_until <= now:
            raise ValidationFailed(_("Snooze until a time in the future."))
        updates["snoozed_until"] = snooze_until
    elif conversation_machine.can(conversation.status, event) and conversation.snoozed_until:
        updates["snoozed_until"] = None
    if event == "reopen":
        updates.update(resolved_at=None)
    with transaction.atomic():
        conversation_machine.transition(conversation, event, actor=actor, now=now, updates=updates, data=data)
        publish(conversation.stream_key, "conversation", "status", _summary(conversation), now=now)
        notify(INBOX_STREAM, "conversation", "status", _summary(conversation), now=now)
        if (
            conversation.status in (ConversationStatus.RESOLVED, ConversationStatus.SNOOZED)
            and conversation.assignee_id
        ):
            drain_queue.on_commit()  # the agent has room for the next in the queue
    return conversation


@action("conversations.change_conversation_status")
def check_transition(
    conversation: Conversation, event: str, *, actor: Any, snooze_until: datetime | None = None
) -> Conversation:
    if event not in AGENT_EVENTS:
        raise ValidationFailed(_("Unknown action “%(event)s”.") % {"event": event})
    return do_transition(conversation, event, actor=actor, now=clock.now(), snooze_until=snooze_until)


@action("conversations.classify_conversation")
def check_classify(
    conversation: Conversation,
    *,
    actor: Any,
    service_class: str | None = None,
    stage: str | None = None,
    priority: str | None = None,
) -> Conversation:
    changes: dict[str, str] = {}
    for field, value, choices in (
        ("service_class", service_class, ServiceClass.values),
        ("stage", stage, Stage.values),
        ("priority", priority, Priority.values),
    ):
        if value is None:
            continue
        if value not in choices and not (value == "" and field != "priority"):
            raise ValidationFailed(_("Unknown value “%(value)s”.") % {"value": value})
        changes[field] = value
    now = clock.now()
    with transaction.atomic():
        if save_changes(conversation, changes, actor=actor, now=now, verb="conversation.classified"):
            publish(conversation.stream_key, "conversation", "classified", _summary(conversation), now=now)
    return conversation
