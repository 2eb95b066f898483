"""The SLA simulator and the supervisors' at-risk list: thin views."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kefu.core import clock
from kefu.core.actions import require
from kefu.core.errors import KefuError
from kefu.sla import selectors
from kefu.sla.models import BusinessCalendar, SlaPolicy
from kefu.sla.preview import preview

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _pauses(text: str) -> list[list[Any]]:
    """One pause a line: ``start, end`` (ISO-8601; end may be empty while still paused)."""
    pauses = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(",")]
        if len(parts) != 2:
            parts = [p.strip() for p in line.split(" / ")]
        pauses.append(parts if len(parts) == 2 else [line.strip()])
    return pauses


@login_required
def simulator(request: HttpRequest) -> HttpResponse:
    require(request.user, "sla.view_slapolicy")
    form = {
        "calendar": request.GET.get("calendar", "workdays"),
        "start": request.GET.get("start", clock.now().astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")),
        "minutes": request.GET.get("minutes", "240"),
        "business": request.GET.get("business", "on" if "calendar" not in request.GET else ""),
        "pauses": request.GET.get("pauses", ""),
    }
    result: dict[str, Any] = {}
    if "calendar" in request.GET:
        try:
            require(request.user, "sla.preview_sla")
            minutes = float(form["minutes"] or "0")
            start = form["start"]
            if len(start) == 16:  # datetime-local without a zone: the calendar's zone
                start += "+08:00"
            due = preview(
                form["calendar"], start, minutes, business=bool(form["business"]), pauses=_pauses(form["pauses"])
            )
            result = {"due_at": due}
        except ValueError:
            result = {"error": _("Minutes must be a number.")}
        except KefuError as exc:
            result = {"error": exc.message}
    policies = SlaPolicy.objects.select_related("calendar", "team", "customer").prefetch_related("targets")
    return render(
        request,
        "sla/simulator.html",
        {
            "form": form,
            "result": result,
            "calendars": BusinessCalendar.objects.all(),
            "policies": policies,
        },
    )


@login_required
def at_risk(request: HttpRequest) -> HttpResponse:
    require(request.user, "sla.view_slapolicy")
    state = request.GET.get("state", "")
    now = clock.now()
    page = Paginator(selectors.at_risk(now, state), 50).get_page(request.GET.get("page"))
    return render(request, "sla/at_risk.html", {"page": page, "state": state, "now": now})
