"""Benchmarks: ``kefu bench NAME [options]`` prints one JSON object.

The machine is small and noisy, so every benchmark reports medians over repeated rounds
and a ratio against a baseline measured in the same run, never a bare absolute number.
Later issues register their own (chat, mail, sla, quality) with :func:`bench`.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

BenchFn = Callable[..., dict[str, Any]]


@dataclass(frozen=True)
class Bench:
    name: str
    fn: BenchFn
    help: str
    options: dict[str, tuple[type, Any, str]]


BENCHES: dict[str, Bench] = {}


def bench(name: str, help: str, **options: tuple[type, Any, str]) -> Callable[[BenchFn], BenchFn]:
    """Register ``fn(**options) -> dict``; options are ``name=(type, default, help)``."""

    def decorate(fn: BenchFn) -> BenchFn:
        BENCHES[name] = Bench(name=name, fn=fn, help=help, options=options)
        return fn

    return decorate


def rounds(fn: Callable[[], int], *, repeat: int) -> dict[str, float]:
    """Run ``fn`` (which does N operations and returns N) ``repeat`` times; the median rate
    and the median time per operation in microseconds."""
    rates: list[float] = []
    per_op: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        count = fn()
        elapsed = time.perf_counter() - start
        rates.append(count / elapsed)
        per_op.append(elapsed / count * 1e6)
    return {
        "per_second_median": round(statistics.median(rates), 1),
        "per_second_min": round(min(rates), 1),
        "per_second_max": round(max(rates), 1),
        "us_per_op_median": round(statistics.median(per_op), 1),
    }
