from django.contrib import admin

from kefu.customers.models import Customer, CustomerAddress, CustomerIdentity, CustomerRemark, Tag


class IdentityInline(admin.TabularInline):
    model = CustomerIdentity
    extra = 0


class AddressInline(admin.TabularInline):
    model = CustomerAddress
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "salutation", "vip_tier", "customer_type", "score", "owner")
    list_filter = ("vip_tier", "customer_type", "tags")
    search_fields = ("name", "company", "identities__value")
    inlines = [IdentityInline, AddressInline]


admin.site.register(Tag)
admin.site.register(CustomerRemark)
