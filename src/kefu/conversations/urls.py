"""Workspace pages of the conversations app (included from kefu.web.urls, in the ``web`` namespace)."""

from django.urls import path

from kefu.conversations import cockpit, views

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/rows/", views.inbox_rows, name="inbox-rows"),
    path("inbox/badge/", views.unread_badge, name="inbox-badge"),
    path("inbox/pick/", views.pick_next, name="inbox-pick"),
    path("channels/", views.channels, name="channels"),
    path("conversations/<int:pk>/", views.conversation_detail, name="conversation"),
    path("conversations/<int:pk>/reply/", views.conversation_reply, name="conversation-reply"),
    path("conversations/<int:pk>/status/", views.conversation_status, name="conversation-status"),
    path("conversations/<int:pk>/assign/", views.conversation_assign, name="conversation-assign"),
    path("conversations/<int:pk>/classify/", views.conversation_classify, name="conversation-classify"),
    path("cockpit/list/", cockpit.cockpit_list, name="cockpit-list"),
    path("conversations/<int:pk>/pane/", cockpit.conversation_pane, name="conversation-pane"),
    path("conversations/<int:pk>/transfer/", cockpit.conversation_transfer, name="conversation-transfer"),
    path("conversations/<int:pk>/invite/", cockpit.conversation_invite, name="conversation-invite"),
    path("conversations/<int:pk>/whisper/", cockpit.conversation_whisper, name="conversation-whisper"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
]
