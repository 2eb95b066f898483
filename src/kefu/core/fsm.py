"""Explicit state machines (ARCHITECTURE rule 3).

Each stateful model declares ``TRANSITIONS: dict[tuple[state, event], state]`` in its app's
``transitions.py`` and a :class:`StateMachine` over it.  :meth:`StateMachine.transition`
locks the row, checks the table, writes the new state and an audit row in one
transaction, and schedules side effects after commit.  The guard lives here, so no
edge (UI, API, bot, task) can move a record along an edge the table does not have.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.db import models, transaction
from django.utils.translation import gettext as _

from kefu.core.errors import InvalidTransition
from kefu.core.events import publish_on_commit, record_audit

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class StateMachine(Generic[M]):
    name: str
    model: type[M]
    transitions: Mapping[tuple[str, str], str]
    state_field: str = "status"
    # Fields stamped with ``now`` when a state is entered, e.g. {"resolved": "resolved_at"}.
    stamps: Mapping[str, str] = field(default_factory=dict)

    @property
    def states(self) -> list[str]:
        seen: dict[str, None] = {}
        for (source, _event), target in self.transitions.items():
            seen.setdefault(source)
            seen.setdefault(target)
        return list(seen)

    @property
    def events(self) -> list[str]:
        return list(dict.fromkeys(event for (_s, event) in self.transitions))

    def allowed_events(self, state: str) -> list[str]:
        return [event for (source, event) in self.transitions if source == state]

    def can(self, state: str, event: str) -> bool:
        return (state, event) in self.transitions

    def target(self, state: str, event: str) -> str:
        try:
            return self.transitions[(state, event)]
        except KeyError:
            raise InvalidTransition(
                _("“%(event)s” is not allowed while the %(machine)s is “%(state)s”.")
                % {"event": event, "machine": self.name, "state": state},
                machine=self.name,
                state=state,
                event=event,
                allowed=self.allowed_events(state),
            ) from None

    def transition(
        self,
        obj: M,
        event: str,
        *,
        actor: Any,
        now: datetime,
        updates: Mapping[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        after_commit: Iterable[Callable[[], Any]] = (),
    ) -> M:
        """Fire ``event`` on ``obj``; returns ``obj`` refreshed with the new state."""
        updates = dict(updates or {})
        with transaction.atomic():
            locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
            source = getattr(locked, self.state_field)
            target = self.target(source, event)
            setattr(locked, self.state_field, target)
            if target in self.stamps:
                updates.setdefault(self.stamps[target], now)
            for name, value in updates.items():
                setattr(locked, name, value)
            changed = [self.state_field, *updates]
            if any(f.name == "updated_at" for f in locked._meta.get_fields()):
                locked.updated_at = now  # type: ignore[attr-defined]
                changed.append("updated_at")
            locked.save(update_fields=changed)
            record_audit(
                locked,
                f"{self.name}.{event}",
                actor=actor,
                now=now,
                from_state=source,
                to_state=target,
                data=data,
            )
            for callback in after_commit:
                publish_on_commit(callback)
        for name in changed:
            setattr(obj, name, getattr(locked, name))
        return obj

    def as_markdown(self) -> str:
        """The table, rendered for docs/state-machines.md."""
        lines = ["| from | event | to |", "|---|---|---|"]
        lines += [f"| {s} | {e} | {t} |" for (s, e), t in self.transitions.items()]
        return "\n".join(lines)
