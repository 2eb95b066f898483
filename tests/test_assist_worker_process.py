"""Embedded mode runs jobs in a worker child, not beside the event loop (issue 14).

A real ``kefu serve`` on a spare port with a scratch database and var/ directory: the web process has
no job consumer and no sweeper; its supervised child analyses a customer's message and the raised
priority it publishes reaches the agent's socket in the web process (the doorbell relay); a killed
child is started again and analysis goes on; stopping the server stops the child.  The chat bench runs
here at a tiny size, with its analysis-lag figure.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
import urllib.request
from pathlib import Path

import pytest

from tests.process_support import Client, Installation, Server, free_port, installation


def _threads(pid: int) -> set[str]:
    return {Path(task, "comm").read_text().strip() for task in Path(f"/proc/{pid}/task").iterdir()}


def _worker(url: str) -> dict[str, int]:
    with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:  # noqa: S310 - loopback only
        return dict(json.loads(response.read())["checks"]["job_queue"]["worker"])


def _analyses(inst: Installation) -> list[dict[str, object]]:
    code = (
        "import json; from kefu.assist.models import MessageEmotion as M; "
        "print(json.dumps(list(M.objects.order_by('id').values('message__text', 'emotion', 'path', 'script'))))"
    )
    return list(json.loads(inst.run("shell", "-c", code).strip().splitlines()[-1]))


async def _angry_customer_is_classified(server: Server, inst: Installation, text: str) -> dict[str, object]:
    """A new visitor says hello; an agent subscribes to the chat; then the visitor writes ``text``: the
    ``conversation.classified`` event can only reach the agent live, rung by the worker through the relay."""
    visitor = Client(server.url, "visitor")
    agent = Client(server.url, "agent", token=inst.token)
    try:  # both sockets are closed however this ends (a timeout of the caller cancels it anywhere)
        await visitor.connect()
        await visitor.until(lambda: bool(visitor.visitor))
        await visitor.send("你好")
        await visitor.until(lambda: bool(visitor.acked))
        agent.conversation = visitor.conversation
        await agent.connect()
        await agent.until(lambda: bool(agent.received), timeout=30)
        await visitor.send(text)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            data = json.loads(await asyncio.wait_for(agent.ws.recv(), deadline - time.monotonic()))
            if data.get("type") == "conversation" and data.get("op") == "classified":
                return dict(data)
        raise AssertionError("no classified event reached the agent")
    finally:
        await visitor.close()
        await agent.close()


@pytest.fixture(scope="module")
def inst(tmp_path_factory):
    with installation(tmp_path_factory.mktemp("worker")) as made:
        yield made


async def _not_classified_within(server: Server, inst: Installation, text: str, seconds: float) -> bool:
    try:
        await asyncio.wait_for(_angry_customer_is_classified(server, inst, text), seconds)
    except TimeoutError:
        return True
    return False


def test_kefu_serve_runs_jobs_in_a_supervised_child_and_relays_its_doorbells(inst):
    server = Server(inst, free_port()).start(timeout=120)
    try:
        assert server.proc is not None
        web = server.proc.pid
        child = _worker(server.url)["pid"]
        # Given kefu serve: the web process has neither the job consumer nor the sweeper; its child has,
        assert child != web
        deadline = time.monotonic() + 60
        while "kefu-sweeper" not in _threads(child) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert "kefu-sweeper" in _threads(child)
        assert "kefu-sweeper" not in _threads(web)
        # and while the child is stopped (SIGSTOP) a customer's message is not analysed by the web process;
        os.kill(child, signal.SIGSTOP)
        try:
            assert asyncio.run(_not_classified_within(server, inst, "气死我了，我要投诉！！", 20))
        finally:
            os.kill(child, signal.SIGCONT)
        # when an angry customer writes, the child analyses the message and the priority it raises
        # reaches the agent's socket on the web process (relayed doorbell);
        event = asyncio.run(_angry_customer_is_classified(server, inst, "等了一周还没发！骗子，我要投诉到12315！！"))
        assert event["priority"] == "urgent"
        # when the child is killed, the web process starts another and the analysis goes on;
        os.kill(child, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while _worker(server.url)["pid"] == child and time.monotonic() < deadline:
            time.sleep(0.5)
        again = _worker(server.url)
        assert again["pid"] != child
        assert again["restarts"] == 1
        event = asyncio.run(_angry_customer_is_classified(server, inst, "什么破服务，我要曝光你们！！"))
        assert event["cause"] == "angry"
        rows = {str(r["message__text"]): r for r in _analyses(inst)}
        assert rows["等了一周还没发！骗子，我要投诉到12315！！"]["emotion"] == "angry"
        assert rows["什么破服务，我要曝光你们！！"]["script"] == "zh-Hans"
        child = again["pid"]
    finally:
        server.stop()
    # and stopping the server stops the child.
    deadline = time.monotonic() + 15
    while Path(f"/proc/{child}").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not Path(f"/proc/{child}").exists() or "zombie" in Path(f"/proc/{child}/status").read_text()


def test_the_chat_bench_reports_the_analysis_lag_at_a_tiny_size(inst):
    out = inst.run(
        "bench",
        "chat",
        "--conversations",
        "2",
        "--rate",
        "2",
        "--duration",
        "2",
        "--drain",
        "3",
        "--repeat",
        "2",
        "--analysis-wait",
        "120",
        timeout=400,
    )
    result = json.loads(out)
    # Nothing lost, a baseline in the same run, medians of the rounds and the load average;
    assert result["repeat"] == 2
    assert len(result["rounds"]) == 2
    assert result["lost_total"] == 0
    assert result["median"]["echo_p99_ms"] > 0
    assert result["median"]["chat_p99_ms"] > 0
    assert len(result["load_average_before"]) == 3
    # and every customer message of the round (the 2 that open the chats and the 2 × 2 s × 2/s sent) was
    # analysed once, each with its lag.
    analysis = result["analysis"]
    assert analysis["customer_messages"] >= 8
    assert analysis["analysed"] == analysis["customer_messages"]
    assert analysis["unanalysed"] == 0
    assert 0 < analysis["lag_ms"]["p50"] <= analysis["lag_ms"]["p99"]
    assert sum(analysis["paths"].values()) == analysis["analysed"]
    assert result["median"]["analysis_lag_p99_ms"] > 0
