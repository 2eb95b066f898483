"""HTTP side of the widget: the loader script, the chat frame, image uploads, leaving a
message, and the visitor's view of attachments.  Visitors authenticate with the visitor
token from the WebSocket's welcome (and the site's customer token), not with cookies, so
these endpoints are CSRF-exempt and accept no session."""

from __future__ import annotations

from importlib import resources
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from kefu.conversations import visitors
from kefu.conversations.models import Attachment, Channel
from kefu.core import clock, inputs, params
from kefu.core.errors import KefuError, ValidationFailed
from kefu.core.uploads import check_upload
from kefu.intake.widget import session
from kefu.intake.widget.consumers import TOO_FAST, _language
from kefu.intake.widget.tokens import check_attachment_signature

FRAME_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self' ws: wss:; font-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors *"
)


def _error(exc: KefuError) -> JsonResponse:
    return JsonResponse(exc.as_dict(), status=exc.status)


@require_GET
def widget_js(request: HttpRequest) -> HttpResponse:
    """``<script src="https://HOST/widget.js" data-channel="KEY" async></script>`` on any page."""
    source = resources.files("kefu.intake").joinpath("static/widget/widget.js").read_text(encoding="utf-8")
    response = HttpResponse(source, content_type="application/javascript; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=300"
    return response


@xframe_options_exempt
@require_GET
def frame(request: HttpRequest, key: str) -> HttpResponse:
    """The chat panel, shown in an iframe by widget.js (or opened directly on a phone)."""
    language = _language(request.GET.get("lang", "") or request.headers.get("Accept-Language", "")[:20])
    try:
        channel = session.channel_for(key)
    except KefuError as exc:
        with translation.override(language):
            return render(request, "widget/unavailable.html", {"message": exc.message}, status=exc.status)
    with translation.override(language):
        response = render(
            request,
            "widget/frame.html",
            {
                "channel": channel,
                "title": channel.shop.name if channel.shop else channel.name,
                "language": language,
                "config": {"channel": channel.key, "lang": language, "prechat": channel.prechat_form},
            },
        )
    response["Content-Security-Policy"] = FRAME_CSP
    response["Referrer-Policy"] = "no-referrer"
    return response


def _visitor(request: HttpRequest, key: str, data: dict[str, Any]) -> visitors.Visitor:
    channel = session.channel_for(key)
    return session.require_visitor(
        channel, str(data.get("visitor") or ""), str(data.get("customer_token") or "") or None, now=clock.now()
    )


@csrf_exempt
@require_POST
def upload(request: HttpRequest, key: str) -> JsonResponse:
    """An image from the visitor: checked by its bytes, stored, then acknowledged."""
    language = _language(request.POST.get("lang", ""))
    with translation.override(language):
        try:
            visitor = _visitor(request, key, request.POST.dict())
            conversation_id = params.object_id(request.POST.get("conversation"), field="conversation")
            files = request.FILES.getlist("file")
            if len(files) != 1:
                raise ValidationFailed(_("Choose one image to send."))
            checked = check_upload(files[0], images_only=True)
            wait = session.flood_wait(visitor.visitor_id, _ip(request), key)
            if wait:
                return JsonResponse(
                    {"error": "rate_limited", "retry_after": round(wait, 1), "message": str(TOO_FAST)}, status=429
                )
            conversation, message, _created = visitors.post(
                visitor,
                text=request.POST.get("text", ""),
                now=clock.now(),
                client_id=request.POST.get("client_id", "")[:64],
                conversation_id=conversation_id,
                attachments=files,
            )
        except KefuError as exc:
            return _error(exc)
    return JsonResponse(
        {
            "type": "ack",
            "client_id": message.client_id,
            "message": message.pk,
            "conversation": conversation.pk,
            "name": checked.name,
        }
    )


@csrf_exempt
@require_POST
def leave_message(request: HttpRequest, key: str) -> JsonResponse:
    """留言 when nobody is online or the chat is closed: it becomes a ticket."""
    try:
        data = inputs.loads(request.body, empty={})
    except KefuError as exc:
        return _error(exc)
    language = _language(str(data.get("lang", "")) if isinstance(data, dict) else "")
    with translation.override(language):
        if not isinstance(data, dict):
            return JsonResponse({"error": "invalid", "message": _("The request body is not valid JSON.")}, status=400)
        try:
            visitor = _visitor(request, key, data)
            wait = session.flood_wait(visitor.visitor_id, _ip(request), key)
            if wait:
                return JsonResponse(
                    {"error": "rate_limited", "retry_after": round(wait, 1), "message": str(TOO_FAST)}, status=429
                )
            ticket, due = visitors.leave_message(
                visitor,
                name=str(data.get("name") or "")[:80],
                phone=str(data.get("phone") or "")[:40],
                email=str(data.get("email") or "")[:200],
                text=str(data.get("text") or ""),
                now=clock.now(),
            )
        except KefuError as exc:
            return _error(exc)
        when = formats.date_format(timezone.localtime(due), "DATETIME_FORMAT")
        return JsonResponse(
            {
                "ticket": ticket.pk,
                "expect_by": due.isoformat(),
                "message": _("Thank you, we have your message (no. %(number)s). We will answer by %(when)s.")
                % {"number": ticket.pk, "when": when},
            }
        )


@require_GET
def attachment(request: HttpRequest, pk: int, signature: str) -> HttpResponseBase:
    """An image of the visitor's conversation, by a signed link (no session)."""
    if not signature.isascii() or not check_attachment_signature(pk, signature):
        raise Http404
    item = get_object_or_404(Attachment, pk=pk, message__is_internal=False)
    response = FileResponse(
        item.file.open("rb"), content_type=item.content_type, as_attachment=not item.is_image, filename=item.name
    )
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    response["Cache-Control"] = "private, max-age=86400"
    return response


@require_GET
def try_page(request: HttpRequest, key: str) -> HttpResponse:
    """A plain page that embeds the widget exactly as a customer's site would, to try it."""
    channel = get_object_or_404(Channel, key=key, is_active=True)
    return render(request, "widget/try.html", {"channel": channel})


def _ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "")
