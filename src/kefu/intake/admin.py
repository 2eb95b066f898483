from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from kefu.core.admin import ReadOnlyAdmin, ReadOnlyInline
from kefu.intake.models import CallbackTask, CallRecord, FailingAddress, MailAttachment, Mailbox, MailMessage, RawMail


class MailboxForm(forms.ModelForm):  # type: ignore[type-arg]
    # Write-only: never rendered back (the stored value is encrypted at rest, kefu.core.secrets).
    password = forms.CharField(widget=forms.PasswordInput(render_value=False), required=False, max_length=200)

    class Meta:
        model = Mailbox
        fields = ("name", "channel", "host", "port", "use_ssl", "username", "password", "folder", "is_active")

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password") or ""
        if not password and self.instance.pk:
            return self.instance.password  # blank keeps the stored one (an unreadable one too)
        if not password:
            raise forms.ValidationError(forms.Field.default_error_messages["required"])
        return str(password)


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Mailboxes are configuration (like channels), edited here."""

    form = MailboxForm
    list_display = ("name", "username", "host", "folder", "channel", "is_active", "last_polled_at", "last_error")
    readonly_fields = ("uidvalidity", "last_uid", "last_polled_at", "last_error")


@admin.register(RawMail)
class RawMailAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "source", "size", "status", "error")
    list_filter = ("source", "status")


class MailAttachmentInline(ReadOnlyInline):
    model = MailAttachment
    fields = ("name", "content_type", "size", "inline")


@admin.register(MailMessage)
class MailMessageAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "direction", "kind", "from_address", "subject", "ticket", "delivery_status")
    list_filter = ("direction", "kind", "delivery_status")
    search_fields = ("msgid", "subject", "from_address")
    inlines = (MailAttachmentInline,)


@admin.register(FailingAddress)
class FailingAddressAdmin(ReadOnlyAdmin):
    list_display = ("address", "status", "bounces", "last_failed_at")

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)  # an address that works again can be cleared


@admin.register(CallRecord)
class CallRecordAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "medium", "direction", "number", "customer", "agent", "outcome", "ticket")
    list_filter = ("medium", "direction", "outcome")


@admin.register(CallbackTask)
class CallbackTaskAdmin(ReadOnlyAdmin):
    list_display = ("call", "team", "status", "due_at", "done_at")
    list_filter = ("status",)
