"""GET /healthz, and `kefu serve` as one real process (what `make serve` runs)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KEFU = str(Path(sys.executable).parent / "kefu")


@pytest.mark.django_db
def test_healthz_reports_the_three_parts(client):
    # Given a working installation, when /healthz is asked, then 200 and each part is ok.
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "channel_layer", "job_queue"}
    assert all(check["status"] == "ok" for check in body["checks"].values())


def test_healthz_says_which_part_failed_when_the_database_is_down(tmp_path):
    # Given a database URL nothing listens on,
    env = {
        **os.environ,
        "KEFU_DATABASE_URL": "postgresql://root@127.0.0.1:9/kefu?connect_timeout=2",
        "KEFU_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "kefu.config.settings",
    }
    env.pop("KEFU_REDIS_URL", None)
    script = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "r = Client(HTTP_HOST='127.0.0.1').get('/healthz')\n"
        "print(json.dumps({'code': r.status_code, 'body': r.json()}))\n"
    )
    # when /healthz is asked,
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120, check=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    # then it answers 503 and names the database, while the other parts are still ok.
    assert result["code"] == 503
    checks = result["body"]["checks"]
    assert checks["database"]["status"] == "error"
    assert checks["database"]["error"]
    assert checks["channel_layer"]["status"] == "ok"
    assert checks["job_queue"]["status"] == "ok"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.mark.slow
def test_kefu_serve_runs_one_process_and_stops_cleanly(tmp_path):
    # Given a fresh SQLite file named by KEFU_DATABASE_URL,
    port = _free_port()
    env = {
        **os.environ,
        "KEFU_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        "KEFU_VAR_DIR": str(tmp_path / "var"),
        "KEFU_SWEEP_INTERVAL": "1",
    }
    env.pop("KEFU_REDIS_URL", None)
    proc = subprocess.Popen(
        [KEFU, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        # when `kefu serve` starts, then the login page is served (migrated, demo loaded),
        deadline = time.monotonic() + 120
        status = 0
        while time.monotonic() < deadline:
            try:
                status, page = _get(f"http://127.0.0.1:{port}/login/")
                break
            except OSError:
                time.sleep(0.3)
        assert status == 200
        assert 'lang="zh-CN"' in page
        code, body = _get(f"http://127.0.0.1:{port}/healthz")
        assert code == 200
        assert json.loads(body)["checks"]["job_queue"]["backend"] == "SqliteHuey"
    finally:
        # and Ctrl-C stops everything cleanly.
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, output
    assert "agent" in output  # the demo logins were printed
    assert "kefu: stopped." in output


@pytest.mark.slow
def test_kefu_worker_fires_due_timers_and_stops_on_sigterm(tmp_path):
    # Given a conversation snoozed (through the action) for two seconds while no worker runs,
    env = {
        **os.environ,
        "KEFU_DATABASE_URL": f"sqlite:///{tmp_path / 'w.sqlite3'}",
        "KEFU_VAR_DIR": str(tmp_path / "var"),
        "KEFU_SWEEP_INTERVAL": "1",
    }
    env.pop("KEFU_REDIS_URL", None)
    subprocess.run([KEFU, "migrate", "-v0"], cwd=tmp_path, env=env, check=True, timeout=120)
    setup = (
        "from datetime import timedelta\n"
        "from kefu import demo; from kefu.core import clock\n"
        "from kefu.conversations.actions import do_transition\n"
        "from kefu.conversations.models import Conversation\n"
        "demo.load()\n"
        "c = Conversation.objects.get(subject='光模块兼容性')\n"
        "now = clock.now()\n"
        "do_transition(c, 'snooze', actor=None, now=now, snooze_until=now + timedelta(seconds=2))\n"
        "print(c.pk)\n"
    )
    pk = (
        subprocess.run(
            [KEFU, "shell", "-c", setup], cwd=tmp_path, env=env, check=True, timeout=120, capture_output=True, text=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    status = f"from kefu.conversations.models import Conversation; print(Conversation.objects.get(pk={pk}).status)"
    # when `kefu worker` runs,
    proc = subprocess.Popen(
        [KEFU, "worker"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + 60
        current = ""
        while time.monotonic() < deadline:
            current = (
                subprocess.run(
                    [KEFU, "shell", "-c", status],
                    cwd=tmp_path,
                    env=env,
                    check=True,
                    timeout=60,
                    capture_output=True,
                    text=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            if current == "open":
                break
            time.sleep(0.5)
        # then its sweeper wakes the conversation,
        assert current == "open"
    finally:
        # and SIGTERM stops it cleanly.
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, output
    assert "kefu worker: stopped." in output
