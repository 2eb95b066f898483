"""``/hooks/wechat/<channel key>/`` — the callback URL pasted into the WeChat admin.

GET is the platform's URL check (signature over token, timestamp, nonce; the answer is ``echostr``).
POST carries a message or an event, plain or in safe mode (``encrypt_type=aes``: the body's
``Encrypt`` is signed by ``msg_signature`` and AES-encrypted with the EncodingAESKey).  The answer is
``success`` as soon as the callback is recorded (the platform waits 5 s and retries three times
within 15 s); the message is stored by a job.  A wrong signature or a timestamp older than 5 minutes
is a 403, malformed XML (or any DTD / entity, so no entity expansion) a 400, both in the house shape
``{error, message}``, logged without secrets, and nothing is stored."""

from __future__ import annotations

import binascii
import hmac
import logging
import re
import struct
from typing import Any
from xml.parsers.expat import ExpatError

import xmltodict
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.utils import WeChatSigner

from kefu.core import clock
from kefu.core.errors import KefuError, NotFound, ValidationFailed
from kefu.core.errors import PermissionDenied as Forbidden
from kefu.intake.wechat_mp.actions import check_receipt, ingest
from kefu.intake.wechat_mp.models import WechatAccount

log = logging.getLogger("kefu.intake.wechat_mp")

MAX_BODY = 256 * 1024
_CDATA = re.compile(rb"<!\[CDATA\[.*?\]\]>", re.S)
MAX_SKEW = 300  # seconds: an older timestamp is a replay


def _signature(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return str(signer.signature)


def _check_signed(account: WechatAccount, request: HttpRequest) -> tuple[str, str]:
    timestamp = request.GET.get("timestamp", "")[:20]
    nonce = request.GET.get("nonce", "")[:64]
    signature = request.GET.get("signature", "")[:64]
    if not timestamp.isdigit() or abs(int(clock.now().timestamp()) - int(timestamp)) > MAX_SKEW:
        raise Forbidden(_("The timestamp is missing or more than 5 minutes old."))
    if not account.token or not hmac.compare_digest(_signature(str(account.token), timestamp, nonce), signature):
        raise Forbidden(_("Missing or invalid signature."))
    return timestamp, nonce


def parse_xml(data: bytes | str) -> dict[str, str]:
    """A flat ``{tag: text}`` of the ``<xml>`` root.  Any DTD is refused before parsing (no entity,
    local or external, is ever expanded); xmltodict refuses entities again."""
    raw = data.encode() if isinstance(data, str) else data
    if len(raw) > MAX_BODY:
        raise ValidationFailed(_("The request body is too large."))
    outside_cdata = _CDATA.sub(b"", raw).lower()
    if b"<!doctype" in outside_cdata or b"<!entity" in outside_cdata:
        raise ValidationFailed(_("XML with a DTD or entities is not accepted."))
    try:
        parsed = xmltodict.parse(raw, disable_entities=True)
    except (ExpatError, ValueError, UnicodeError) as exc:
        raise ValidationFailed(_("The body is not well-formed XML.")) from exc
    root = parsed.get("xml") if isinstance(parsed, dict) else None
    if not isinstance(root, dict):
        raise ValidationFailed(_("The body is not a WeChat <xml> message."))
    flat: dict[str, str] = {}
    for tag, value in root.items():
        if isinstance(value, str):
            flat[str(tag)[:40]] = value[:10000]
        elif value is None:
            flat[str(tag)[:40]] = ""
    return flat


def _decrypt(account: WechatAccount, outer: dict[str, str], request: HttpRequest, timestamp: str, nonce: str) -> str:
    if not outer.get("Encrypt") or not account.aes_key:
        raise ValidationFailed(_("A safe-mode message needs Encrypt and a configured EncodingAESKey."))
    crypto = WeChatCrypto(str(account.token), str(account.aes_key), account.app_id)
    try:
        return str(crypto.decrypt_message(outer, request.GET.get("msg_signature", "")[:64], timestamp, nonce))
    except (InvalidSignatureException, InvalidAppIdException) as exc:
        raise Forbidden(_("Missing or invalid signature.")) from exc
    except (ValueError, TypeError, IndexError, struct.error, binascii.Error, UnicodeError) as exc:
        raise ValidationFailed(_("The encrypted message cannot be decrypted.")) from exc


def _message(account: WechatAccount, request: HttpRequest, timestamp: str, nonce: str) -> dict[str, str]:
    outer = parse_xml(request.body)
    if request.GET.get("encrypt_type", "raw") == "aes":
        return parse_xml(_decrypt(account, outer, request, timestamp, nonce))
    return outer


def _refused(exc: KefuError, key: str) -> HttpResponse:
    log.warning("wechat callback refused", extra={"channel": key, "error": exc.code, "status": exc.status})
    return JsonResponse(exc.as_dict(), status=exc.status, json_dumps_params={"ensure_ascii": False})


@csrf_exempt
def callback(request: HttpRequest, key: str) -> HttpResponse:
    try:
        account = (
            WechatAccount.objects.select_related("channel")
            .filter(channel__key=key[:60], channel__is_active=True)
            .first()
        )
        if account is None:
            raise NotFound(_("No such WeChat channel."))
        timestamp, nonce = _check_signed(account, request)
        if request.method == "GET":
            return HttpResponse(request.GET.get("echostr", "")[:200], content_type="text/plain; charset=utf-8")
        if request.method != "POST":
            raise ValidationFailed(_("This method is not allowed here."))
        msg = _message(account, request, timestamp, nonce)
        if not msg.get("MsgType") or not msg.get("FromUserName"):
            raise ValidationFailed(_("The message has no MsgType or FromUserName."))
        with transaction.atomic():
            if check_receipt(account, msg, now=clock.now()):
                ingest.on_commit(account.pk, _plain(msg))
    except KefuError as exc:
        return _refused(exc, key)
    return HttpResponse("success", content_type="text/plain; charset=utf-8")


def _plain(msg: dict[str, str]) -> dict[str, Any]:
    return {k: v for k, v in msg.items() if k.isidentifier()}
