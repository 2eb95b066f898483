"""Moved to :mod:`kefu.core.api_docs`; this re-export keeps older imports working.  Domain apps must
import ``kefu.core.api_docs`` (tests/test_import_contract.py)."""

from kefu.core.api_docs import *  # noqa: F403
