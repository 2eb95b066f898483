from django.contrib import admin

from kefu.core.admin import ReadOnlyAdmin, ReadOnlyInline
from kefu.tickets.models import Ticket, TicketField, TicketRemark


class RemarkInline(ReadOnlyInline):
    model = TicketRemark
    fields = ("author", "text", "created_at")
    readonly_fields = fields


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ("id", "subject", "type", "status", "priority", "customer", "assignee", "team", "updated_at")
    list_filter = ("status", "type", "priority", "team")
    search_fields = ("subject", "description")
    inlines = [RemarkInline]


@admin.register(TicketField)
class TicketFieldAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Custom fields per ticket type: configuration, edited here by administrators."""

    list_display = ("ticket_type", "position", "label", "key", "kind", "required")
    list_filter = ("ticket_type", "kind")
    list_editable = ("position",)
