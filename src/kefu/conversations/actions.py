"""Writes to conversations and their messages."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils.translation import gettext as _

from kefu.conversations.choices import AuthorKind, ConversationStatus
from kefu.conversations.hooks import messages_created, messages_stored
from kefu.conversations.models import Attachment, Channel, Conversation, Message
from kefu.conversations.outbound import deliver_after_commit
from kefu.conversations.router import assignment_payload
from kefu.conversations.tasks import drain_queue
from kefu.conversations.transitions import AGENT_EVENTS, conversation_machine
from kefu.core import clock
from kefu.core.actions import action
from kefu.core.assignment import assign_locked
from kefu.core.bulk import insert_rows
from kefu.core.choices import Priority, ServiceClass, Stage
from kefu.core.errors import InvalidTransition, KefuError, NotFound, ValidationFailed
from kefu.core.events import notify, publish, publish_many, record_audit
from kefu.core.inputs import check_text
from kefu.core.records import save_changes
from kefu.core.uploads import check_upload
from kefu.customers.models import Customer

MAX_MESSAGE_CHARS = 5000
INBOX_STREAM = "inbox"

# Checks an agent's public reply must pass before it is sent (kefu.assist registers the reply-standards
# lint from its app's ready(), so conversations never imports it); each raises a KefuError to refuse.
REPLY_CHECKS: list[Callable[[str], None]] = []


def check_reply_text(text: str) -> None:
    for check in REPLY_CHECKS:
        check(text)


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


def validate_text(text: str, attachments: Sequence[UploadedFile]) -> str:
    text = check_text((text or "").strip())  # NUL and lone surrogates never reach the database
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
    post = Post(
        conversation_id=conversation.pk,
        author_kind=author_kind,
        text=text,
        author=author,
        client_id=client_id,
        is_internal=is_internal,
        attachments=tuple(attachments),
    )
    result = post_many([post], now=now)[0]
    if isinstance(result, Exception):
        raise result
    message, created, locked = result
    for name in (
        "status",
        "last_message_at",
        "waiting_since",
        "first_customer_message_at",
        "first_agent_reply_at",
        "snoozed_until",
        "updated_at",
    ):
        setattr(conversation, name, getattr(locked, name))
    return message, created


@dataclass(frozen=True)
class Post:
    """One message to store; see :func:`post_many`."""

    conversation_id: int
    author_kind: str
    text: str
    author: Any = None
    client_id: str = ""
    is_internal: bool = False
    attachments: tuple[UploadedFile, ...] = ()


PostResult = tuple[Message, bool, Conversation] | KefuError


def post_many(posts: Sequence[Post], *, now: datetime) -> list[PostResult]:
    """Store several messages in one transaction (group commit): the one write path of
    every message, whether one agent's reply or a burst from hundreds of live chats.

    For each post, in order: ``(message, created, conversation)`` or the error that refused
    it (bad input, a closed or missing conversation) — one refused post never fails the
    others.  A post whose ``client_id`` is already stored in that conversation returns the
    stored message and creates nothing.  Conversations are locked (in id order) for the
    length of the transaction; their stream events are numbered per conversation in one
    statement and the doorbells ring after commit."""
    results: list[PostResult | None] = [None] * len(posts)
    checked: dict[int, list[Any]] = {}
    for i, post in enumerate(posts):
        try:
            if post.author_kind not in AuthorKind.values:
                raise ValidationFailed(_("Unknown author."))
            text = validate_text(post.text, post.attachments)
            client_id = check_text((post.client_id or "")[:64], field="client_id")
            checked[i] = [text, client_id, [check_upload(u) for u in post.attachments]]
        except KefuError as exc:
            results[i] = exc
    if not checked:
        return [r for r in results if r is not None]
    ids = sorted({posts[i].conversation_id for i in checked})
    with transaction.atomic():
        locked = _lock_conversations(ids)
        wanted = [cid for i, (_t, cid, _a) in checked.items() if cid]
        stored: dict[tuple[int, str], Message] = {}
        resent = _resent_ids(ids, wanted) if wanted else []
        if resent:  # resends are rare: only then are the stored messages loaded
            for m in Message.objects.filter(pk__in=resent).select_related("author"):
                stored[(m.conversation_id, m.client_id)] = m
        new: list[tuple[int, Message]] = []
        for i, (text, client_id, _uploads) in checked.items():
            post = posts[i]
            conversation = locked.get(post.conversation_id)
            if conversation is None:
                results[i] = NotFound(_("No such conversation."))
                continue
            if client_id and (post.conversation_id, client_id) in stored:
                results[i] = (stored[(post.conversation_id, client_id)], False, conversation)
                continue
            if conversation.status == ConversationStatus.CLOSED:
                results[i] = InvalidTransition(
                    _("This conversation is closed; start a new one."), state=conversation.status
                )
                continue
            message = Message(
                conversation=conversation,
                author_kind=post.author_kind,
                author=post.author if getattr(post.author, "pk", None) else None,
                text=text,
                is_internal=post.is_internal,
                client_id=client_id,
                created_at=now,
            )
            if client_id:
                stored[(post.conversation_id, client_id)] = message  # a repeat inside the batch
            new.append((i, message))
        insert_rows([m for _i, m in new], returning_pk=True)
        messages_created([m for _i, m in new])  # the search index (kefu.finder), same transaction
        made: dict[int, list[Attachment]] = {}
        for i, message in new:
            for upload, info in zip(posts[i].attachments, checked[i][2], strict=True):
                attachment = Attachment(message=message, name=info.name, content_type=info.content_type, size=info.size)
                attachment.file.save(info.name, upload, save=False)
                attachment.save()
                made.setdefault(message.pk, []).append(attachment)
            results[i] = (message, True, message.conversation)
        _apply_to_conversations(new, made, now=now)
    return [r for r in results if r is not None]


def _lock_conversations(ids: list[int]) -> dict[int, Conversation]:
    """``Conversation.objects.select_for_update(of=("self",)).select_related("channel").filter(pk__in=ids)
    .order_by("pk")`` — the same rows, locks and instances — as one plain statement whose text is kept per
    number of ids: building the ORM's query was most of this read's cost on every group commit."""
    sql, fields, converters = _locking_read(len(ids))
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        rows = cursor.fetchall()
    split = len(fields[0])
    locked: dict[int, Conversation] = {}
    for row in rows:
        values = [value if convert is None else convert(value) for value, convert in zip(row, converters, strict=True)]
        conversation = Conversation.from_db(connection.alias, fields[0], values[:split])
        channel = Channel.from_db(connection.alias, fields[1], values[split:])
        Conversation.channel.field.set_cached_value(conversation, channel)
        locked[conversation.pk] = conversation
    return locked


_LOCKING_READS: dict[tuple[str, int], tuple[str, tuple[list[str], list[str]], list[Any]]] = {}


def _locking_read(n: int) -> tuple[str, tuple[list[str], list[str]], list[Any]]:
    key = (connection.alias, n)
    known = _LOCKING_READS.get(key)
    if known is not None:
        return known
    quote = connection.ops.quote_name
    conversations, channels = quote(Conversation._meta.db_table), quote(Channel._meta.db_table)
    columns: list[str] = []
    converters: list[Any] = []
    names: tuple[list[str], list[str]] = ([], [])
    for model, table, attnames in ((Conversation, conversations, names[0]), (Channel, channels, names[1])):
        for field in model._meta.concrete_fields:
            columns.append(f"{table}.{quote(field.column)}")
            attnames.append(field.attname)
            col = field.get_col(model._meta.db_table)
            # The converters the ORM applies to this column (dates on SQLite, JSON), in its order.
            steps = [*connection.ops.get_db_converters(col), *col.get_db_converters(connection)]
            converters.append(_converter(steps, col) if steps else None)
    sql = "SELECT {} FROM {} INNER JOIN {} ON {}.{} = {}.{} WHERE {}.{} IN ({}) ORDER BY {}.{}".format(  # noqa: S608
        ", ".join(columns),
        conversations,
        channels,
        channels,
        quote(Channel._meta.pk.column),
        conversations,
        quote(Conversation._meta.get_field("channel").column),
        conversations,
        quote(Conversation._meta.pk.column),
        ", ".join(["%s"] * n),
        conversations,
        quote(Conversation._meta.pk.column),
    )
    if connection.features.has_select_for_update:  # PostgreSQL; SQLite's write lock is the transaction's
        of = (conversations,) if connection.features.has_select_for_update_of else ()
        sql += " " + connection.ops.for_update_sql(of=of)
    known = _LOCKING_READS[key] = (sql, names, converters)
    return known


def _converter(steps: list[Any], col: Any) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        for step in steps:
            value = step(value, col, connection)
        return value

    return convert


def _resent_ids(conversation_ids: list[int], client_ids: list[str]) -> list[int]:
    """Ids of messages already stored with one of these client ids in these conversations: one plain
    statement on the unique (conversation, client_id) index, run for every batch (the ORM's query building
    cost more than the lookup)."""
    quote = connection.ops.quote_name
    sql = "SELECT {} FROM {} WHERE {} IN ({}) AND {} IN ({})".format(  # noqa: S608 - names from the model
        quote("id"),
        quote(Message._meta.db_table),
        quote("conversation_id"),
        ", ".join(["%s"] * len(conversation_ids)),
        quote("client_id"),
        ", ".join(["%s"] * len(client_ids)),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*conversation_ids, *client_ids])
        return [int(row[0]) for row in cursor.fetchall()]


def _apply_to_conversations(
    new: list[tuple[int, Message]], made: dict[int, list[Attachment]], *, now: datetime
) -> None:
    """Stamps, waking, events and doorbells for freshly stored messages (inside the
    transaction of :func:`post_many`): a fixed number of statements per batch, however
    many conversations it touches, plus one transition per conversation a customer wakes."""
    by_conversation: dict[int, list[Message]] = {}
    for _i, message in new:
        by_conversation.setdefault(message.conversation_id, []).append(message)
    conversations = [messages[0].conversation for messages in by_conversation.values()]
    woken: list[tuple[Conversation, str]] = []
    for conversation in conversations:
        conversation.last_message_at = now
        conversation.updated_at = now
        wake = False
        for message in by_conversation[conversation.pk]:
            if message.is_internal:
                continue
            if message.author_kind == AuthorKind.CUSTOMER:
                wake = True
                conversation.first_customer_message_at = conversation.first_customer_message_at or now
                conversation.waiting_since = conversation.waiting_since or now
            elif message.author_kind in (AuthorKind.AGENT, AuthorKind.BOT):
                if message.author_kind == AuthorKind.AGENT:
                    conversation.first_agent_reply_at = conversation.first_agent_reply_at or now
                conversation.waiting_since = None
        wake_event = {
            ConversationStatus.PENDING: "activate",
            ConversationStatus.SNOOZED: "wake",
            ConversationStatus.RESOLVED: "reopen",
        }.get(ConversationStatus(conversation.status))
        if wake and wake_event:
            woken.append((conversation, wake_event))
    _save_stamps(conversations)
    for conversation, wake_event in woken:
        do_transition(conversation, wake_event, actor=None, now=now, data={"cause": "customer_message"})
    public: dict[tuple[int, str], tuple[Conversation, str, Any]] = {}
    for _i, message in new:
        if not message.is_internal and message.author_kind in (AuthorKind.CUSTOMER, AuthorKind.AGENT):
            public[(message.conversation_id, message.author_kind)] = (
                message.conversation,
                message.author_kind,
                message.author,
            )
    messages_stored(list(public.values()), now=now)
    publish_many(
        [
            (
                message.conversation.stream_key,
                "message",
                "created",
                {
                    "conversation": message.conversation_id,
                    "message": message_payload(message, made.get(message.pk, [])),
                },
            )
            for _i, message in new
        ],
        now=now,
    )
    for _i, message in new:
        conversation = message.conversation
        notify(
            INBOX_STREAM,
            "message",
            "created",
            {**_summary(conversation), "internal": message.is_internal, "author_kind": message.author_kind},
            now=now,
        )
        if not message.is_internal and message.author_kind in (AuthorKind.AGENT, AuthorKind.BOT):
            deliver_after_commit(conversation.channel.kind, message.pk)


STAMPED_BY_MESSAGES = (
    "last_message_at",
    "updated_at",
    "first_customer_message_at",
    "first_agent_reply_at",
    "waiting_since",
)


def _save_stamps(conversations: list[Conversation]) -> None:
    """One UPDATE statement run for every conversation of the batch (``executemany``).
    Django's ``bulk_update`` builds a CASE expression per field and row, and cost more than
    all the other statements of a batch together (measured with ``kefu bench chat``)."""
    if not conversations:
        return
    table = Conversation._meta.db_table
    quote = connection.ops.quote_name
    columns = [str(getattr(Conversation._meta.get_field(name), "column", name)) for name in STAMPED_BY_MESSAGES]
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 - names from the model, values are parameters
        quote(table), ", ".join(f"{quote(c)} = %s" for c in columns), quote("id")
    )
    # Most stamps of a batch are its ``now`` or None: each distinct value is adapted once.
    adapted: dict[Any, Any] = {None: None}

    def adapt(value: Any) -> Any:
        if value not in adapted:
            adapted[value] = connection.ops.adapt_datetimefield_value(value)
        return adapted[value]

    rows = [[*(adapt(getattr(c, name)) for name in STAMPED_BY_MESSAGES), c.pk] for c in conversations]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def message_payload(message: Message, attachments: Sequence[Attachment] | None = None) -> dict[str, Any]:
    """The message as stream events carry it (``attachments``: known already, no query)."""
    if attachments is None:
        attachments = list(message.attachments.all())
    return {
        "id": message.pk,
        "author_kind": message.author_kind,
        "author": str(message.author) if message.author_id else "",
        "text": message.text,
        "internal": message.is_internal,
        "client_id": message.client_id,
        "created_at": message.created_at.isoformat(),
        "attachments": [
            {"name": a.name, "url": a.url, "content_type": a.content_type, "size": a.size} for a in attachments
        ],
    }


# What happens to a checked agent message: by default it is stored at once, in its own transaction; the
# agent socket's ``submit`` returns it, and the socket hands it to the group commit (kefu.conversations.batcher).
Submit = Callable[[Post], Any]


def _agent_post(
    conversation: Conversation,
    text: str,
    *,
    actor: Any,
    client_id: str,
    internal: bool,
    attachments: Sequence[UploadedFile] = (),
) -> Post:
    return Post(
        conversation_id=conversation.pk,
        author_kind=AuthorKind.AGENT,
        text=validate_text(text, attachments),
        author=actor,
        client_id=client_id,
        is_internal=internal,
        attachments=tuple(attachments),
    )


def _store_now(conversation: Conversation, post: Post) -> tuple[Message, bool]:
    return do_post_message(
        conversation,
        author_kind=post.author_kind,
        text=post.text,
        author=post.author,
        now=clock.now(),
        client_id=post.client_id,
        is_internal=post.is_internal,
        attachments=post.attachments,
    )


@action("conversations.reply_conversation")
def check_send_reply(
    conversation: Conversation,
    text: str,
    *,
    actor: Any,
    client_id: str = "",
    attachments: Sequence[UploadedFile] = (),
    submit: Submit | None = None,
) -> Any:
    """An agent's public reply, from every send path (page, API, agent socket, automation): the text and
    the reply standards are checked, then it is stored — ``(message, created)`` — or handed to ``submit``,
    whose result is returned (the agent socket's returns the checked message for its group commit)."""
    post = _agent_post(conversation, text, actor=actor, client_id=client_id, internal=False, attachments=attachments)
    check_reply_text(post.text)
    return submit(post) if submit is not None else _store_now(conversation, post)


@action("conversations.add_note")
def check_add_note(
    conversation: Conversation, text: str, *, actor: Any, client_id: str = "", submit: Submit | None = None
) -> Any:
    """An internal note (never checked against the reply standards); stored or handed to ``submit`` as
    :func:`check_send_reply` does."""
    post = _agent_post(conversation, text, actor=actor, client_id=client_id, internal=True)
    return submit(post) if submit is not None else _store_now(conversation, post)


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


@action("conversations.assign_conversation")
def check_pick_next(*, actor: Any) -> Conversation | None:
    """Take the longest-waiting chat of the actor's queues; None when they are empty.  Two
    agents pressing at once get two different chats (the row is taken with SKIP LOCKED and
    must still be unassigned)."""
    from kefu.conversations.router import queue_for

    now = clock.now()
    with transaction.atomic():
        conversation = queue_for(actor).select_for_update(skip_locked=True, of=("self",)).first()
        if conversation is None:
            return None
        return do_assign(conversation, assignee=actor, team=None, actor=actor, now=now, reason="picked")


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
