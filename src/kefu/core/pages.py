"""Small pieces every workspace page uses: the page's permission check, running an action and
reporting its outcome, going back to where the agent came from.

An edge helper kept in ``core`` so that every app's ``views.py`` can use it without importing
``kefu.web`` (``web`` sits on top and imports the apps; see docs/adr/0010-import-contract.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

from kefu.core.actions import has_perm
from kefu.core.errors import KefuError


def need(request: HttpRequest, perm: str, *, hide: bool = False) -> None:
    """The one page-permission check: a role that may not see the page gets 403 (Django's
    ``PermissionDenied``, the 403 page — never a server error), or 404 with ``hide=True`` for
    pages whose very existence is not the role's business (the mail and call records)."""
    if not has_perm(request.user, perm):
        if hide:
            raise Http404
        raise PermissionDenied(perm)


def attempt(request: HttpRequest, fn: Callable[[], Any], success: str | None = None) -> bool:
    """Run an action; its refusal becomes an error message on the next page."""
    try:
        fn()
    except KefuError as exc:
        messages.error(request, exc.message)
        return False
    if success:
        messages.success(request, success)
    return True


def back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    """Redirect to ``next`` (POST or GET) when it stays on this site, else to ``fallback``."""
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, {request.get_host()}):
        return HttpResponseRedirect(nxt)
    return HttpResponseRedirect(fallback)
