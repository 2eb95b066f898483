"""Reusable parts of the browser tests: the real ASGI app served by uvicorn in a thread,
and a headless Debian Chromium driven by Playwright's sync API (never a downloaded browser).

The server thread talks to the same test database as the test (pytest-django's
``transactional_db``: the data is committed, so another connection sees it).
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "browser"

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}

# Labels a busy agent reads at a glance: breaking one over two lines is a layout bug.
# A suggested reply is a card-sized button (reason, title, text on their own lines): not a label.
WRAP_SENSITIVE = ".mainnav a, .tabs a, button:not(.suggest-insert), .button, .badge, .vip, .list th, .kv dt"

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


@contextmanager
def serve_asgi(app: Any, *, startup_timeout: float = 10.0) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free 127.0.0.1 port in a background thread; yields the base URL."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # the kernel picks a free port; uvicorn serves on this very socket
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, lifespan="off", log_level="warning", access_log=False, ws="websockets-sansio", timeout_graceful_shutdown=3
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + startup_timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=startup_timeout)
        sock.close()
        if thread.is_alive():
            raise RuntimeError("uvicorn did not stop")


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Debian Chromium (a Playwright ``Browser``), closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Tab:
    """One page plus what went wrong on it: JavaScript errors, console errors, HTTP errors."""

    page: Any
    name: str
    errors: list[str] = field(default_factory=list)
    step: int = 0

    @classmethod
    def open(cls, browser: Any, name: str, viewport: dict[str, int], base_url: str) -> Tab:
        context = browser.new_context(viewport=viewport, base_url=base_url, locale="zh-CN", timezone_id="Asia/Shanghai")
        context.set_default_timeout(10_000)
        tab = cls(page=context.new_page(), name=name)
        tab.page.on("pageerror", lambda exc: tab.errors.append(f"pageerror: {exc}"))
        tab.page.on(
            "console", lambda msg: msg.type == "error" and tab.errors.append(f"console: {msg.text} @ {tab.page.url}")
        )
        tab.page.on("response", lambda r: r.status >= 400 and tab.errors.append(f"HTTP {r.status} {r.url}"))
        return tab

    def shot(self, label: str) -> Path:
        """Save a full-page screenshot as test-artifacts/browser/<name>-<nn>-<label>.png."""
        self.step += 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.name}-{self.step:02d}-{label}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def html_lang(self) -> str:
        return self.page.locator("html").get_attribute("lang") or ""

    def horizontal_overflow(self) -> int:
        """How many CSS pixels the document is wider than the viewport (0 when it fits)."""
        return self.page.evaluate(
            "() => Math.max(0, document.documentElement.scrollWidth - document.documentElement.clientWidth)"
        )

    def overflowing_elements(self) -> list[str]:
        """The elements that stick out on the right, to make an overflow failure readable."""
        return self.page.evaluate("""() => {
            const w = document.documentElement.clientWidth, out = [];
            for (const el of document.querySelectorAll('body *')) {
                const r = el.getBoundingClientRect();
                if (r.width && r.right > w + 1) {
                    out.push(el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).trim().replace(/\\s+/g, '.') : '')
                             + ' right=' + Math.round(r.right));
                }
            }
            return out.slice(0, 15);
        }""")

    def wrapped_labels(self, selector: str = WRAP_SENSITIVE) -> list[str]:
        """Texts of nav links, tabs, buttons, badges and headers broken over two lines or more."""
        return self.page.evaluate(
            """(selector) => {
            const out = [];
            for (const el of document.querySelectorAll(selector)) {
                const range = document.createRange();
                range.selectNodeContents(el);
                const rects = [...range.getClientRects()].filter(r => r.width && r.height).sort((a, b) => a.top - b.top);
                let lines = 0, bottom = -Infinity;
                for (const r of rects) {  // a text box that starts below the previous ones starts a new line
                    if (r.top >= bottom - 1) { lines += 1; bottom = r.bottom; } else { bottom = Math.max(bottom, r.bottom); }
                }
                if (lines > 1) out.push(el.textContent.trim());
            }
            return out;
        }""",
            selector,
        )

    def close(self) -> None:
        self.page.context.close()


def demo_company(settings: Any) -> None:
    """Load the demo company for a browser test (committed data: the server thread sees it).
    Seven demo users and several logins: the production password hasher would dominate the run."""
    from kefu import demo

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo.load()


def log_in(tab: Tab, username: str = "agent", *, shot: bool = False, home: bool = False) -> None:
    """Sign in through the login form as a demo user; lands on the inbox (``?next=/inbox/``), or with
    ``home=True`` where the role lands by itself (kefu.web.home: finance the refunds to pay …)."""
    from playwright.sync_api import expect

    from kefu.demo import DEMO_PASSWORD

    page = tab.page
    page.goto("/login/" if home else "/login/?next=/inbox/")
    expect(page.locator("form.login")).to_be_visible()
    if shot:
        tab.shot("login")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("form.login button[type=submit]")
    if home:
        page.wait_for_url(lambda url: "/login/" not in url)
    else:
        page.wait_for_url("**/inbox/")
