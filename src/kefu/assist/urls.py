"""Workspace pages of the assist app (included from kefu.web.urls, in the ``web`` namespace)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
