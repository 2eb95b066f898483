"""Who may call the REST API: a bearer token or the workspace session, optionally with the
route's permission checked before ninja parses anything (:func:`needs`).

A module of its own so that every app's ``api.py`` can import :func:`needs` without importing
:mod:`kefu.web.api`, which imports those modules to mount their routers.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from kefu.accounts.selectors import user_for_token
from kefu.core.actions import require


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
