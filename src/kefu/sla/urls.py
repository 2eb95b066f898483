"""Workspace pages of the SLA app (included from kefu.web.urls, in the ``web`` namespace)."""

from django.urls import path

from kefu.sla import views

urlpatterns = [
    path("sla/", views.simulator, name="sla"),
    path("sla/at-risk/", views.at_risk, name="sla-at-risk"),
]
