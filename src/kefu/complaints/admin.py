from django.contrib import admin

from kefu.complaints.models import Complaint, ComplaintSettings, StaffFault
from kefu.core.admin import ReadOnlyAdmin


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    """Complaints change only through the procedure (the workspace and the API)."""

    list_display = ("id", "customer", "channel", "severity", "status", "handler", "level", "received_at")
    list_filter = ("status", "channel", "severity", "level")
    search_fields = ("summary", "wants")


@admin.register(StaffFault)
class StaffFaultAdmin(ReadOnlyAdmin):
    list_display = ("staff", "complaint", "verified_at", "level_at_verification", "appeal_status", "decided_at")
    list_filter = ("appeal_status", "level_at_verification")


@admin.register(ComplaintSettings)
class ComplaintSettingsAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The contact deadline and the staff record's rolling period (one row)."""

    list_display = ("__str__", "contact_minutes", "record_period_months")

    def has_add_permission(self, request: object) -> bool:
        return not ComplaintSettings.objects.exists()

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
