"""Real kefu server processes for the tests that kill one (SIGKILL) or run two of them
against one Redis, and a small WebSocket client for visitors and agents.

Each installation gets its own database (a SQLite file, or a fresh PostgreSQL database when
the suite runs against PostgreSQL), its own var/ directory and its own Redis prefix, so
nothing is shared with the test database or another run.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.exceptions import ConnectionClosed

from kefu.core.procs import KEFU, free_port, spawn, stop, wait_healthy

__all__ = ["Client", "Installation", "Server", "free_port", "installation"]


@dataclass
class Installation:
    """A database, a var/ directory and an API token for the demo agent."""

    env: dict[str, str]
    token: str = ""

    def run(self, *args: str, timeout: float = 120) -> str:
        done = subprocess.run([KEFU, *args], env=self.env, capture_output=True, text=True, timeout=timeout, check=False)
        if done.returncode:
            raise RuntimeError(f"kefu {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout


@contextlib.contextmanager
def installation(tmp_path: Path, *, redis_url: str = "") -> Iterator[Installation]:
    """Migrate a fresh database, load the demo company, issue a token for the demo agent."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEFU_")}
    env.update(
        KEFU_VAR_DIR=str(tmp_path / "var"),
        KEFU_LOG_FORMAT="text",
        KEFU_LOG_LEVEL="WARNING",
        KEFU_SWEEP_INTERVAL="1",
        KEFU_CHAT_RATE="50",
        KEFU_CHAT_BURST="100",
        KEFU_SMTPD_PORT="0",  # the SMTP server is not under test here, and its port may be taken
        KEFU_SECRET_KEY="e2e-" + uuid.uuid4().hex + uuid.uuid4().hex,
        KEFU_MODEL_DIR=os.environ["KEFU_MODEL_DIR"],  # the checkout's trained models (tests/conftest.py)
        DJANGO_SETTINGS_MODULE="kefu.config.settings",
    )
    pg_url = os.environ.get("KEFU_DATABASE_URL", "")
    dbname = ""
    if pg_url.startswith("postgres"):
        dbname = f"kefu_e2e_{uuid.uuid4().hex[:8]}"
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "root", dbname], check=True)
        env["KEFU_DATABASE_URL"] = pg_url.rsplit("/", 1)[0] + "/" + dbname
    else:
        env["KEFU_DATABASE_URL"] = f"sqlite:///{tmp_path / 'kefu.sqlite3'}"
    if redis_url:
        env["KEFU_REDIS_URL"] = redis_url
        env["KEFU_REDIS_PREFIX"] = "e2e" + uuid.uuid4().hex[:10]
    inst = Installation(env=env)
    try:
        inst.run("migrate", "--verbosity", "0")
        inst.run("demo", "--if-empty")
        inst.token = inst.run("token", "create", "agent").strip().split()[-1]
        yield inst
    finally:
        if dbname:
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "root", "--if-exists", "--force", dbname], check=False)


@dataclass
class Server:
    """One ``kefu serve`` / ``kefu web`` process on a fixed port."""

    inst: Installation
    port: int
    command: str = "serve"
    proc: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> Server:
        args = ["serve", "--no-setup"] if self.command == "serve" else ["web", "--workers", "1"]
        self.log = Path(self.inst.env["KEFU_VAR_DIR"]) / f"server-{self.port}.log"
        self.proc = spawn([*args, "--host", "127.0.0.1", "--port", str(self.port)], env=self.inst.env, log=self.log)
        wait_healthy(self.url, self.proc, log=self.log, timeout=timeout)
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, as when the machine loses power."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        stop(self.proc)


@dataclass
class Client:
    """A visitor (widget socket) or an agent (streams socket, bearer token) that keeps what
    it sent until acknowledged, resends it after a reconnect, and records what it received."""

    server_url: str
    side: str  # "visitor" or "agent"
    channel: str = "ruiguang-web"
    token: str = ""
    ws: Any = None
    visitor: str = ""
    conversation: int | None = None
    after: int = 0
    unacked: dict[str, dict[str, Any]] = field(default_factory=dict)
    acked: dict[str, int] = field(default_factory=dict)
    received: dict[int, dict[str, Any]] = field(default_factory=dict)  # message id → message
    duplicates: list[int] = field(default_factory=list)

    async def connect(self) -> None:
        from websockets.asyncio.client import connect

        base = self.server_url.replace("http://", "ws://")
        if self.side == "visitor":
            self.ws = await connect(f"{base}/ws/widget/?channel={self.channel}", origin=self.server_url)
            await self.ws.send(
                json.dumps(
                    {"op": "hello", "visitor": self.visitor, "conversation": self.conversation, "after": self.after}
                )
            )
        else:
            self.ws = await connect(
                f"{base}/ws/streams/",
                origin=self.server_url,
                additional_headers={"Authorization": f"Bearer {self.token}"},
            )
            if self.conversation:
                await self.subscribe(self.conversation)

    async def subscribe(self, conversation: int) -> None:
        self.conversation = conversation
        await self.ws.send(
            json.dumps({"op": "subscribe", "stream": f"conversation:{conversation}", "after": self.after})
        )

    async def send(self, text: str) -> str:
        client_id = f"{self.side}-{uuid.uuid4().hex[:12]}"
        frame = {"op": "send", "client_id": client_id, "text": text}
        if self.side == "agent":
            frame["conversation"] = self.conversation
        self.unacked[client_id] = frame
        await self.ws.send(json.dumps(frame))
        return client_id

    async def resend(self) -> None:
        for frame in list(self.unacked.values()):
            if self.side == "agent":
                frame["conversation"] = self.conversation
            await self.ws.send(json.dumps(frame))

    def handle(self, data: dict[str, Any]) -> None:
        if isinstance(data.get("id"), int) and data.get("type") in ("message", "conversation"):
            if data["id"] <= self.after:
                return  # a repeat around a (re)subscription: clients drop ids they have seen (the contract)
            self.after = data["id"]
        kind = data.get("type")
        if kind == "welcome":
            self.visitor = data["visitor"]
        elif kind == "ack":
            self.unacked.pop(data["client_id"], None)
            self.acked[data["client_id"]] = data["message"]
            self.conversation = self.conversation or data.get("conversation")
        elif kind == "message":
            message = data["message"]
            if message["id"] in self.received:
                self.duplicates.append(message["id"])
            self.received[message["id"]] = message

    async def pump(self, seconds: float) -> None:
        """Read whatever arrives for a while."""
        deadline = asyncio.get_running_loop().time() + seconds
        while True:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                return
            try:
                raw = await asyncio.wait_for(self.ws.recv(), left)
            except (TimeoutError, ConnectionClosed):
                return
            self.handle(json.loads(raw))

    async def until(self, predicate: Any, timeout: float = 10) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not predicate():
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise TimeoutError(f"{self.side}: condition not met in {timeout}s")
            raw = await asyncio.wait_for(self.ws.recv(), left)
            self.handle(json.loads(raw))

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
        self.ws = None
