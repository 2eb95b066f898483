"""Ticket pages of the workspace, included from kefu.web.urls (in the ``web`` namespace)."""

from django.urls import path

from kefu.tickets import views

urlpatterns = [
    path("tickets/", views.ticket_list, name="tickets"),
    path("tickets/new/", views.ticket_new, name="ticket-new"),
    path("tickets/bulk/", views.ticket_bulk, name="ticket-bulk"),
    path("tickets/views/", views.saved_view_save, name="ticket-view-save"),
    path("tickets/views/<int:pk>/delete/", views.saved_view_delete, name="ticket-view-delete"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket"),
    path("tickets/<int:pk>/event/", views.ticket_event, name="ticket-event"),
    path("tickets/<int:pk>/remark/", views.ticket_remark, name="ticket-remark"),
    path("tickets/<int:pk>/edit/", views.ticket_update, name="ticket-update"),
    path("tickets/<int:pk>/assign/", views.ticket_assign, name="ticket-assign"),
    path("tickets/<int:pk>/tags/", views.ticket_tags, name="ticket-tags"),
    path("tickets/<int:pk>/fields/", views.ticket_fields, name="ticket-fields"),
    path("tickets/<int:pk>/sla/", views.ticket_sla, name="ticket-sla"),
    path("tickets/<int:pk>/link/", views.ticket_link, name="ticket-link"),
    path("tickets/<int:pk>/merge/", views.ticket_merge, name="ticket-merge"),
    path("tickets/<int:pk>/split/", views.ticket_split, name="ticket-split"),
    path("tickets/<int:pk>/macro/", views.ticket_macro, name="ticket-macro"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
]
