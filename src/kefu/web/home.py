"""A home for every role and the navigation it uses (issue 15, R42).

``home_url(user)``: where a role lands after login and on ``/``. ``nav_for(user, path)``: the
workspace's top navigation — the pages the role uses every day first, everything else the user may
open under 更多 (More). A user with several roles gets the home and the first links of the role
highest in ``HOME_ORDER``; every page they may open is still reachable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from kefu.accounts.choices import Role
from kefu.core.actions import has_perm


@dataclass(frozen=True)
class Page:
    key: str
    url_name: str
    label: Any  # lazy translation
    perm: str  # "" = any signed-in user; "staff" = Django admin access
    query: str = ""


PAGES: dict[str, Page] = {
    p.key: p
    for p in (
        Page("cockpit", "web:home", _("Workspace"), "conversations.reply_conversation"),
        Page("inbox", "web:inbox", _("Inbox"), "conversations.view_conversation"),
        Page("team", "web:inbox", _("Team chats"), "conversations.assign_conversation", "?view=teams"),
        Page("tickets", "web:tickets", _("Tickets"), "tickets.view_ticket"),
        Page("customers", "web:customers", _("Customers"), "customers.view_customer"),
        Page("orders", "web:orders", _("Orders"), "aftersales.view_order"),
        Page("cases", "web:cases", _("After-sales"), "cases.view_case"),
        Page("refunds", "web:cases-finance", _("Refunds to pay"), "cases.view_case"),
        Page("compensations", "web:compensations", _("Compensation"), "cases.view_compensation"),
        Page("service", "web:service-orders", _("Service orders"), "aftersales.view_serviceorder"),
        Page("calls", "web:intake-calls", _("Calls"), "conversations.view_conversation"),
        Page("sla", "web:sla-at-risk", _("SLA"), "sla.view_slapolicy"),
        Page("kb", "web:kb", _("Knowledge"), "knowledge.view_article"),
        Page("complaints", "web:complaints", _("Complaints"), "complaints.view_complaint"),
        Page("quality", "web:quality", _("Quality"), "quality.view_inspection"),
        Page("notifications", "web:notifications", _("Notifications"), "tickets.view_ticket"),
        Page("channels", "web:channels", _("Channels"), ""),
        Page("settings", "admin:index", _("Settings"), "staff"),
    )
}

# The role that decides a user's home and first links, strongest first.
HOME_ORDER = (Role.ADMIN, Role.SUPERVISOR, Role.FINANCE, Role.TECHNICIAN, Role.AFTERSALES, Role.SALES, Role.RECEPTION)

# What each role uses every day, in the order it uses it; the rest goes under 更多.
PRIMARY: dict[str, tuple[str, ...]] = {
    Role.RECEPTION: ("cockpit", "inbox", "customers", "orders", "kb", "tickets"),
    Role.SALES: ("cockpit", "inbox", "customers", "orders", "kb"),
    Role.AFTERSALES: ("cases", "inbox", "tickets", "orders", "customers", "kb"),
    Role.FINANCE: ("refunds", "compensations", "cases", "orders"),
    Role.TECHNICIAN: ("service", "tickets", "kb"),
    Role.SUPERVISOR: ("team", "sla", "complaints", "quality", "tickets", "cases"),
    Role.ADMIN: ("team", "sla", "complaints", "quality", "tickets", "cases", "settings"),
}

# Where each role lands (issue 15): finance the refund queue, after-sales the open cases, technicians
# their service orders, supervisors the team's live view; agents the cockpit on ``/`` itself.
HOME: dict[str, tuple[str, str]] = {
    Role.FINANCE: ("web:cases-finance", ""),
    Role.AFTERSALES: ("web:cases", "?status=open"),
    Role.TECHNICIAN: ("web:service-orders", "?view=mine"),
    Role.SUPERVISOR: ("web:inbox", "?view=teams"),
    Role.ADMIN: ("web:inbox", "?view=teams"),
}


def main_role(user: Any) -> str:
    roles = set(getattr(user, "roles", ()) or ())
    for role in HOME_ORDER:
        if role.value in roles:
            return role.value
    return Role.RECEPTION.value


def home_url(user: Any) -> str | None:
    """The page ``user`` lands on; ``None`` for agents, whose home is ``/`` itself (the cockpit)."""
    target = HOME.get(main_role(user))
    if target is None:
        return None
    return reverse(target[0]) + target[1]


def _allowed(user: Any, page: Page) -> bool:
    if page.perm == "staff":
        return bool(user.is_staff)
    return not page.perm or has_perm(user, page.perm)


def _url(page: Page) -> str | None:
    try:
        return reverse(page.url_name) + page.query
    except NoReverseMatch:  # an app that is not installed
        return None


def nav_for(user: Any, path: str) -> dict[str, Any]:
    """``{"primary": [...], "more": [...]}``, each item ``{key, url, label, active}``: the role's own
    pages first, then every other page the user may open under More."""
    role = main_role(user)
    wanted = PRIMARY.get(role, PRIMARY[Role.RECEPTION])
    items: dict[str, dict[str, Any]] = {}
    for key, page in PAGES.items():
        if key == "cockpit" and role not in (Role.RECEPTION, Role.SALES):
            continue  # the cockpit is the agents' home; other roles reach chats through the inbox
        if key == "team" and "team" not in wanted:
            continue  # the inbox's own tabs show the team's chats
        url = _url(page)
        if url is None or not _allowed(user, page):
            continue
        items[key] = {"key": key, "url": url, "label": page.label, "active": False}
    # the current page: the longest link that is a prefix of the path ("/" only for itself)
    best = None
    for item in items.values():
        base = item["url"].split("?")[0]
        if (path == base or (base != "/" and path.startswith(base))) and (
            best is None or len(base) > len(best["url"].split("?")[0])
        ):
            best = item
    if re.match(r"^/cases/\d+/pay/$", path) and "refunds" in items:
        best = items["refunds"]  # 执行退款's confirmation belongs to the refunds to pay
    if best is not None:
        best["active"] = True
    primary = [items[k] for k in wanted if k in items]
    more = [v for k, v in items.items() if k not in wanted]
    return {"primary": primary, "more": more, "more_active": any(i["active"] for i in more)}


def home_response(request: Any) -> Any:
    """``/``: a role with a home elsewhere is sent there; agents get the cockpit right here
    (``kefu.conversations.views.cockpit`` once it exists, else the inbox)."""
    from importlib import import_module

    from django.shortcuts import redirect

    target = home_url(request.user)
    if target is not None:
        return redirect(target)
    try:
        cockpit = getattr(import_module("kefu.conversations.views"), "cockpit", None)
    except ImportError:
        cockpit = None
    if cockpit is not None:
        return cockpit(request)
    return redirect("web:inbox")
