"""Starting kefu server processes from Python (benchmarks and end-to-end tests)."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

KEFU = str(Path(sys.executable).with_name("kefu"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def spawn(args: list[str], *, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``kefu ARGS`` in the background, its output appended to ``log``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        return subprocess.Popen([KEFU, *args], env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603


def wait_healthy(url: str, proc: subprocess.Popen[bytes], *, log: Path, timeout: float = 30) -> None:
    """Until ``url``/healthz answers 200; a clear error with the log if the process dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"kefu exited early:\n{log.read_text(errors='replace')[-4000:]}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/healthz", timeout=1) as response,  # noqa: S310 - loopback only
        ):
            if response.status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"kefu did not start in {timeout:.0f} s:\n{log.read_text(errors='replace')[-4000:]}")


def stop(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
