"""The search page ``/search/?q=…`` and the results fragment the Ctrl+K overlay shows."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kefu.core.errors import ValidationFailed
from kefu.finder.api import parse_query
from kefu.finder.query import LABELS, allowed_types, search


def _groups(results: list[Any]) -> list[dict[str, Any]]:
    groups: dict[str, list[Any]] = {}
    for r in results:
        groups.setdefault(r.type, []).append(r)
    return [{"type": kind, "label": LABELS[kind], "results": rows} for kind, rows in groups.items()]


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    """Full results (10 of each kind) or, with ``fragment=1``, the overlay's grouped list (5)."""
    if not allowed_types(request.user):
        raise PermissionDenied
    fragment = request.GET.get("fragment") == "1"
    q = request.GET.get("q", "")
    context: dict[str, Any] = {"q": q, "groups": [], "error": "", "searched": False}
    status = 200
    if q.strip():
        try:
            text, kinds, count = parse_query(q, request.GET.get("types", ""), "5" if fragment else "10")
        except ValidationFailed as exc:
            context["error"], status = exc.message, 400
        else:
            context["groups"] = _groups(search(request.user, text, types=kinds, limit=count))
            context["searched"] = True
    template = "finder/_results.html" if fragment else "finder/search.html"
    return render(request, template, context, status=status)
