"""Working on one chat together (issue 15): transfer to a colleague or a team with a note, invite a
colleague into the chat (协同: a participant who replies too), and a supervisor's whisper — an
internal note only agents see, addressed to whoever serves the chat.

Edges call the ``check_*`` actions (the cockpit's side panel, ``kefu.conversations.views``); they are
registered with their permissions like every action, so tests/test_permission_matrix.py covers them.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kefu.conversations.actions import INBOX_STREAM, do_assign, do_post_message
from kefu.conversations.choices import AuthorKind, ConversationStatus
from kefu.conversations.models import Conversation, Message, Participant
from kefu.core import clock
from kefu.core.actions import action
from kefu.core.errors import Conflict, ValidationFailed
from kefu.core.events import notify, publish, record_audit

NOTE_MAX = 2000


def _note(note: str, *, required: bool = False) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationFailed(_("A note has at most 2,000 characters."))
    if required and not note:
        raise ValidationFailed(_("Write the note."))
    return note


def _open(conversation: Conversation) -> None:
    if conversation.status == ConversationStatus.CLOSED:
        raise ValidationFailed(_("This conversation is closed."))


@action("conversations.assign_conversation")
def check_transfer(
    conversation: Conversation, *, actor: Any, assignee: Any = None, team: Any = None, note: str = ""
) -> Conversation:
    """Hand the chat to a colleague or a team; the note goes to them as an internal message first."""
    if assignee is None and team is None:
        raise ValidationFailed(_("Choose a colleague or a team to transfer to."))
    if assignee is not None and assignee.pk == conversation.assignee_id and team is None:
        raise ValidationFailed(_("This colleague already serves the chat."))
    _open(conversation)
    return do_assign(
        conversation,
        assignee=assignee,
        team=team,
        actor=actor,
        now=clock.now(),
        note=_note(note),
        reason="transfer",
    )


@action("conversations.assign_conversation")
def check_invite(conversation: Conversation, colleague: Any, *, actor: Any, note: str = "") -> Participant:
    """Invite ``colleague`` into the chat: it shows in their cockpit and they may reply in it."""
    if colleague is None or not getattr(colleague, "is_active", False):
        raise ValidationFailed(_("Choose a colleague to invite."))
    if colleague.pk == conversation.assignee_id:
        raise ValidationFailed(_("This colleague already serves the chat."))
    _open(conversation)
    note = _note(note)
    now = clock.now()
    name = colleague.get_full_name() or colleague.get_username()
    try:
        with transaction.atomic():
            participant = Participant.objects.create(
                conversation=conversation, user=colleague, invited_by=actor, created_at=now
            )
            text = _("%(name)s was invited into the chat.") % {"name": name}
            do_post_message(
                conversation,
                author_kind=AuthorKind.SYSTEM,
                text=f"{text} {note}".strip(),
                author=actor,
                now=now,
                is_internal=True,
            )
            record_audit(conversation, "conversation.invited", actor=actor, now=now, data={"user": colleague.pk})
            payload = {"conversation": conversation.pk, "user": colleague.pk, "name": name}
            publish(conversation.stream_key, "conversation", "invited", payload, now=now)
            notify(INBOX_STREAM, "conversation", "invited", {**payload, "assignee": colleague.pk}, now=now)
    except IntegrityError:
        raise Conflict(_("%(name)s is already in this chat.") % {"name": name}) from None
    return participant


@action("accounts.manage_agents")
def check_whisper(conversation: Conversation, text: str, *, actor: Any) -> tuple[Message, bool]:
    """A supervisor's whisper: an internal note (never sent to the customer) that the serving agent
    sees in the thread, marked as a whisper."""
    text = _note(text, required=True)
    _open(conversation)
    return do_post_message(
        conversation,
        author_kind=AuthorKind.AGENT,
        text=_("Whisper: %(text)s") % {"text": text},
        author=actor,
        now=clock.now(),
        is_internal=True,
    )


def participants(conversation: Conversation) -> list[Participant]:
    return list(conversation.participants.select_related("user").order_by("created_at"))
