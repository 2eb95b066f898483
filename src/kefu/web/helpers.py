"""Small pieces every workspace view uses: run an action and report its outcome, go back to
where the agent came from, read an assign form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

from kefu.accounts.models import Team, User
from kefu.core import params
from kefu.core.errors import KefuError


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
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, {request.get_host()}):
        return HttpResponseRedirect(nxt)
    return HttpResponseRedirect(fallback)


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
