from django.contrib import admin

from kefu.tickets.models import Ticket, TicketRemark


class RemarkInline(admin.TabularInline):
    model = TicketRemark
    extra = 0
    readonly_fields = ("author", "text", "created_at")


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ("id", "subject", "type", "status", "priority", "customer", "assignee", "team", "updated_at")
    list_filter = ("status", "type", "priority", "team")
    search_fields = ("subject", "description")
    readonly_fields = ("status",)
    inlines = [RemarkInline]
