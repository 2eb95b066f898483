"""Reading the workspace's assign forms (conversations, tickets): who and which team."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kefu.accounts.models import Team, User
from kefu.core import params


def assignee_and_team(request: HttpRequest) -> tuple[Any, Team | None]:
    """The assign forms' choice: ``assignee`` is a user id, ``me`` or empty (unassign);
    ``team`` a team id or empty (keep)."""
    assignee_id = request.POST.get("assignee", "")
    if assignee_id == "me":
        assignee: Any = request.user
    else:
        assignee = User.objects.filter(pk=assignee_id).first() if params.is_digits(assignee_id) else None
    team_id = request.POST.get("team", "")
    team = Team.objects.filter(pk=team_id).first() if params.is_digits(team_id) else None
    return assignee, team
