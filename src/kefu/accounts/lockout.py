"""Sign-in rate limit and lockout (docs/logins.md).

Every password sign-in (the workspace's ``/login/`` and the Django admin's) goes through
``authenticate()``, so the check lives in an authentication backend, :class:`LockoutBackend`:

* ``USER_LIMIT`` (5) failures for one user name within ``WINDOW`` (15 min) lock that user name;
* ``IP_LIMIT`` (20) failures from one client address within the window lock that address
  (higher: an office behind one NAT shares it);
* while locked, even the right password is refused, with a message that says until when; the
  lock lifts by itself when the oldest counted failure leaves the window; a successful sign-in
  clears the user name's failures.

Failures are rows (``accounts.LoginFailure``), so every web process and restart sees the same counts.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.accounts.models import LoginFailure
from kefu.core import clock

USER_LIMIT = 5
IP_LIMIT = 20
WINDOW = timedelta(minutes=15)
KEEP = timedelta(days=1)  # older rows are deleted when a new failure is recorded


def client_ip(request: HttpRequest | None) -> str:
    return str((request.META.get("REMOTE_ADDR") if request is not None else "") or "")[:64]


def _key(username: str) -> str:
    return str(username or "").strip().casefold()[:150]


def locked_until(username: str, ip: str, now: datetime) -> datetime | None:
    """When the lock on this user name or address lifts, or ``None`` when there is none."""
    since = now - WINDOW
    until: list[datetime] = []
    for field, value, limit in (("username", _key(username), USER_LIMIT), ("ip", ip, IP_LIMIT)):
        if not value:
            continue
        times = list(
            LoginFailure.objects.filter(**{field: value}, at__gt=since)
            .order_by("-at")
            .values_list("at", flat=True)[:limit]
        )
        if len(times) >= limit:
            until.append(times[-1] + WINDOW)
    return max(until) if until else None


def do_record_login_failure(username: str, ip: str, *, now: datetime) -> None:
    LoginFailure.objects.create(username=_key(username), ip=ip, at=now)
    LoginFailure.objects.filter(at__lt=now - KEEP).delete()


def do_clear_login_failures(username: str) -> None:
    LoginFailure.objects.filter(username=_key(username)).delete()


class LockoutBackend(ModelBackend):
    """Django's ModelBackend behind the lockout."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username is None or password is None:
            return super().authenticate(request, username=username, password=password, **kwargs)
        now = clock.now()
        ip = client_ip(request)
        until = locked_until(username, ip, now)
        if until is not None:
            if request is not None:
                request.kefu_locked_until = until  # type: ignore[attr-defined]
            raise PermissionDenied  # stops authenticate(): no other backend is asked
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            do_record_login_failure(username, ip, now=now)
            until = locked_until(username, ip, now)
            if until is not None and request is not None:
                request.kefu_locked_until = until  # type: ignore[attr-defined]
        else:
            do_clear_login_failures(username)
        return user


def lockout_message(until: datetime, now: datetime) -> str:
    minutes = max(1, int((until - now).total_seconds() + 59) // 60)
    return _(
        "Too many failed sign-ins. This account or address is locked for %(minutes)d more minutes "
        "(until %(time)s). Try again then, or ask an administrator."
    ) % {"minutes": minutes, "time": timezone.localtime(until).strftime("%H:%M")}


class LockoutMessageMixin:
    """For a login form: say that the sign-in is locked and until when, not "wrong password"."""

    request: HttpRequest | None

    def get_invalid_login_error(self) -> ValidationError:
        until = getattr(self.request, "kefu_locked_until", None)
        if until is not None:
            return ValidationError(lockout_message(until, clock.now()), code="locked")
        return super().get_invalid_login_error()  # type: ignore[misc]


class LockoutAdminLoginForm(LockoutMessageMixin, AdminAuthenticationForm):
    pass


class LockoutLoginForm(LockoutMessageMixin, AuthenticationForm):
    pass
