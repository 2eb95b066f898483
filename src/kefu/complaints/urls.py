"""Workspace pages of the complaints app (included from kefu.web.urls, in the ``web`` namespace)."""

from django.urls import URLPattern, URLResolver, path

from kefu.complaints import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("complaints/", views.complaint_list, name="complaints"),
    path("complaints/new/", views.complaint_new, name="complaint-new"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint"),
    path("complaints/<int:pk>/event/", views.complaint_event, name="complaint-event"),
    path("complaints/<int:pk>/claim/", views.complaint_claim, name="complaint-claim"),
    path("complaints/<int:pk>/note/", views.complaint_note, name="complaint-note"),
    path("complaints/tasks/<int:pk>/done/", views.task_done, name="complaint-task-done"),
    path(
        "complaints/from-conversation/<int:pk>/", views.complaint_from_conversation, name="complaint-from-conversation"
    ),
    path("complaints/from-ticket/<int:pk>/", views.complaint_from_ticket, name="complaint-from-ticket"),
    path("c/<str:token>/", views.complaint_public, name="complaint-public"),
    path("staff/<str:username>/record/", views.staff_record, name="staff-record"),
    path("staff/record/<int:pk>/", views.staff_record_entry, name="staff-record-entry"),
]
