"""Workspace pages of the aftersales app (included from kefu.web.urls, in the ``web`` namespace)."""

from django.urls import URLPattern, URLResolver, path

from kefu.aftersales import views, views_service

urlpatterns: list[URLPattern | URLResolver] = [
    path("orders/", views.order_list, name="orders"),
    path("orders/new/", views.order_new, name="order-new"),
    path("orders/import/", views.order_import, name="order-import"),
    path("orders/import/template.<str:fmt>", views.import_template, name="order-import-template"),
    path("orders/link/", views.order_link, name="order-link"),
    path("orders/cod/", views.cod_queue, name="cod-queue"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("orders/<int:pk>/do/", views.order_do, name="order-do"),
    path("orders/<int:pk>/cod/", views.cod_call, name="cod-call"),
    path("shipments/<int:pk>/do/", views.shipment_do, name="shipment-do"),
    path("logistics/", views.logistics, name="logistics"),
    path("logistics/<int:pk>/do/", views.logistics_do, name="logistics-do"),
    path("shipping-rates/", views.shipping_rates, name="shipping-rates"),
    path("shipping/quote/", views.shipping_quote, name="shipping-quote"),
    path("service-orders/", views_service.service_orders, name="service-orders"),
    path("service-orders/new/", views_service.service_order_new, name="service-order-new"),
    path("service-orders/<int:pk>/", views_service.service_order, name="service-order"),
    path("service-orders/<int:pk>/do/", views_service.service_order_do, name="service-order-do"),
    path("warranty-reminders/", views_service.reminders, name="reminders"),
    path("warranty-reminders/<int:pk>/do/", views_service.reminder_do, name="reminder-do"),
]
