from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class UserLanguageMiddleware:
    """A signed-in agent's chosen language wins over the browser's (stored on the user,
    mirrored in the language cookie that Django's LocaleMiddleware reads)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if not cookie:
            # Chinese first: without a cookie, use the agent's saved choice, else the
            # deployment's language — not the browser's Accept-Language.
            user = getattr(request, "user", None)
            saved = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
            request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = saved or settings.LANGUAGE_CODE
        return self.get_response(request)
