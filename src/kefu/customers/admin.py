from django.contrib import admin

from kefu.core.admin import ReadOnlyAdmin, ReadOnlyInline
from kefu.customers.models import Customer, CustomerAddress, CustomerIdentity, CustomerRemark, Tag


class IdentityInline(ReadOnlyInline):
    model = CustomerIdentity
    fields = ("kind", "value", "verified", "failing")
    readonly_fields = fields


class AddressInline(ReadOnlyInline):
    model = CustomerAddress
    fields = ("name", "phone", "province", "city", "district", "detail", "is_default")
    readonly_fields = fields


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ("name", "salutation", "vip_tier", "customer_type", "score", "owner")
    list_filter = ("vip_tier", "customer_type", "tags")
    search_fields = ("name", "company", "identities__value")
    inlines = [IdentityInline, AddressInline]


@admin.register(CustomerRemark)
class CustomerRemarkAdmin(ReadOnlyAdmin):
    list_display = ("customer", "kind", "text", "author", "created_at")


admin.site.register(Tag)
