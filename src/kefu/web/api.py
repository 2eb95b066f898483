"""The REST API under /api/v1/ (OpenAPI 3 at /api/v1/openapi.json).

Authentication: ``Authorization: Bearer <token>`` (``kefu token create USERNAME``) or the
workspace session (with CSRF).  Errors are ``{"error": CODE, "message": TEXT, …}`` with
400 (bad input), 401, 403 (role may not), 404, 409 (state does not allow it).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from kefu.core import inputs
from kefu.core.api_auth import BearerAuth, SessionAuth
from kefu.core.api_docs import ErrorOut
from kefu.core.errors import KefuError


class EdgeParser(Parser):
    """Bodies and query strings through the one input layer (:mod:`kefu.core.inputs`): size
    and nesting depth are checked before parsing, NUL and lone surrogates are refused."""

    def parse_body(self, request: HttpRequest) -> Any:
        return inputs.loads(request.body, empty={})

    def parse_querydict(self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest) -> Any:
        inputs.check_strings((str(k), str(v)) for k, values in data.lists() for v in values)
        return super().parse_querydict(data, list_fields, request)


HTTP_ERROR_CODES = {
    400: "invalid",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    429: "throttled",
}


class KefuAPI(NinjaAPI):
    """Publishes the house error shape: every operation declares the errors it can give
    (400 bad input, 401 no credentials, 403 role may not, 404 an id in the path or a
    write's body, 409 a state that does not allow a write), each with :class:`~kefu.core.api_docs.ErrorOut`."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        _no_unstorable_text(schema)
        schema["components"].setdefault("schemas", {})["ErrorOut"] = ErrorOut.model_json_schema()
        ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
        for path, item in schema["paths"].items():
            for method, op in item.items():
                responses = op.setdefault("responses", {})
                codes = ["400", "401", "403"]
                writes = method in ("post", "put", "patch", "delete")
                if "{" in path or writes:  # an id in the path, or a body naming a customer, calendar, …
                    codes.append("404")
                if writes:
                    codes.append("409")
                for code in codes:
                    responses.setdefault(code, {"description": HTTP_ERROR_CODES.get(int(code), "error"), **ref})
        return schema


# kefu.core.inputs refuses NUL and lone surrogates in every string it is sent; say so in the contract.
STORABLE_TEXT = "^[^\\u0000\\ud800-\\udfff]*$"


def _no_unstorable_text(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "string" and not {"pattern", "format", "enum", "const"} & set(node):
            node["pattern"] = STORABLE_TEXT
        if node.get("type") == "object" and "propertyNames" not in node:
            node["propertyNames"] = {"pattern": STORABLE_TEXT}  # extra keys are checked too
        for value in node.values():
            _no_unstorable_text(value)
    elif isinstance(node, list):
        for value in node:
            _no_unstorable_text(value)


api = KefuAPI(
    parser=EdgeParser(),
    title="kefu 客服 API",
    version="1",
    urls_namespace="api",
    auth=[BearerAuth(), SessionAuth()],
    docs_url="/docs",
)


@api.exception_handler(KefuError)
def kefu_error(request: HttpRequest, exc: KefuError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"error": "not_found", "message": _("Not found.")}, status=404)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(
        request,
        {"error": "invalid", "message": _("The request body or parameters are not valid."), "details": exc.errors},
        status=400,
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """The framework's own refusals (a body that is not JSON, …) in the house shape."""
    if isinstance(exc.__cause__, KefuError):  # the edge parser's own refusal (too deep, NUL, …)
        return kefu_error(request, exc.__cause__)
    unparsable = exc.status_code == 400 and "parse" in str(exc)
    message = _("The request body is not valid JSON.") if unparsable else str(exc)
    code = HTTP_ERROR_CODES.get(exc.status_code, "error")
    return api.create_response(request, {"error": code, "message": message}, status=exc.status_code)


@api.exception_handler(AuthenticationError)
def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"error": "unauthorized", "message": _("Authentication required.")}, status=401)


def _register() -> None:
    from kefu.accounts.api import router as accounts_router
    from kefu.conversations.api import router as conversations_router
    from kefu.customers.api import router as customers_router
    from kefu.shops.api import router as shops_router
    from kefu.sla.api import router as sla_router
    from kefu.tickets.api import router as tickets_router

    api.add_router("/", accounts_router)
    api.add_router("/shops", shops_router)
    api.add_router("/customers", customers_router)
    api.add_router("/conversations", conversations_router)
    api.add_router("/tickets", tickets_router)
    api.add_router("/sla", sla_router)
    api.add_router("/", "kefu.intake.api.router")  # signed webhooks: /calls/events, /platform/…
    # Each app mounts its own paths under /api/v1/ (kb/, bot/, assist/, orders/, aftersales/, complaints/, …).
    for app in ("knowledge", "bot", "assist", "aftersales", "cases", "complaints", "quality", "webhooks", "finder"):
        api.add_router("/", f"kefu.{app}.api.router")


_register()
