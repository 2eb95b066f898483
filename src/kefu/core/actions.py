"""The action layer's shared parts: the registry of permission-checked actions.

Rules (ARCHITECTURE.md): every write goes through an action.  ``do_*`` functions assume
valid input and run atomically; ``check_*`` functions validate (permission first) and
call ``do_*``.  ``check_*`` functions are declared with :func:`action`, which records the
permission each one needs, so the role × action matrix test can prove it covers them all.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from django.utils.translation import gettext as _

from kefu.core.errors import PermissionDenied

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class ActionSpec:
    name: str
    perm: str


ACTIONS: dict[str, ActionSpec] = {}


def has_perm(actor: Any, perm: str) -> bool:
    return bool(
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and getattr(actor, "is_active", False)
        and actor.has_perm(perm)
    )


def require(actor: Any, perm: str) -> None:
    if not has_perm(actor, perm):
        raise PermissionDenied(_("You do not have permission to do this."), permission=perm)


def action(perm: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Declare a ``check_*`` action needing ``perm``; it must take ``actor`` as a keyword."""

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        # "kefu.tickets.actions" and the sub-modules of an actions package ("kefu.aftersales.actions.orders")
        # both name their app: "tickets.check_create_ticket", "aftersales.check_create_order".
        module = fn.__module__.removeprefix("kefu.")
        name = f"{module.split('.actions.')[0].removesuffix('.actions')}.{fn.__name__}"
        spec = ActionSpec(name=name, perm=perm)
        ACTIONS[name] = spec

        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            require(kwargs.get("actor"), perm)
            return fn(*args, **kwargs)

        wrapper.spec = spec  # type: ignore[attr-defined]
        return wrapper

    return decorate


def load_all() -> dict[str, ActionSpec]:
    """Import every kefu app's ``actions`` module; returns the complete registry."""
    import importlib

    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.startswith("kefu."):
            try:
                importlib.import_module(f"{config.name}.actions")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.actions":
                    raise
    return ACTIONS
