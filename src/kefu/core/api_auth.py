"""Who may call the REST API: a bearer token or the workspace session, optionally with the
route's permission checked before ninja parses anything (:func:`needs`).

In ``core`` so that every app's ``api.py`` can import :func:`needs` without importing ``kefu.web``
(which imports those modules to mount their routers).  Which user a bearer token stands for is the
accounts app's business: it registers its lookup here from ``AccountsConfig.ready()``
(:func:`register_token_lookup`), so ``core`` imports no domain app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from kefu.core.actions import require

_token_lookup: Callable[[str], Any] | None = None


def register_token_lookup(lookup: Callable[[str], Any]) -> None:
    """Set the function that maps a raw API token to its active user (or None)."""
    global _token_lookup
    _token_lookup = lookup


def user_for_token(raw: str) -> Any:
    if _token_lookup is None:
        raise RuntimeError("no API token lookup registered (is kefu.accounts installed?)")
    return _token_lookup(raw)


class BearerAuth(HttpBearer):
    def __init__(self, perm: str = "") -> None:
        super().__init__()
        self.perm = perm

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
            if self.perm:
                require(user, self.perm)  # 403 before the body and query are parsed
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in workspace session; CSRF is checked for unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self, perm: str = "") -> None:
        super().__init__()
        self.perm = perm

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if self.perm:
                require(user, self.perm)
            return user
        return None


def needs(perm: str) -> list[Any]:
    """``auth=needs("app.perm")`` on a route: the caller is authenticated AND authorised
    before ninja parses the body and query, so a forbidden caller with a bad body gets 403,
    not 400.  The view (or its ``check_*`` action) still checks; this only answers first."""
    return [BearerAuth(perm), SessionAuth(perm)]
