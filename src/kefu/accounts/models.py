from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.accounts.choices import Presence, Role, TeamKind


class User(AbstractUser):
    """A member of staff.  Roles are permission groups (see ``roles.py``)."""

    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    presence = models.CharField(_("presence"), max_length=10, choices=Presence.choices, default=Presence.OFFLINE)
    presence_changed_at = models.DateTimeField(_("presence changed at"), null=True, blank=True)
    max_concurrent_chats = models.PositiveSmallIntegerField(_("maximum concurrent chats"), default=5)
    last_routed_at = models.DateTimeField(_("last chat routed at"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        permissions = [
            ("set_presence", _("Can set own presence")),
            ("manage_agents", _("Can change other agents' limits and presence")),
            ("manage_teams", _("Can manage teams and skill groups")),
            ("manage_tokens", _("Can create and revoke API tokens")),
        ]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def name(self) -> str:
        return str(self)

    @property
    def roles(self) -> list[str]:
        names = {g.name for g in self.groups.all()}
        return [r.value for r in Role if r.value in names] + (
            [Role.ADMIN.value] if self.is_superuser and Role.ADMIN.value not in names else []
        )

    def has_role(self, role: str) -> bool:
        return role in self.roles


class Team(models.Model):
    """A team or a skill group; conversations and tickets queue per team."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=TeamKind.choices, default=TeamKind.TEAM)
    description = models.CharField(_("description"), max_length=200, blank=True)
    leader = models.ForeignKey(
        User, verbose_name=_("leader"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    members: models.ManyToManyField[User, TeamMembership] = models.ManyToManyField(
        User, through="TeamMembership", related_name="teams"
    )
    is_vip = models.BooleanField(_("VIP team"), default=False)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE)
    user = models.ForeignKey(User, on_delete=models.CASCADE)
    joined_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="team_member_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.team}"


class ApiToken(models.Model):
    """A bearer token for the API; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=60, blank=True)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class LoginFailure(models.Model):
    """A failed sign-in (wrong password, unknown user): counted per user name and per client
    address by the lockout (kefu.accounts.lockout); cleared for the user name on success."""

    username = models.CharField(_("user name"), max_length=150, db_index=True)
    ip = models.CharField(_("address"), max_length=64, db_index=True)
    at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.username} @ {self.ip} {self.at:%Y-%m-%d %H:%M}"
