"""Writes on behalf of a web visitor (the chat widget): who they are, their conversation,
their messages, and the message they leave when nobody is there (留言).

Visitors are not staff and hold no permissions; the widget edge authenticates them by a
signed visitor token (and optionally a customer token signed by the site) and calls these
functions, which assume the identity was already verified.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from kefu.accounts.choices import Presence
from kefu.conversations.choices import AuthorKind, ConversationStatus
from kefu.conversations.models import Channel, Conversation, Message
from kefu.conversations.router import agent_queryset, route
from kefu.core.errors import Conflict, ValidationFailed
from kefu.customers.actions import do_add_identity, do_find_or_create_by_identity, do_update_customer
from kefu.customers.choices import IdentityKind
from kefu.customers.identities import normalise
from kefu.customers.models import Customer, CustomerIdentity

ANSWER_WITHIN = timedelta(hours=24)  # R7: a service request is answered within 24 h

# Who may answer a new chat before the queue does (the FAQ bot registers from its app's ready(), so
# conversations never imports it): fn(conversation, now) -> True when it takes the chat; it routes the
# chat itself when it hands over to a person.
FirstResponder = Callable[[Conversation, datetime], bool]
_FIRST_RESPONDERS: list[FirstResponder] = []


def first_responder(fn: FirstResponder) -> FirstResponder:
    if fn not in _FIRST_RESPONDERS:
        _FIRST_RESPONDERS.append(fn)
    return fn


@dataclass(frozen=True)
class Visitor:
    """A verified widget visitor: their long-lived anonymous id, and what the site's signed
    customer token vouches for (``claims``: id, name, phone, email)."""

    channel: Channel
    visitor_id: str
    claims: Mapping[str, str] | None = None


def _site_identity(visitor: Visitor) -> str | None:
    if not visitor.claims or not visitor.claims.get("id"):
        return None
    return f"{visitor.channel.key}:{visitor.claims['id']}"


def find_customer(visitor: Visitor) -> Customer | None:
    """The customer already known for this visitor, without creating anything."""
    pairs = [(IdentityKind.VISITOR, visitor.visitor_id)]
    site = _site_identity(visitor)
    if site:
        pairs.insert(0, (IdentityKind.PLATFORM, site))
    for kind, value in pairs:
        try:
            value = normalise(kind, value)
        except ValidationFailed:
            continue
        found = CustomerIdentity.objects.select_related("customer").filter(kind=kind, value=value).first()
        if found is not None:
            customer = found.customer
            while customer.merged_into_id is not None:
                customer = customer.merged_into  # type: ignore[assignment]
            return customer
    return None


def _attach(customer: Customer, kind: str, value: str, *, now: datetime) -> None:
    """Give the customer an identity unless someone already holds it (a shared phone
    number stays with its first owner; agents merge by hand when they are the same person)."""
    if not value:
        return
    try:
        value = normalise(kind, value)
    except ValidationFailed:
        return
    if CustomerIdentity.objects.filter(kind=kind, value=value).exists():
        return
    try:
        do_add_identity(customer, kind, value, actor=None, now=now)
    except Conflict:
        return


def identify(visitor: Visitor, *, now: datetime, name: str = "", phone: str = "") -> Customer:
    """The customer behind the visitor, created on first contact.  A site-signed customer
    token wins; then a phone number from the pre-chat form recognises a returning customer
    on a new device; else the anonymous visitor id."""
    name = (visitor.claims or {}).get("name", "") or name
    phone = (visitor.claims or {}).get("phone", "") or phone
    email = (visitor.claims or {}).get("email", "")
    with transaction.atomic():
        customer = find_customer(visitor)
        if customer is None and phone:
            try:
                found = CustomerIdentity.objects.filter(
                    kind=IdentityKind.PHONE, value=normalise(IdentityKind.PHONE, phone)
                ).first()
            except ValidationFailed:
                raise ValidationFailed(_("Please enter a valid phone number.")) from None
            customer = found.customer if found else None
        if customer is None:
            site = _site_identity(visitor)
            kind, value = (IdentityKind.PLATFORM, site) if site else (IdentityKind.VISITOR, visitor.visitor_id)
            customer, _created = do_find_or_create_by_identity(kind, value, now=now, defaults={"name": name[:80]})
        _attach(customer, IdentityKind.VISITOR, visitor.visitor_id, now=now)
        site = _site_identity(visitor)
        if site:
            _attach(customer, IdentityKind.PLATFORM, site, now=now)
        _attach(customer, IdentityKind.PHONE, phone, now=now)
        _attach(customer, IdentityKind.EMAIL, email, now=now)
        if name and not customer.name:
            do_update_customer(customer, actor=None, now=now, name=name[:80])
    return customer


def current_conversation(
    customer: Customer, channel: Channel, conversation_id: int | None = None
) -> Conversation | None:
    """The visitor's conversation in this channel that is not closed (the one they name
    if it is theirs, else the latest)."""
    qs = Conversation.objects.filter(customer=customer, channel=channel).exclude(status=ConversationStatus.CLOSED)
    if conversation_id:
        named = qs.filter(pk=conversation_id).first()
        if named is not None:
            return named
    return qs.order_by("-id").first()


def post(
    visitor: Visitor,
    *,
    text: str,
    now: datetime,
    client_id: str = "",
    conversation_id: int | None = None,
    attachments: Sequence[UploadedFile] = (),
    name: str = "",
    phone: str = "",
) -> tuple[Conversation, Message, bool]:
    """Store the visitor's message (starting and routing a conversation when needed);
    a resend with the same ``client_id`` returns the stored message and creates nothing."""
    from kefu.conversations.actions import do_post_message, do_start_conversation

    with transaction.atomic():
        customer = identify(visitor, now=now, name=name, phone=phone)
        conversation = current_conversation(customer, visitor.channel, conversation_id)
        started = conversation is None
        if conversation is None:
            subject = " ".join((text or "").split())[:40] or _("Image")
            conversation = do_start_conversation(visitor.channel, customer, now=now, subject=subject)
        message, created = do_post_message(
            conversation,
            author_kind=AuthorKind.CUSTOMER,
            text=text,
            now=now,
            client_id=client_id,
            attachments=attachments,
        )
        taken = started and any(fn(conversation, now) for fn in _FIRST_RESPONDERS)
        if started and not taken:  # later, the queue is drained when an agent has room (router.drain)
            conversation = route(conversation.pk, now=now)
    return conversation, message, created


def mark_read(conversation: Conversation, upto: int, *, side: str) -> bool:
    """Remember how far the visitor (or the agents) have read; never moves backwards."""
    field = "visitor_read_upto" if side == "visitor" else "agent_read_upto"
    upto = min(
        int(upto),
        Message.objects.filter(conversation=conversation).order_by("-id").values_list("id", flat=True).first() or 0,
    )
    updated = Conversation.objects.filter(pk=conversation.pk, **{f"{field}__lt": upto}).update(**{field: upto})
    return bool(updated)


def agent_opened(conversation: Conversation, agent: Any, *, upto: int) -> bool:
    """The conversation's own agent (anyone, while it has none) has now seen up to ``upto``;
    a supervisor watching someone else's chat leaves it unread for its agent."""
    if conversation.assignee_id not in (None, getattr(agent, "pk", None)):
        return False
    return mark_read(conversation, upto, side="agent")


# ---- opening hours and availability -------------------------------------------------


def _parse_hhmm(value: str) -> time:
    hours, minutes = (int(part) for part in str(value).split(":", 1))
    return time(hours, minutes)


def validate_hours(hours: Any) -> list[dict[str, Any]]:
    if not hours:
        return []
    if not isinstance(hours, list):
        raise ValidationFailed(_("Opening hours must be a list of periods."))
    clean = []
    for period in hours:
        try:
            days = [int(d) for d in period["days"]]
            start, end = _parse_hhmm(period["start"]), _parse_hhmm(period["end"])
        except (KeyError, TypeError, ValueError):
            raise ValidationFailed(
                _('Each period of opening hours looks like {"days": [0,1,2,3,4], "start": "09:00", "end": "18:00"}.')
            ) from None
        if not all(0 <= d <= 6 for d in days) or start >= end:
            raise ValidationFailed(_("Opening hours: days are 0–6 (Monday = 0) and a period ends after it starts."))
        clean.append({"days": days, "start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")})
    return clean


def _periods(channel: Channel) -> list[tuple[set[int], time, time]]:
    try:
        clean = validate_hours(channel.hours)
    except ValidationFailed:
        return []  # a broken setting must not shut the chat: treat as always open
    return [(set(p["days"]), _parse_hhmm(p["start"]), _parse_hhmm(p["end"])) for p in clean]


def is_open(channel: Channel, now: datetime) -> bool:
    periods = _periods(channel)
    if not periods:
        return True
    local = now.astimezone(ZoneInfo(settings.TIME_ZONE))
    return any(local.weekday() in days and start <= local.time() < end for days, start, end in periods)


def next_opening(channel: Channel, now: datetime) -> datetime:
    """When the channel next opens (``now`` if it is open)."""
    if is_open(channel, now):
        return now
    zone = ZoneInfo(settings.TIME_ZONE)
    local = now.astimezone(zone)
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        starts = sorted(start for days, start, _end in _periods(channel) if day.weekday() in days)
        for start in starts:
            at = datetime.combine(day, start, tzinfo=zone)
            if at > local:
                return at.astimezone(now.tzinfo)
    return now


def agents_online(channel: Channel) -> bool:
    """Is anyone there to answer (online in the channel's team, or its VIP team)?"""
    teams: list[Any] = [t for t in (channel.team, channel.vip_team) if t is not None] or [None]
    return any(agent_queryset(team).filter(presence=Presence.ONLINE).exists() for team in teams)


def availability(channel: Channel, now: datetime) -> dict[str, Any]:
    open_now = is_open(channel, now)
    online = open_now and agents_online(channel)
    return {
        "open": open_now,
        "online": online,
        "next_opening": None if open_now else next_opening(channel, now).isoformat(),
    }


def leave_message(
    visitor: Visitor,
    *,
    name: str,
    phone: str,
    email: str,
    text: str,
    now: datetime,
) -> tuple[Any, datetime]:
    """留言: the visitor's message becomes a ticket; returns it and when to expect an answer."""
    from kefu.conversations.actions import MAX_MESSAGE_CHARS
    from kefu.tickets.actions import do_create_ticket

    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("Please write your message."))
    if len(text) > MAX_MESSAGE_CHARS:
        raise ValidationFailed(_("A message has at most %(n)d characters.") % {"n": MAX_MESSAGE_CHARS})
    if not (phone or "").strip() and not (email or "").strip():
        raise ValidationFailed(_("Please leave a phone number or an email address so that we can answer you."))
    for kind, value in ((IdentityKind.PHONE, phone), (IdentityKind.EMAIL, email)):
        if (value or "").strip():
            try:
                normalise(kind, value)
            except ValidationFailed:
                raise ValidationFailed(
                    _("Please enter a valid phone number.")
                    if kind == IdentityKind.PHONE
                    else _("Please enter a valid email address.")
                ) from None
    with transaction.atomic():
        customer = identify(visitor, now=now, name=name, phone=phone)
        _attach(customer, IdentityKind.EMAIL, email, now=now)
        contact = " / ".join(v for v in (name.strip(), phone.strip(), email.strip()) if v)
        ticket = do_create_ticket(
            customer,
            subject=_("Message left on %(channel)s: %(text)s") % {"channel": visitor.channel.name, "text": text[:40]},
            description=f"{text}\n\n— {contact}",
            now=now,
            source=visitor.channel.kind,
            shop=visitor.channel.shop,
            team=visitor.channel.team,
        )
    due = getattr(ticket, "first_response_due_at", None)
    if due is None:
        due = next_opening(visitor.channel, now) + ANSWER_WITHIN
    return ticket, due
