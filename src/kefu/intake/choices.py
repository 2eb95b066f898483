from django.db import models
from django.utils.translation import gettext_lazy as _


class MailSource(models.TextChoices):
    SMTP = "smtp", _("SMTP server")
    IMAP = "imap", _("IMAP mailbox")
    CLI = "cli", _("Command line")
    OUTBOUND = "outbound", _("Sent by kefu")


class IngestStatus(models.TextChoices):
    PENDING = "pending", _("Received, not yet read")
    CREATED = "created", _("New ticket")
    APPENDED = "appended", _("Added to a ticket")
    DUPLICATE = "duplicate", _("Duplicate")
    BOUNCE = "bounce", _("Bounce")
    AUTO_REPLY = "auto_reply", _("Automatic reply")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed to process")


class Direction(models.TextChoices):
    INBOUND = "in", _("Inbound")
    OUTBOUND = "out", _("Outbound")


class MailKind(models.TextChoices):
    NORMAL = "normal", _("Mail")
    AUTO_REPLY = "auto_reply", _("Automatic reply")
    BOUNCE = "bounce", _("Bounce")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    RETRYING = "retrying", _("Retrying")
    FAILED = "failed", _("Failed")


class CallDirection(models.TextChoices):
    INBOUND = "in", _("Inbound call")
    OUTBOUND = "out", _("Outbound call")


class CallOutcome(models.TextChoices):
    RINGING = "ringing", _("Ringing")
    IN_PROGRESS = "in_progress", _("In progress")
    ANSWERED = "answered", _("Answered")
    MISSED = "missed", _("Missed")
    VOICEMAIL = "voicemail", _("Voicemail")
    CALLBACK = "callback", _("Callback arranged")


class ContactMedium(models.TextChoices):
    PHONE = "phone", _("Phone call")
    FACE_TO_FACE = "face_to_face", _("Face to face")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
