"""The three platform calls kefu makes: the access token (cached in the account row, refreshed
five minutes before expiry, fetched under a row lock so two processes never fetch it at once),
``cgi-bin/message/custom/send`` and ``cgi-bin/media/get`` (size-bounded)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from typing import Any

from django.db import transaction

from kefu.core import clock
from kefu.intake.wechat_mp.models import WechatAccount

TIMEOUT = 10
REFRESH_MARGIN = timedelta(minutes=5)
MAX_MEDIA = 10 * 1024 * 1024
TOKEN_ERRORS = (40001, 40014, 42001)  # invalid / expired access token: fetch a new one once


class WechatApiError(Exception):
    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"{errcode} {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


def _url(account: WechatAccount, path: str, params: dict[str, str]) -> str:
    base = account.api_base.rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise WechatApiError(-2, "bad api_base")
    return f"{base}/cgi-bin/{path}?{urllib.parse.urlencode(params)}"


def _open(url: str, body: bytes | None = None, limit: int = 1024 * 1024) -> tuple[str, bytes]:
    headers = {"Content-Type": "application/json; charset=utf-8"} if body is not None else {}
    request = urllib.request.Request(url, data=body, headers=headers, method="POST" if body else "GET")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (scheme checked)
            data = response.read(limit + 1)
            if len(data) > limit:
                raise WechatApiError(-3, f"response larger than {limit} bytes")
            return str(response.headers.get("Content-Type") or ""), data
    except urllib.error.HTTPError as exc:
        exc.close()
        raise OSError(f"HTTP {exc.code}") from None


def _json(data: bytes) -> dict[str, Any]:
    try:
        result = json.loads(data)
    except ValueError:
        raise WechatApiError(-4, "not JSON") from None
    if not isinstance(result, dict):
        raise WechatApiError(-4, "not a JSON object")
    if int(result.get("errcode") or 0) != 0:
        raise WechatApiError(int(result["errcode"]), str(result.get("errmsg") or "")[:200])
    return result


def access_token(account: WechatAccount, *, stale: str = "") -> str:
    """A valid token.  ``stale`` is a token the platform just refused: it is replaced even if it
    has not expired yet (unless another process already replaced it)."""
    now = clock.now()
    with transaction.atomic():
        row = WechatAccount.objects.select_for_update().get(pk=account.pk)
        fresh = row.access_token and row.token_expires_at and row.token_expires_at - REFRESH_MARGIN > now
        if fresh and row.access_token != stale:
            return str(row.access_token)
        url = _url(row, "token", {"grant_type": "client_credential", "appid": row.app_id, "secret": row.app_secret})
        result = _json(_open(url)[1])
        token = str(result.get("access_token") or "")
        if not token:
            raise WechatApiError(-5, "no access_token in the answer")
        expires_in = int(result.get("expires_in") or 7200)
        row.access_token = token
        row.token_expires_at = now + timedelta(seconds=expires_in)
        row.token_fetches += 1
        row.save(update_fields=["access_token", "token_expires_at", "token_fetches"])
        return token


def _call(
    account: WechatAccount, path: str, body: bytes | None, *, limit: int, params: dict[str, str] | None = None
) -> tuple[str, bytes]:
    token = access_token(account)
    for attempt in (1, 2):
        content_type, data = _open(_url(account, path, {"access_token": token, **(params or {})}), body, limit)
        if content_type.startswith(("application/json", "text/plain")) or data[:1] == b"{":
            try:
                _json(data)
            except WechatApiError as exc:
                if exc.errcode in TOKEN_ERRORS and attempt == 1:
                    token = access_token(account, stale=token)
                    continue
                raise
        return content_type, data
    raise WechatApiError(-6, "unreachable")


def send_custom(account: WechatAccount, payload: dict[str, Any]) -> None:
    body = json.dumps(payload, ensure_ascii=False).encode()
    _call(account, "message/custom/send", body, limit=64 * 1024)


def get_media(account: WechatAccount, media_id: str) -> tuple[str, bytes]:
    return _call(account, "media/get", None, limit=MAX_MEDIA, params={"media_id": media_id})
