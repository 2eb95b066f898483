"""Workspace pages of the assist app (included from kefu.web.urls, in the ``web`` namespace)."""

from django.urls import URLPattern, URLResolver, path

from kefu.assist import views

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "assist/conversations/<int:pk>/suggestions/",
        views.conversation_suggestions,
        name="assist-suggestions",
    ),
]
