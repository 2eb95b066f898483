"""``kefu bench chat``: live chat end to end, against a bare Channels echo in the same run.

N visitor sockets (the widget's) and N agent sockets (the workspace's, bearer token) each
send R messages a second for S seconds.  Every message is written to the database before
it is acknowledged and reaches the other side through the doorbell; the benchmark measures
send → the other side receives, and counts lost and duplicated messages.  The baseline is the
same traffic through ``/ws/bench-echo/``, which relays frames over the same channel layer
and touches no database.

Every customer message is also analysed once, after it is stored, by the worker process (issue 14):
the benchmark reports that as its own figure, ``analysis``: how long after a message was stored its
analysis was stored (p50 / p99), how many were analysed by the end of the drain and by the end of
``--analysis-wait``, and which path decided them.  The bench's texts (``b <client id>``) carry no cue,
so the screen is unsure of them all: every one goes to the encoder, the analysis's worst case.

``--repeat N`` runs N rounds of (echo, chat) and reports the medians of the rounds' figures, each
round's figures, and the load average at the start and the end.

Without ``--url`` it starts the server itself (``kefu serve``, embedded mode; or two
``kefu web`` processes with ``--processes 2``, which needs KEFU_REDIS_URL: visitors on the
first, agents on the second).  The benchmark writes its test data (a channel, an agent,
visitors) with this process's settings, so a ``--url`` server must use the same database.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import close_old_connections

from kefu.core import clock
from kefu.core.bench import bench
from kefu.core.procs import free_port, spawn, stop, wait_healthy

SETUP_CONCURRENCY = 50


def _cpu_seconds(pids: list[int]) -> dict[str, float] | None:
    """CPU seconds used so far by the server processes (``web``) and their children (``worker``:
    ``kefu serve``'s worker child), from /proc; None where /proc is not there or no pid is known."""
    if not pids or not Path("/proc/self/stat").exists():
        return None
    tick = os.sysconf("SC_CLK_TCK")

    def stat(pid: int) -> list[str] | None:
        try:
            raw = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return None
        return raw[raw.rindex(")") + 2 :].split()  # the fields after the command name

    web = worker = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = stat(int(entry.name))
        if fields is None:
            continue
        used = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
        if int(entry.name) in pids:
            web += used
        elif int(fields[1]) in pids:  # the parent is a server
            worker += used
    return {"web": web, "worker": worker}


@dataclass
class Tally:
    sent_at: dict[str, float] = field(default_factory=dict)
    acked: set[str] = field(default_factory=set)
    received: dict[str, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def summary(self, duration: float) -> dict[str, Any]:
        sent = len(self.sent_at)
        delivered = sum(1 for cid in self.sent_at if cid in self.received)
        lat = sorted(self.latencies)
        q = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) >= 2 else [0.0] * 99
        return {
            "sent": sent,
            "acknowledged": len(self.acked),
            "delivered": delivered,
            "lost": sent - delivered,
            "duplicated": sum(n - 1 for n in self.received.values() if n > 1),
            "latency_ms": {
                "p50": round(q[49] * 1000, 1),
                "p95": round(q[94] * 1000, 1),
                "p99": round(q[98] * 1000, 1),
                "max": round(lat[-1] * 1000, 1) if lat else 0.0,
            },
            "delivered_per_second": round(delivered / duration, 1),
            "errors": self.errors[:5],
            "error_count": len(self.errors),
        }


def _prepare() -> dict[str, Any]:
    """A bench channel (no team, agents pick from the queue) and a bench agent with a token."""
    from kefu.accounts.actions import do_create_api_token, do_create_user
    from kefu.accounts.choices import Role
    from kefu.accounts.models import User
    from kefu.conversations.choices import ChannelKind, RoutingStrategy
    from kefu.conversations.models import Channel

    now = clock.now()
    channel, _created = Channel.objects.get_or_create(
        key="bench-web",
        defaults={"name": "bench", "kind": ChannelKind.WEB_CHAT, "routing": RoutingStrategy.MANUAL},
    )
    agent = User.objects.filter(username="bench-agent").first()
    if agent is None:
        agent = do_create_user(
            "bench-agent", password=uuid.uuid4().hex, role=Role.SUPERVISOR, display_name="压测客服", now=now
        )
    _token, raw = do_create_api_token(agent, name="bench", now=now)
    return {"channel": channel, "token": raw}


async def _connect(url: str, *, token: str = "") -> Any:
    from websockets.asyncio.client import connect
    from websockets.typing import Origin

    origin = url.split("/ws/")[0].replace("ws://", "http://").replace("wss://", "https://")
    headers = {"Authorization": f"Bearer {token}"} if token else None
    return await connect(url, origin=Origin(origin), additional_headers=headers, max_queue=None, open_timeout=30)


class Pair:
    def __init__(self, index: int, mode: str, visitor_base: str, agent_base: str, token: str, channel: str) -> None:
        self.index, self.mode, self.token, self.channel = index, mode, token, channel
        self.visitor_base, self.agent_base = visitor_base, agent_base
        self.conversation: int | None = None
        self.visitor: Any = None
        self.agent: Any = None

    async def open(self) -> None:
        if self.mode == "echo":
            self.visitor = await _connect(
                f"{self.visitor_base}/ws/bench-echo/?pair={self.index}&side=visitor", token=self.token
            )
            self.agent = await _connect(
                f"{self.agent_base}/ws/bench-echo/?pair={self.index}&side=agent", token=self.token
            )
            return
        self.visitor = await _connect(f"{self.visitor_base}/ws/widget/?channel={self.channel}")
        await self.visitor.send(json.dumps({"op": "hello"}))
        await self._until(self.visitor, "welcome")
        await self.visitor.send(
            json.dumps({"op": "send", "client_id": f"start-{uuid.uuid4().hex}", "text": "压测开始"})
        )
        ack = await self._until(self.visitor, "ack")
        self.conversation = ack["conversation"]
        self.agent = await _connect(f"{self.agent_base}/ws/streams/", token=self.token)
        await self.agent.send(json.dumps({"op": "subscribe", "stream": f"conversation:{self.conversation}"}))
        await self._until(self.agent, "subscribed")

    @staticmethod
    async def _until(ws: Any, kind: str) -> dict[str, Any]:
        while True:
            data = json.loads(await asyncio.wait_for(ws.recv(), 30))
            if data.get("type") == kind:
                return data
            if data.get("type") == "error":
                raise RuntimeError(f"bench setup refused: {data}")

    def frame(self, side: str, client_id: str) -> str:
        body: dict[str, Any] = {"op": "send", "client_id": client_id, "text": f"b {client_id}"}
        if side == "agent" and self.mode == "chat":
            body["conversation"] = self.conversation
        return json.dumps(body)

    async def close(self) -> None:
        for ws in (self.visitor, self.agent):
            if ws is not None:
                with contextlib.suppress(Exception):  # closing at the end: nothing left to do
                    await ws.close()


async def _reader(ws: Any, side: str, tally: Tally, seen_events: set[int]) -> None:
    other = "a-" if side == "visitor" else "v-"
    try:
        async for raw in ws:
            now = time.perf_counter()
            data = json.loads(raw)
            kind = data.get("type")
            if kind == "ack":
                tally.acked.add(str(data.get("client_id")))
            elif kind == "message":
                event_id = data.get("id")
                if isinstance(event_id, int):
                    key = event_id * 2 + (side == "agent")
                    if key in seen_events:
                        continue  # a repeat around a subscription: the contract says drop it
                    seen_events.add(key)
                text = str((data.get("message") or {}).get("text", ""))
                client_id = text[2:] if text.startswith("b ") else ""
                if client_id.startswith(other):
                    tally.received[client_id] = tally.received.get(client_id, 0) + 1
                    if tally.received[client_id] == 1 and client_id in tally.sent_at:
                        tally.latencies.append(now - tally.sent_at[client_id])
            elif kind == "error":
                tally.errors.append(str(data.get("error")) + ": " + str(data.get("message", ""))[:80])
    except Exception as exc:  # the connection closing ends the reader
        if not type(exc).__name__.startswith("ConnectionClosed"):
            tally.errors.append(repr(exc)[:120])


async def _sender(pair: Pair, side: str, rate: float, until: float, tally: Tally) -> None:
    ws = pair.visitor if side == "visitor" else pair.agent
    interval = 1.0 / rate
    await asyncio.sleep(random.random() * interval)  # noqa: S311 - spreading load, not security
    prefix = "v-" if side == "visitor" else "a-"
    next_at = time.perf_counter()
    while next_at < until:
        client_id = f"{prefix}{pair.index}-{uuid.uuid4().hex[:10]}"
        tally.sent_at[client_id] = time.perf_counter()
        try:
            await ws.send(pair.frame(side, client_id))
        except Exception as exc:
            tally.errors.append(repr(exc)[:120])
            return
        next_at += interval
        await asyncio.sleep(max(0.0, next_at - time.perf_counter()))


async def _run(
    mode: str,
    *,
    conversations: int,
    rate: float,
    duration: float,
    drain: float,
    visitor_base: str,
    agent_base: str,
    token: str,
    channel: str,
    server_pids: list[int] | None = None,
) -> dict[str, Any]:
    pairs = [Pair(i, mode, visitor_base, agent_base, token, channel) for i in range(conversations)]
    gate = asyncio.Semaphore(SETUP_CONCURRENCY)

    async def open_one(pair: Pair) -> None:
        async with gate:
            await pair.open()

    await asyncio.gather(*(open_one(p) for p in pairs))
    tally = Tally()
    seen: set[int] = set()
    readers = []
    for p in pairs:
        readers.append(asyncio.create_task(_reader(p.visitor, "visitor", tally, set())))
        readers.append(asyncio.create_task(_reader(p.agent, "agent", tally, seen if mode == "echo" else set())))
    cpu_before = _cpu_seconds(server_pids or [])
    start = time.perf_counter()
    until = start + duration
    senders = [
        asyncio.create_task(_sender(p, side, rate, until, tally)) for p in pairs for side in ("visitor", "agent")
    ]
    await asyncio.gather(*senders)
    sent_for = time.perf_counter() - start
    deadline = time.perf_counter() + drain  # let what is in flight arrive
    while time.perf_counter() < deadline and any(cid not in tally.received for cid in tally.sent_at):
        await asyncio.sleep(0.1)
    cpu_after = _cpu_seconds(server_pids or [])
    for p in pairs:
        await p.close()
    for r in readers:
        r.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    result = tally.summary(sent_for)
    result["sending_seconds"] = round(sent_for, 2)
    if cpu_before and cpu_after:
        # What the server spent on the round's traffic (sending and drain, not the sockets' set-up),
        # per message sent either way: unlike latency, this hardly moves when the machine is busy.
        used = {k: cpu_after[k] - cpu_before[k] for k in cpu_before}
        messages = max(1, result["sent"])
        result["server_cpu"] = {
            "web_s": round(used["web"], 2),
            "worker_s": round(used["worker"], 2),
            "web_ms_per_message": round(1000 * used["web"] / messages, 3),
            "worker_ms_per_message": round(1000 * used["worker"] / messages, 3),
        }
    return result


def _quantiles_ms(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p99": 0.0, "max": 0.0}
    lat = sorted(values)
    q = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) >= 2 else [lat[0]] * 99
    return {"p50": round(q[49] * 1000, 1), "p99": round(q[98] * 1000, 1), "max": round(lat[-1] * 1000, 1)}


def _customer_messages(channel: Any, began: Any) -> Any:
    from kefu.conversations.choices import AuthorKind
    from kefu.conversations.models import Message

    return Message.objects.filter(
        conversation__channel=channel, created_at__gte=began, author_kind=AuthorKind.CUSTOMER, is_internal=False
    ).exclude(text="")


def _analysed(channel: Any, began: Any) -> int:
    close_old_connections()
    return int(_customer_messages(channel, began).filter(emotion__isnull=False).count())


def _analysis_lag(channel: Any, began: Any, *, by_drain_end: int, wait: float) -> dict[str, Any]:
    """The analysis figure: wait up to ``wait`` seconds for the worker to analyse every customer
    message of the round, then the lag from a message stored to its analysis stored."""
    total = _customer_messages(channel, began).count()
    deadline = time.perf_counter() + wait
    waited_from = time.perf_counter()
    while time.perf_counter() < deadline and _analysed(channel, began) < total:
        time.sleep(0.5)
    caught_up_s = round(time.perf_counter() - waited_from, 1)
    close_old_connections()
    rows = list(
        _customer_messages(channel, began)
        .filter(emotion__isnull=False)
        .values_list("created_at", "emotion__created_at", "emotion__path")
    )
    lags = [max(0.0, (done - stored).total_seconds()) for stored, done, _path in rows]
    paths: dict[str, int] = {}
    for _stored, _done, path in rows:
        paths[path] = paths.get(path, 0) + 1
    return {
        "customer_messages": total,
        "analysed_by_drain_end": by_drain_end,
        "analysed": len(rows),
        "unanalysed": total - len(rows),
        "seconds_after_drain_to_catch_up": caught_up_s if len(rows) == total else None,
        "lag_ms": _quantiles_ms(lags),
        "paths": paths,
    }


def _median_of(rounds: list[dict[str, Any]], *path: str) -> float | None:
    values = []
    for r in rounds:
        value: Any = r
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, int | float):
            values.append(float(value))
    return round(statistics.median(values), 2) if values else None


def _start_servers(processes: int, rate: float) -> tuple[list[Any], list[str], Path]:
    workdir = Path(tempfile.mkdtemp(prefix="kefu-bench-"))
    env = dict(os.environ)
    env.update(
        KEFU_CHAT_RATE=str(max(10.0, rate * 4)),
        KEFU_CHAT_BURST="100",
        # every bench visitor comes from 127.0.0.1 on one channel: lift the address and channel limits
        KEFU_CHAT_IP_RATE="100000",
        KEFU_CHAT_IP_BURST="100000",
        KEFU_CHAT_CHANNEL_RATE="100000",
        KEFU_CHAT_CHANNEL_BURST="100000",
        KEFU_SMTPD_PORT="0",  # not measured here; a running kefu may hold the port
        KEFU_LOG_LEVEL="WARNING",
        KEFU_LOG_FORMAT="text",
    )
    if processes > 1 and not settings.ENV.redis_url:
        raise SystemExit("kefu bench chat --processes 2 needs KEFU_REDIS_URL (the processes meet on Redis)")
    procs, urls = [], []
    for n in range(processes):
        port = free_port()
        args = ["serve", "--no-setup"] if processes == 1 else ["web", "--workers", "1"]
        log = workdir / f"server-{n}.log"
        proc = spawn([*args, "--host", "127.0.0.1", "--port", str(port)], env=env, log=log)
        procs.append(proc)
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, proc, log=log)
        urls.append(url)
    return procs, urls, workdir


@bench(
    "chat",
    "live chat end to end (widget and agent sockets, stored then delivered) against a bare Channels echo",
    conversations=(int, 100, "visitor/agent socket pairs"),
    rate=(float, 1.0, "messages per second per conversation, each way"),
    duration=(float, 10.0, "seconds of sending"),
    url=(str, "", "a running kefu (same database as this process); default: start one"),
    agent_url=(str, "", "where agents connect (default: --url; with --processes 2 the second process)"),
    processes=(int, 1, "servers to start when --url is not given: 1 (kefu serve) or 2 (kefu web x2, Redis)"),
    drain=(float, 5.0, "seconds to wait for messages in flight after sending stops"),
    baseline=(int, 1, "1: also measure the echo baseline (the ratio); 0: chat only, e.g. for profiling"),
    repeat=(int, 1, "rounds of (echo, chat); the figures are the rounds' medians"),
    analysis_wait=(float, 60.0, "seconds to wait after each round for the worker to analyse its messages"),
)
def chat_bench(
    *,
    conversations: int,
    rate: float,
    duration: float,
    url: str,
    agent_url: str,
    processes: int,
    drain: float,
    baseline: int,
    repeat: int,
    analysis_wait: float,
) -> dict[str, Any]:
    setup = _prepare()
    procs: list[Any] = []
    load_before = [round(x, 2) for x in os.getloadavg()]
    rounds: list[dict[str, Any]] = []
    try:
        if url:
            urls = [url.rstrip("/")]
        else:
            procs, urls, _workdir = _start_servers(max(1, min(2, processes)), rate)
        visitor_http = urls[0]
        agent_http = agent_url.rstrip("/") if agent_url else urls[-1]
        bases = {
            "visitor_base": visitor_http.replace("http", "ws", 1),
            "agent_base": agent_http.replace("http", "ws", 1),
        }
        common: dict[str, Any] = {
            "conversations": conversations,
            "rate": rate,
            "duration": duration,
            "drain": drain,
            "server_pids": [proc.pid for proc in procs],
            **bases,
        }
        for _round in range(max(1, repeat)):
            rounds.append(_round_of(setup, common, baseline=bool(baseline), analysis_wait=analysis_wait))
    finally:
        for proc in procs:
            stop(proc)
    last = rounds[-1]
    return {
        "bench": "chat",
        "mode": "scaled" if settings.ENV.redis_url else "embedded",
        "database": settings.ENV.database.engine,
        "servers": len(procs) or 1,
        "conversations": conversations,
        "rate_per_conversation_each_way": rate,
        "duration_s": duration,
        "repeat": len(rounds),
        "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "median": {
            "chat_p50_ms": _median_of(rounds, "chat", "latency_ms", "p50"),
            "chat_p99_ms": _median_of(rounds, "chat", "latency_ms", "p99"),
            "echo_p99_ms": _median_of(rounds, "echo_baseline", "latency_ms", "p99"),
            "ratio_p99_chat_to_echo": _median_of(rounds, "ratio_p99_chat_to_echo"),
            "lost": _median_of(rounds, "chat", "lost"),
            "analysis_lag_p50_ms": _median_of(rounds, "analysis", "lag_ms", "p50"),
            "analysis_lag_p99_ms": _median_of(rounds, "analysis", "lag_ms", "p99"),
            "analysed_by_drain_end": _median_of(rounds, "analysis", "analysed_by_drain_end"),
            "customer_messages": _median_of(rounds, "analysis", "customer_messages"),
            "web_cpu_ms_per_message": _median_of(rounds, "chat", "server_cpu", "web_ms_per_message"),
            "echo_web_cpu_ms_per_message": _median_of(rounds, "echo_baseline", "server_cpu", "web_ms_per_message"),
            "ratio_web_cpu_chat_to_echo": _median_of(rounds, "ratio_web_cpu_chat_to_echo"),
        },
        "lost_total": sum(r["chat"]["lost"] for r in rounds),
        # the last round in full (as before --repeat), then every round's figures
        "chat": last["chat"],
        "echo_baseline": last["echo_baseline"],
        "analysis": last["analysis"],
        "ratio_p99_chat_to_echo": last["ratio_p99_chat_to_echo"],
        "ratio_delivered_chat_to_echo": last["ratio_delivered_chat_to_echo"],
        "rounds": [
            {
                "chat_p99_ms": r["chat"]["latency_ms"]["p99"],
                "echo_p99_ms": (r["echo_baseline"] or {}).get("latency_ms", {}).get("p99"),
                "web_cpu_ms_per_message": r["chat"].get("server_cpu", {}).get("web_ms_per_message"),
                "lost": r["chat"]["lost"],
                "analysis_lag_p99_ms": r["analysis"]["lag_ms"]["p99"],
                "analysed_by_drain_end": r["analysis"]["analysed_by_drain_end"],
                "load_average": r["load_average"],
            }
            for r in rounds
        ],
    }


def _round_of(setup: dict[str, Any], common: dict[str, Any], *, baseline: bool, analysis_wait: float) -> dict[str, Any]:
    from kefu.conversations.models import Message

    channel = setup["channel"]
    echo = asyncio.run(_run("echo", token=setup["token"], channel=channel.key, **common)) if baseline else None
    began = clock.now()
    chat = asyncio.run(_run("chat", token=setup["token"], channel=channel.key, **common))
    by_drain_end = _analysed(channel, began)
    stored = Message.objects.filter(conversation__channel=channel, created_at__gte=began).count()
    chat["persisted_per_second"] = round(stored / max(chat["sending_seconds"], 0.001), 1)
    chat["persisted"] = stored
    analysis = _analysis_lag(channel, began, by_drain_end=by_drain_end, wait=analysis_wait)
    p99 = chat["latency_ms"]["p99"]
    base_p99 = echo["latency_ms"]["p99"] if echo else 0
    cpu = (chat.get("server_cpu") or {}).get("web_ms_per_message")
    base_cpu = ((echo or {}).get("server_cpu") or {}).get("web_ms_per_message")
    return {
        "chat": chat,
        "echo_baseline": echo,
        "analysis": analysis,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "ratio_p99_chat_to_echo": round(p99 / base_p99, 2) if base_p99 else None,
        "ratio_web_cpu_chat_to_echo": round(cpu / base_cpu, 2) if cpu and base_cpu else None,
        "ratio_delivered_chat_to_echo": round(chat["delivered_per_second"] / echo["delivered_per_second"], 3)
        if echo and echo["delivered_per_second"]
        else None,
    }
