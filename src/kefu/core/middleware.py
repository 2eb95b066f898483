"""Middleware of the core."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError

_END = object()


class AsyncFileStreamingMiddleware:
    """Under ASGI, stream file responses (static files from WhiteNoise, attachment
    downloads) as async iterators, reading each block in a worker thread, so that the
    event loop never blocks on disk and Django does not have to drain the whole file
    into memory first (which it warns about)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if isinstance(request, ASGIRequest) and response.streaming and not response.is_async:  # type: ignore[attr-defined]
            response.streaming_content = _blocks(iter(response.streaming_content))  # type: ignore[attr-defined]
        return response


async def _blocks(iterator: Iterator[Any]) -> AsyncIterator[Any]:
    def read() -> Any:
        return next(iterator, _END)

    while True:
        block = await sync_to_async(read, thread_sensitive=False)()
        if block is _END:
            return
        yield block


class KefuErrorMiddleware:
    """A domain refusal that escapes a page view (``require()`` outside ``attempt``) is shown as
    its status — 403, 404, 409, 400 — with its message, never as a server error.  The API has
    its own JSON handler (:mod:`kefu.web.api`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from kefu.core.errors import KefuError

        if not isinstance(exception, KefuError):
            # An unexpected failure under /api/ still answers in the house shape (and is logged).
            if _is_api(request) and not isinstance(exception, _DJANGO_HANDLED):
                _log.error("Internal Server Error: %s", request.path, exc_info=exception)
                return _api_error(500, "server_error", _server_error_text())
            return None
        return error_response(request, exception)


_log = logging.getLogger("django.request")
# Exceptions Django itself turns into 4xx responses (404, 403, 400) — not server errors.
_DJANGO_HANDLED = (Http404, DjangoPermissionDenied, SuspiciousOperation, BadRequest, MultiPartParserError)
API_PREFIX = "/api/"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _api_error(status: int, code: str, message: str) -> HttpResponse:
    return HttpResponse(
        json.dumps({"error": code, "message": message}, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def _server_error_text() -> str:
    from django.utils.translation import gettext

    return gettext("Something went wrong on our side; it has been logged. Please try again.")


def error_response(request: HttpRequest, exception: Any) -> HttpResponse:
    """A :class:`~kefu.core.errors.KefuError` as the house shape under /api/, else the error page."""
    if _is_api(request):
        return HttpResponse(
            json.dumps(exception.as_dict(), ensure_ascii=False),
            status=exception.status,
            content_type="application/json; charset=utf-8",
        )
    from django.shortcuts import render

    return render(request, "web/error.html", {"error": exception}, status=exception.status)


class EdgeInputMiddleware:
    """The one gate every HTTP request passes: a path, query string or form field holding NUL
    or a lone surrogate (:mod:`kefu.core.inputs`) is a 400 before any view parses it; and under
    /api/ a 404 or 405 answers in the house shape ``{error, message}`` like every other error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from kefu.core.errors import KefuError

        try:
            self._check(request)
        except KefuError as exc:
            return error_response(request, exc)
        response = self.get_response(request)
        if _is_api(request) and response.status_code in (404, 405) and not _house_shaped(response):
            from django.utils.translation import gettext

            if response.status_code == 404:
                return _api_error(404, "not_found", gettext("Not found."))
            refused = _api_error(405, "method_not_allowed", gettext("This method is not allowed here."))
            if response.has_header("Allow"):
                refused["Allow"] = response["Allow"]
            return refused
        return response

    @staticmethod
    def _check(request: HttpRequest) -> None:
        from kefu.core.inputs import check_strings, check_text

        check_text(request.path, field="path")
        check_strings((k, v) for k, values in request.GET.lists() for v in values)
        if request.method == "POST" and request.content_type in _FORM_TYPES:
            # The body is read (and kept) first, so that a view may still read ``request.body``;
            # an upload larger than Django's in-memory limit is left to its view.
            length = request.META.get("CONTENT_LENGTH") or "0"
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if not length.isascii() or not length.isdigit() or (limit is not None and int(length) > limit):
                return
            request.body  # noqa: B018 - kept for the view
            check_strings((k, v) for k, values in request.POST.lists() for v in values)


def _house_shaped(response: HttpResponse) -> bool:
    if response.streaming or not response.get("Content-Type", "").startswith("application/json"):
        return False
    try:
        body = json.loads(response.content)
    except ValueError:
        return False
    return isinstance(body, dict) and "error" in body
