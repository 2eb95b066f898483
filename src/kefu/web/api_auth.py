"""Moved to :mod:`kefu.core.api_auth`; this re-export keeps older imports working.  Domain apps must
import ``kefu.core.api_auth`` (tests/test_import_contract.py)."""

from kefu.core.api_auth import *  # noqa: F403
