from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kefu.conversations.choices import AuthorKind, ChannelKind, ConversationStatus, RoutingStrategy
from kefu.core.choices import Priority, ServiceClass, Stage


class Channel(models.Model):
    """A configured way in: a web widget, a mailbox, a hotline, a platform account …"""

    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=20, choices=ChannelKind.choices)
    key = models.SlugField(_("key"), max_length=60, unique=True)
    shop = models.ForeignKey("shops.Shop", verbose_name=_("shop"), null=True, blank=True, on_delete=models.SET_NULL)
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("default team"), null=True, blank=True, on_delete=models.SET_NULL
    )
    config = models.JSONField(_("settings"), default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Live chat (web widget): routing, hours, the visitor's first screen.
    secret = models.CharField(
        _("signing secret"),
        max_length=64,
        blank=True,
        help_text=_("HMAC key with which your site signs customer tokens for the widget. Keep it private."),
    )
    routing = models.CharField(
        _("routing strategy"), max_length=12, choices=RoutingStrategy.choices, default=RoutingStrategy.LEAST_BUSY
    )
    vip_team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("VIP team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("VIP customers are routed to this team first."),
    )
    prechat_form = models.BooleanField(
        _("pre-chat form"), default=False, help_text=_("Ask for a name and phone number before the chat starts.")
    )
    hours = models.JSONField(
        _("opening hours"),
        default=list,
        blank=True,
        help_text=_(
            'Empty: always open. Otherwise a list like [{"days": [0,1,2,3,4], "start": "09:00", "end": "18:00"}] '
            "(0 = Monday), in the server's time zone."
        ),
    )
    welcome = models.CharField(
        _("welcome line"), max_length=200, blank=True, help_text=_("Shown to the visitor before the chat starts.")
    )

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Conversation(models.Model):
    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), on_delete=models.PROTECT, related_name="conversations"
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="conversations"
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ConversationStatus.choices, default=ConversationStatus.OPEN
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_conversations",
    )
    service_class = models.CharField(_("service class"), max_length=20, choices=ServiceClass.choices, blank=True)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, blank=True)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    snoozed_until = models.DateTimeField(_("snoozed until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    first_customer_message_at = models.DateTimeField(null=True, blank=True)
    first_agent_reply_at = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    waiting_since = models.DateTimeField(
        _("waiting since"), null=True, blank=True, help_text=_("The customer's oldest unanswered message.")
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Live chat: the queue, the routing decision, and how far each side has read.
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    routing = models.JSONField(_("routing decision"), default=dict, blank=True)
    visitor_read_upto = models.BigIntegerField(default=0)
    agent_read_upto = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-last_message_at", "-id"]
        indexes = [
            models.Index(fields=["status", "assignee"]),
            models.Index(fields=["status", "team"]),
            models.Index(fields=["status", "snoozed_until"]),
            models.Index(fields=["assignee", "queued_at"]),
        ]
        permissions = [
            ("reply_conversation", _("Can reply to customers in a conversation")),
            ("add_note", _("Can add internal notes")),
            ("assign_conversation", _("Can assign and transfer conversations")),
            ("change_conversation_status", _("Can resolve, reopen, snooze conversations")),
            ("classify_conversation", _("Can classify conversations")),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject or self.customer}"

    @property
    def stream_key(self) -> str:
        return f"conversation:{self.pk}"


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    author_kind = models.CharField(_("author"), max_length=10, choices=AuthorKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("text"), blank=True)
    is_internal = models.BooleanField(_("internal note"), default=False)
    client_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "client_id"], condition=~Q(client_id=""), name="message_client_id_unique"
            )
        ]

    def __str__(self) -> str:
        return self.text[:40]


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.message.conversation_id}/{instance.message_id}/{filename}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=60)
    size = models.PositiveBigIntegerField()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def url(self) -> str:
        """Served by an authenticated view with the checked content type, never as /media/."""
        from django.urls import reverse

        return reverse("web:attachment", args=[self.pk])


class Participant(models.Model):
    """A colleague invited into a chat (协同) besides its assignee: it shows in their cockpit and
    they reply in it like the assignee.  Written by :func:`kefu.conversations.collab.check_invite`."""

    conversation = models.ForeignKey(
        Conversation, verbose_name=_("conversation"), on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        "accounts.User", verbose_name=_("colleague"), on_delete=models.CASCADE, related_name="chat_invitations"
    )
    invited_by = models.ForeignKey(
        "accounts.User", verbose_name=_("invited by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("chat participant")
        verbose_name_plural = _("chat participants")
        constraints = [models.UniqueConstraint(fields=["conversation", "user"], name="participant_once")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.conversation_id}"
