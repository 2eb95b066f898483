"""Trained models cached under ``var/models/``: train once per data version, share between processes.

A model's file name carries a fingerprint of its training data (and scikit-learn's version), so editing
a data file retrains on next use; a file lock keeps two processes from training the same model at once.
"""

from __future__ import annotations

import fcntl
import hashlib
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import sklearn  # type: ignore[import-untyped]
from django.conf import settings

T = TypeVar("T")


def models_dir() -> Path:
    path = Path(settings.ENV.model_dir)
    path.mkdir(parents=True, exist_ok=True)
    return path


def fingerprint(*parts: str | bytes) -> str:
    digest = hashlib.sha256(sklearn.__version__.encode())
    for part in parts:
        digest.update(b"|")
        digest.update(part.encode("utf-8") if isinstance(part, str) else part)
    return digest.hexdigest()[:16]


def path_for(name: str, key: str) -> Path:
    return models_dir() / f"{name}-{key}.pkl"


def exists(name: str, key: str) -> bool:
    return path_for(name, key).exists()


def cached(name: str, key: str, build: Callable[[], T]) -> T:
    """The model ``name`` for data version ``key``: loaded from disk, or built, saved and returned."""
    path = path_for(name, key)
    if path.exists():
        return _load(path)
    with (models_dir() / f".{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if path.exists():  # another process trained it while we waited
                return _load(path)
            model = build()
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(pickle.dumps(model))
            tmp.replace(path)
            for old in models_dir().glob(f"{name}-*.pkl"):
                if old != path:
                    old.unlink(missing_ok=True)
            return model
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def forget(name: str) -> None:
    for old in models_dir().glob(f"{name}-*.pkl"):
        old.unlink(missing_ok=True)


def _load(path: Path) -> Any:
    return pickle.loads(path.read_bytes())  # noqa: S301 - written by cached() in this directory only
