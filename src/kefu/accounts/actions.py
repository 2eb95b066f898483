"""Writes to staff accounts, teams and API tokens."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from kefu.accounts.choices import Presence, Role, TeamKind
from kefu.accounts.models import ApiToken, Team, TeamMembership, User
from kefu.core import clock
from kefu.core.actions import action, require
from kefu.core.errors import ValidationFailed
from kefu.core.events import publish, record_audit

TOKEN_PREFIX = "kefu_"  # noqa: S105 - a public prefix, not a secret


def do_set_presence(user: User, presence: str, *, now: datetime) -> User:
    if presence not in Presence.values:
        raise ValidationFailed(_("Unknown presence “%(value)s”.") % {"value": presence})
    with transaction.atomic():
        if user.presence != presence:
            User.objects.filter(pk=user.pk).update(presence=presence, presence_changed_at=now)
            user.presence, user.presence_changed_at = presence, now
            publish("agents", "agent", "presence", {"user": user.pk, "presence": presence}, now=now)
    return user


@action("accounts.set_presence")
def check_set_presence(user: User, presence: str, *, actor: User) -> User:
    if actor.pk != user.pk:
        require(actor, "accounts.manage_agents")
    return do_set_presence(user, presence, now=clock.now())


@action("accounts.manage_agents")
def check_set_max_chats(user: User, limit: int, *, actor: User) -> User:
    try:
        value = int(limit)
    except (TypeError, ValueError):
        value = -1
    if not 0 <= value <= 50:
        raise ValidationFailed(_("The chat limit must be between 0 and 50."))
    now = clock.now()
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(max_concurrent_chats=value)
        record_audit(user, "user.max_chats", actor=actor, now=now, data={"max": value})
    user.max_concurrent_chats = value
    return user


def do_set_language(user: User, language: str) -> User:
    """The agent's own UI language, remembered across devices (no permission needed)."""
    from django.conf import settings

    if language not in dict(settings.LANGUAGES):
        raise ValidationFailed(_("Unknown language."))
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
    return user


def do_create_team(
    name: str,
    *,
    kind: str = TeamKind.TEAM,
    leader: User | None = None,
    is_vip: bool = False,
    now: datetime,
    actor: User | None = None,
) -> Team:
    name = name.strip()
    if not name:
        raise ValidationFailed(_("A team needs a name."))
    if Team.objects.filter(name=name).exists():
        raise ValidationFailed(_("A team named “%(name)s” already exists.") % {"name": name})
    with transaction.atomic():
        team = Team.objects.create(name=name, kind=kind, leader=leader, is_vip=is_vip, created_at=now)
        record_audit(team, "team.created", actor=actor, now=now)
    return team


@action("accounts.manage_teams")
def check_create_team(
    name: str, *, actor: User, kind: str = TeamKind.TEAM, leader: User | None = None, is_vip: bool = False
) -> Team:
    if kind not in TeamKind.values:
        raise ValidationFailed(_("Unknown team kind."))
    return do_create_team(name, kind=kind, leader=leader, is_vip=is_vip, now=clock.now(), actor=actor)


def do_add_team_member(team: Team, user: User, *, now: datetime, actor: User | None = None) -> TeamMembership:
    with transaction.atomic():
        membership, created = TeamMembership.objects.get_or_create(team=team, user=user, defaults={"joined_at": now})
        if created:
            record_audit(team, "team.member_added", actor=actor, now=now, data={"user": user.pk})
    return membership


@action("accounts.manage_teams")
def check_add_team_member(team: Team, user: User, *, actor: User) -> TeamMembership:
    return do_add_team_member(team, user, now=clock.now(), actor=actor)


def do_create_user(
    username: str, *, password: str, role: str, display_name: str = "", email: str = "", now: datetime
) -> User:
    from django.contrib.auth.models import Group

    if role not in Role.values:
        raise ValidationFailed(_("Unknown role “%(role)s”.") % {"role": role})
    user = User.objects.create_user(
        username=username,
        password=password,
        email=email,
        display_name=display_name,
        is_staff=role in (Role.SUPERVISOR, Role.ADMIN),
        is_superuser=role == Role.ADMIN,
        date_joined=now,
    )
    user.groups.add(Group.objects.get(name=role))
    return user


def do_create_api_token(
    user: User, *, name: str = "", now: datetime, actor: User | None = None
) -> tuple[ApiToken, str]:
    """Returns the token row and the raw token, which is shown once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, prefix=raw[: len(TOKEN_PREFIX) + 6], key_hash=ApiToken.hash(raw), created_at=now
        )
        record_audit(user, "api_token.created", actor=actor, now=now, data={"token": token.pk, "prefix": token.prefix})
    return token, raw


@action("accounts.manage_tokens")
def check_create_api_token(user: User, *, actor: User, name: str = "") -> tuple[ApiToken, str]:
    return do_create_api_token(user, name=name, now=clock.now(), actor=actor)


@action("accounts.manage_tokens")
def check_revoke_api_token(token: ApiToken, *, actor: User) -> ApiToken:
    if token.revoked_at is None:
        now = clock.now()
        with transaction.atomic():
            token.revoked_at = now
            ApiToken.objects.filter(pk=token.pk).update(revoked_at=now)
            record_audit(token.user, "api_token.revoked", actor=actor, now=now, data={"token": token.pk})
    return token
