"""The customer pages of the workspace (included from kefu.web.urls, in the ``web`` namespace)."""

from django.urls import path

from kefu.customers import views

urlpatterns = [
    path("customers/", views.customer_list, name="customers"),
    path("customers/<int:pk>/", views.customer_detail, name="customer"),
    path("customers/<int:pk>/remark/", views.customer_remark, name="customer-remark"),
    path("customers/<int:pk>/<slug:op>/", views.customer_update, name="customer-update"),
]
