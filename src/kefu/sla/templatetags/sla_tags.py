"""``{% sla_countdown ticket %}``: the time left to the next SLA deadline, coloured by state."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import template
from django.templatetags.static import static
from django.utils.html import format_html, json_script
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from kefu.core import clock

register = template.Library()


def span_text(delta: timedelta) -> str:
    seconds = int(abs(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return _("%(d)sd %(h)sh") % {"d": days, "h": hours}
    if hours:
        return _("%(h)sh %(m)sm") % {"h": hours, "m": minutes}
    if minutes:
        return _("%(m)sm") % {"m": minutes}
    return _("%(s)ss") % {"s": seconds}


@register.filter
def duration(seconds: Any) -> str:
    """A target in seconds as people say it: 15 s, 4 h, 30 d, 1 h 30 min."""
    total = int(seconds or 0)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_("%(n)s d") % {"n": days})
    if hours:
        parts.append(_("%(n)s h") % {"n": hours})
    if minutes:
        parts.append(_("%(n)s min") % {"n": minutes})
    if secs or not parts:
        parts.append(_("%(n)s s") % {"n": secs})
    return " ".join(parts)


@register.simple_tag
def sla_countdown(ticket: Any, now: datetime | None = None) -> str:
    now = now or clock.now()
    state = ticket.sla_status(now) or "none"
    if state == "paused":
        return format_html('<span class="sla sla-paused" title="{}">⏸ {}</span>', _("SLA clock paused"), _("Paused"))
    if state == "met":
        return format_html('<span class="sla sla-met">✓ {}</span>', _("Met"))
    due = ticket.sla_due_at
    if due is None:
        return mark_safe('<span class="sla sla-none">—</span>')
    left = due - now
    if left.total_seconds() < 0:
        return format_html(
            '<span class="sla sla-breached" title="{}" data-due="{}">{}</span>',
            due.isoformat(),
            due.isoformat(),
            _("%(span)s overdue") % {"span": span_text(left)},
        )
    warn = ticket.sla_warn_at.isoformat() if ticket.sla_warn_at else ""
    return format_html(
        '<span class="sla sla-{}" title="{}" data-due="{}" data-warn="{}">{}</span>',
        state,
        due.isoformat(),
        due.isoformat(),
        warn,
        _("%(span)s left") % {"span": span_text(left)},
    )


@register.simple_tag
def sla_countdown_script(now: datetime | None = None) -> str:
    """The translated words and the server time for static/sla/countdown.js, and the script."""
    words = {
        "now": (now or clock.now()).isoformat(),
        "left": _("%(span)s left"),
        "over": _("%(span)s overdue"),
        "dh": _("%(d)sd %(h)sh"),
        "hm": _("%(h)sh %(m)sm"),
        "m": _("%(m)sm"),
        "s": _("%(s)ss"),
    }
    return format_html(
        '{}<script src="{}" defer></script>',
        json_script(words, "sla-words"),
        static("sla/countdown.js"),
    )
