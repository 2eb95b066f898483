from django.contrib import admin

from kefu.shops.models import Product, Shop


class ProductInline(admin.TabularInline):
    model = Product
    extra = 0


@admin.register(Shop)
class ShopAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "phone")
    inlines = [ProductInline]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("sku", "name", "shop", "price", "warranty_months", "custom_made")
    list_filter = ("shop", "custom_made")
    search_fields = ("sku", "name")
