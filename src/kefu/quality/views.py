"""Quality pages: the agent's own scores and findings (with appeal), the supervisor's view (per
agent and team over time, the most frequent failures, the conversations behind each number),
an inspection's page (transcript, checks, manual review, appeals)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.accounts.models import Team, User
from kefu.core import clock, params
from kefu.core.actions import has_perm
from kefu.core.pages import attempt
from kefu.quality import actions
from kefu.quality.choices import CheckStatus, InspectionKind
from kefu.quality.models import Check, Inspection


def _names() -> dict[str, str]:
    return actions.rule_names()


def _done(rows: QuerySet[Inspection]) -> QuerySet[Inspection]:
    return rows.filter(score__isnull=False)


@login_required
@permission_required("quality.view_inspection", raise_exception=True)
def my_quality(request: HttpRequest) -> HttpResponse:
    rows = _done(Inspection.objects.filter(agent=request.user)).select_related("conversation", "conversation__customer")
    since = clock.now() - timedelta(days=30)
    summary = rows.filter(created_at__gte=since).aggregate(avg=Avg("score"), n=Count("id"))
    page = Paginator(rows.prefetch_related("checks"), 25).get_page(request.GET.get("page"))
    failures = (
        Check.objects.filter(inspection__agent=request.user, inspection__created_at__gte=since, status=CheckStatus.FAIL)
        .values("rule")
        .annotate(n=Count("id"))
        .order_by("-n")[:7]
    )
    return render(
        request,
        "quality/mine.html",
        {
            "page": page,
            "summary": summary,
            "failures": failures,
            "names": _names(),
            "is_supervisor": has_perm(request.user, "quality.review_inspection"),
        },
    )


@login_required
@permission_required("quality.review_inspection", raise_exception=True)
def team_quality(request: HttpRequest) -> HttpResponse:
    days = params.integer(request.GET.get("days"), field="days", default=56, hi=3660)
    since = clock.now() - timedelta(days=max(1, min(days, 366)))
    rows = _done(Inspection.objects.filter(created_at__gte=since))
    team_id = params.object_id(request.GET.get("team"), field="team")
    if team_id:
        rows = rows.filter(team_id=team_id)
    by_agent = list(
        rows.values("agent", "agent__username", "agent__display_name")
        .annotate(avg=Avg("score"), n=Count("id"), fails=Count("checks", filter=Q(checks__status=CheckStatus.FAIL)))
        .order_by("avg")
    )
    by_team = list(rows.values("team", "team__name").annotate(avg=Avg("score"), n=Count("id")).order_by("team__name"))
    weeks = list(
        rows.annotate(week=TruncWeek("created_at"))
        .values("week", "agent__username", "agent__display_name")
        .annotate(avg=Avg("score"), n=Count("id"))
        .order_by("week")
    )
    week_list = sorted({w["week"] for w in weeks})
    grid: dict[str, dict[Any, Any]] = {}
    for w in weeks:  # one row per agent, by the name people know them by, never the login
        grid.setdefault(w["agent__display_name"] or w["agent__username"] or "—", {})[w["week"]] = w
    trend = [(name, [cells.get(week) for week in week_list]) for name, cells in sorted(grid.items())]
    failures = (
        Check.objects.filter(inspection__in=rows, status=CheckStatus.FAIL)
        .values("rule")
        .annotate(n=Count("id"))
        .order_by("-n")[:10]
    )
    return render(
        request,
        "quality/team.html",
        {
            "by_agent": by_agent,
            "by_team": by_team,
            "weeks": week_list,
            "trend": trend,
            "failures": failures,
            "names": _names(),
            "days": days,
            "teams": Team.objects.all(),
            "team_id": team_id,
            "since": since,
            "pending_appeals": Check.objects.filter(appeal_status="pending").select_related(
                "inspection", "inspection__agent"
            )[:50],
            "to_review": Inspection.objects.filter(kind=InspectionKind.MANUAL, score__isnull=True).select_related(
                "agent"
            )[:50],
            "agents": User.objects.filter(is_active=True).order_by("username"),
        },
    )


@login_required
@permission_required("quality.view_inspection", raise_exception=True)
def inspection_list(request: HttpRequest) -> HttpResponse:
    """The conversations behind a number: filter by agent, team, rule (failed), week."""
    rows = _done(Inspection.objects.all()).select_related("agent", "conversation", "conversation__customer")
    if not has_perm(request.user, "quality.review_inspection"):
        rows = rows.filter(agent=request.user)
    agent = request.GET.get("agent", "")
    if agent:
        rows = rows.filter(agent__username=agent)
    team = params.object_id(request.GET.get("team"), field="team")
    if team:
        rows = rows.filter(team_id=team)
    rule = request.GET.get("rule", "")
    if rule:
        rows = rows.filter(checks__rule=rule, checks__status=CheckStatus.FAIL)
    days = params.integer(request.GET.get("days"), field="days", hi=3660)
    if days is not None:
        rows = rows.filter(created_at__gte=clock.now() - timedelta(days=days))
    page = Paginator(rows.distinct().order_by("-created_at", "-id"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "quality/list.html",
        {
            "page": page,
            # the heading names the agent as people know them, never by the login
            "agent": (User.objects.filter(username=agent).first() or agent) if agent else "",
            "rule": rule,
            "names": _names(),
            "query": request.GET.urlencode(),
        },
    )


@login_required
@permission_required("quality.view_inspection", raise_exception=True)
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_object_or_404(
        Inspection.objects.select_related("conversation", "agent", "reviewer", "conversation__customer"), pk=pk
    )
    supervisor = has_perm(request.user, "quality.review_inspection")
    if inspection.agent_id != request.user.pk and not supervisor:
        raise PermissionDenied(_("Only the agent inspected and supervisors see this inspection."))
    messages_ = list(
        inspection.conversation.messages.filter(is_internal=False).select_related("author").order_by("created_at", "id")
    )
    checks = list(inspection.checks.all())
    flagged: dict[int, list[Check]] = {}
    for c in checks:
        if c.status == CheckStatus.FAIL and c.message_index is not None:
            flagged.setdefault(c.message_index, []).append(c)
    names = _names()
    return render(
        request,
        "quality/detail.html",
        {
            "i": inspection,
            "checks": [(c, names.get(c.rule, c.rule)) for c in checks],
            "transcript": [(n, m, flagged.get(n, [])) for n, m in enumerate(messages_)],
            "own": inspection.agent_id == request.user.pk,
            "supervisor": supervisor,
            "statuses": CheckStatus.choices,
            "others": Inspection.objects.filter(conversation=inspection.conversation).exclude(pk=inspection.pk),
        },
    )


@login_required
@require_POST
def appeal(request: HttpRequest, pk: int) -> HttpResponse:
    check = get_object_or_404(Check.objects.select_related("inspection"), pk=pk)
    attempt(
        request,
        lambda: actions.check_appeal(check, request.POST.get("text", ""), actor=request.user),
        _("Your appeal was sent to the supervisor."),
    )
    return redirect("web:quality-inspection", pk=check.inspection_id)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    check = get_object_or_404(Check.objects.select_related("inspection"), pk=pk)
    attempt(
        request,
        lambda: actions.check_decide_appeal(
            check, actor=request.user, accept=request.POST.get("accept") == "1", note=request.POST.get("note", "")
        ),
        _("Decision saved."),
    )
    return redirect("web:quality-inspection", pk=check.inspection_id)


@login_required
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_object_or_404(Inspection, pk=pk)
    statuses = {key[7:]: value for key, value in request.POST.items() if key.startswith("status:")}
    attempt(request, lambda: actions.check_review(inspection, statuses, actor=request.user), _("Review saved."))
    return redirect("web:quality-inspection", pk=pk)


@login_required
@require_POST
def sample(request: HttpRequest) -> HttpResponse:
    size = params.integer(request.POST.get("size"), field="size", default=10, hi=1000)
    agent = User.objects.filter(username=request.POST.get("agent", "")).first() if request.POST.get("agent") else None
    made: list[Inspection] = []
    attempt(
        request,
        lambda: made.extend(actions.check_sample(actor=request.user, size=size, agent=agent)),
        _("Conversations sampled for review."),
    )
    return redirect("web:quality-team")
