"""The workspace shell: home routing, presence and the UI language switch.  The pages of each
domain live in their app (conversations/views.py, customers/views.py, …)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.accounts.actions import check_set_presence, do_set_language
from kefu.conversations.tasks import drain_queue
from kefu.core.pages import attempt, back
from kefu.web.home import home_response


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands where its work is (kefu.web.home)."""
    return home_response(request)


@login_required
@require_POST
def presence(request: HttpRequest) -> HttpResponse:
    if attempt(request, lambda: check_set_presence(request.user, request.POST.get("presence", ""), actor=request.user)):
        drain_queue.on_commit()  # an agent who comes online takes waiting chats
    return back(request, reverse("web:inbox"))


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """Switch the UI language; remembered on the agent's account and in a cookie."""
    code = request.POST.get("language", "")
    response = back(request, reverse("web:inbox"))
    if code not in dict(settings.LANGUAGES):
        messages.error(request, _("Unknown language."))
        return response
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    if request.user.is_authenticated:
        do_set_language(request.user, code)
    return response
