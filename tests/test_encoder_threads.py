"""Every kefu process runs the sentence encoder on one OpenMP thread unless told otherwise."""

import os
import subprocess
import sys


def _threads_seen(env_value: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    if env_value is not None:
        env["OMP_NUM_THREADS"] = env_value
    code = "import os, kefu; print(os.environ['OMP_NUM_THREADS'])"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_one_thread_by_default_and_the_environment_wins():
    # Given no OMP_NUM_THREADS, importing kefu sets one thread before the encoder loads
    assert _threads_seen(None) == "1"
    # Given an operator's own value, it is kept
    assert _threads_seen("2") == "2"
