"""Included from kefu.web.urls (names live in the ``web`` namespace, prefixed ``intake-``)."""

from django.urls import path

from kefu.intake import views

urlpatterns = [
    path("mail/<int:pk>/", views.mail_original, name="intake-mail"),
    path("mail/<int:pk>/raw/", views.mail_raw, name="intake-mail-raw"),
    path("mail/<int:pk>/retry/", views.mail_retry, name="intake-mail-retry"),
    path("mail/attachments/<int:pk>/", views.mail_attachment, name="intake-mail-attachment"),
    path("calls/", views.call_list, name="intake-calls"),
    path("calls/new/", views.call_new, name="intake-call-new"),
    path("calls/<int:pk>/", views.call_detail, name="intake-call"),
    path("calls/callbacks/<int:pk>/done/", views.callback_done, name="intake-callback-done"),
]
