"""``GET /api/v1/search``: the one search box over HTTP (mounted by kefu.web.api)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from kefu.core import params
from kefu.core.api_auth import BearerAuth, SessionAuth
from kefu.core.errors import PermissionDenied, ValidationFailed
from kefu.finder.query import MAX_LIMIT, MAX_QUERY_CHARS, TYPES, allowed_types, search

router = Router(tags=["search"])


def require_some_kind(user: Any) -> None:
    """The caller may see at least one kind of record (else there is nothing to search)."""
    if not allowed_types(user):
        raise PermissionDenied(_("You may not search anything."))


class _Bearer(BearerAuth):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = super().authenticate(request, token)
        if user is not None:
            require_some_kind(user)  # 403 before the query is parsed
        return user


class _Session(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None:
            require_some_kind(user)
        return user


class SearchResultOut(Schema):
    type: str
    id: int
    title: str
    snippet: str
    url: str
    at: str | None


class SearchResultsOut(Schema):
    results: list[SearchResultOut]


TYPES_PATTERN = "^(?:(?:{0})(?:,(?:{0}))*)?$".format("|".join(TYPES))


def parse_query(q: Any, types: Any, limit: Any) -> tuple[str, list[str], int]:
    """The search's parameters (white space in ``q`` collapsed; blank means nothing to find),
    or a 400 (``invalid_text``, ``invalid``) naming the field."""
    text = " ".join(params.text(q, field="q", max_length=10_000).split())
    if len(text) > MAX_QUERY_CHARS:
        raise ValidationFailed(_("A search has at most 200 characters."), field="q")
    raw = params.text(types, field="types", max_length=200)
    kinds = raw.split(",") if raw else list(TYPES)
    for kind in kinds:
        params.choice(kind, TYPES, field="types")
    count = params.integer(str(limit), field="limit", default=5, lo=1, hi=MAX_LIMIT)
    return text, kinds, count


@router.get("/search", auth=[_Bearer(), _Session()], response=SearchResultsOut)
def search_everything(
    request: HttpRequest,
    q: str = Query(..., min_length=1, max_length=MAX_QUERY_CHARS),
    types: str = Query("", pattern=TYPES_PATTERN),
    limit: int = Query(5, ge=1, le=MAX_LIMIT),
) -> dict[str, Any]:
    """Search messages, conversations, customers (name, phone fragments, identities, order
    numbers), tickets, orders, after-sales cases, complaints and knowledge articles at once,
    Chinese-aware (Traditional finds Simplified; two-character words match). ``types``: a
    comma-separated subset of ``message,conversation,customer,ticket,order,case,complaint,article``
    (default: all); ``limit``: at most this many results of each type (1–50, default 5). Only the
    kinds the caller may view are searched; a blank ``q`` finds nothing. ``snippet`` is HTML with
    the matches in ``<mark>``."""
    require_some_kind(request.user)
    text, kinds, count = parse_query(q, types, limit)
    found = search(request.user, text, types=kinds, limit=count) if text else []
    return {"results": [r.as_dict() for r in found]}
