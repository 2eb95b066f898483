"""``/favicon.ico``: browsers ask for it on every site whatever the page's ``<link rel="icon">`` says
(and so do bookmarks, tabs restored from history, the widget's host pages). It answered 404."""

from __future__ import annotations

from functools import cache
from importlib import resources

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET


@cache
def _icon() -> bytes:
    return resources.files("kefu.web").joinpath("static/kefu/favicon.ico").read_bytes()


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_icon(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=604800"
    return response
