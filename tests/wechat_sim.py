"""A local WeChat Official Account platform for the tests: a threaded http.server on loopback that
speaks the documented API (``cgi-bin/token`` with expiry, ``cgi-bin/message/custom/send`` with the
48 h rule and 45015, ``cgi-bin/media/get``), and the platform's side of a callback: signing and
safe-mode AES written here with ``cryptography`` directly (not wechatpy), so the adapter's use of
wechatpy is checked against an independent implementation of the protocol."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

WINDOW = 48 * 3600


def signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()  # noqa: S324 - the protocol's SHA-1


def aes_encrypt(aes_key: str, app_id: str, xml: str, *, random16: bytes | None = None) -> str:
    key = base64.b64decode(aes_key + "=")
    body = xml.encode()
    plain = (random16 or os.urandom(16)) + struct.pack(">I", len(body)) + body + app_id.encode()
    pad = 32 - len(plain) % 32
    plain += bytes([pad]) * pad
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def aes_decrypt(aes_key: str, encrypted: str) -> tuple[str, str]:
    key = base64.b64decode(aes_key + "=")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
    plain = plain[: -plain[-1]]
    length = struct.unpack(">I", plain[16:20])[0]
    return plain[20 : 20 + length].decode(), plain[20 + length :].decode()


class WechatSim:
    def __init__(self, app_id: str, secret: str, *, expires_in: int = 7200, token_delay: float = 0.0) -> None:
        self.app_id = app_id
        self.secret = secret
        self.expires_in = expires_in
        self.token_delay = token_delay
        self.tokens: dict[str, float] = {}
        self.token_requests = 0
        self.interactions: dict[str, float] = {}
        self.sent: list[dict[str, Any]] = []
        self.media: dict[str, tuple[str, bytes]] = {}
        self.fail_send: list[int] = []  # errcodes answered to the next custom/send calls
        self.lock = threading.Lock()
        sim = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, data: Any, content_type: str = "application/json") -> None:
                body = data if isinstance(data, bytes) else json.dumps(data).encode()
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                if url.path == "/cgi-bin/token":
                    self._answer(sim.token(query))
                elif url.path == "/cgi-bin/media/get":
                    error = sim.check_token(query)
                    if error:
                        self._answer(error)
                    elif query.get("media_id") not in sim.media:
                        self._answer({"errcode": 40007, "errmsg": "invalid media_id"})
                    else:
                        content_type, data = sim.media[query["media_id"]]
                        self._answer(data, content_type)
                else:
                    self.send_error(404)

            def do_POST(self) -> None:
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                data = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                if url.path == "/cgi-bin/message/custom/send":
                    self._answer(sim.custom_send(query, data))
                else:
                    self.send_error(404)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> WechatSim:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- the platform's API -------------------------------------------------------------
    def token(self, query: dict[str, str]) -> dict[str, Any]:
        with self.lock:
            self.token_requests += 1
        time.sleep(self.token_delay)
        if query.get("appid") != self.app_id:
            return {"errcode": 40013, "errmsg": "invalid appid"}
        if query.get("secret") != self.secret:
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        token = base64.urlsafe_b64encode(os.urandom(24)).decode()
        with self.lock:
            self.tokens[token] = time.time() + self.expires_in
        return {"access_token": token, "expires_in": self.expires_in}

    def check_token(self, query: dict[str, str]) -> dict[str, Any] | None:
        expires = self.tokens.get(query.get("access_token", ""))
        if expires is None:
            return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
        if expires < time.time():
            return {"errcode": 42001, "errmsg": "access_token expired"}
        return None

    def custom_send(self, query: dict[str, str], data: dict[str, Any]) -> dict[str, Any]:
        error = self.check_token(query)
        if error:
            return error
        if self.fail_send:
            code = self.fail_send.pop(0)
            return {"errcode": code, "errmsg": "simulated"}
        last = self.interactions.get(str(data.get("touser")))
        if last is None or last + WINDOW < time.time():
            return {"errcode": 45015, "errmsg": "response out of time limit or subscription is canceled"}
        self.sent.append(data)
        return {"errcode": 0, "errmsg": "ok"}

    # --- the platform's side of a callback ---------------------------------------------
    def interact(self, openid: str, at: float | None = None) -> None:
        self.interactions[openid] = time.time() if at is None else at
