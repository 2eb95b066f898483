from __future__ import annotations

from django.db.models import QuerySet

from kefu.accounts.choices import Presence
from kefu.accounts.models import ApiToken, User
from kefu.core import clock


def user_for_token(raw: str) -> User | None:
    """The active user a bearer token belongs to, or None; records its last use."""
    if not raw or len(raw) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash(raw), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=clock.now())
    return token.user


def online_agents() -> QuerySet[User]:
    return User.objects.filter(is_active=True, presence=Presence.ONLINE)
