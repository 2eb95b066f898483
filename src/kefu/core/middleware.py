"""Middleware of the core."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse

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
        from django.shortcuts import render

        from kefu.core.errors import KefuError

        if not isinstance(exception, KefuError):
            return None
        return render(request, "web/error.html", {"error": exception}, status=exception.status)
