from django.contrib import admin

from kefu.core.admin import ReadOnlyAdmin, ReadOnlyInline
from kefu.tickets.models import Ticket, TicketRemark


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
