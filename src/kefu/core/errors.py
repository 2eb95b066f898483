"""Errors raised by actions; edges (views, API, consumers) translate them to responses."""

from __future__ import annotations

from typing import Any


class KefuError(Exception):
    """Base class: ``code`` is stable for API clients, ``message`` is for people."""

    code = "error"
    status = 400

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def as_dict(self) -> dict[str, Any]:
        return {"error": self.code, "message": str(self.message), **self.details}


class ValidationFailed(KefuError):
    code = "invalid"
    status = 400


class PermissionDenied(KefuError):
    code = "forbidden"
    status = 403


class NotFound(KefuError):
    code = "not_found"
    status = 404


class InvalidTransition(KefuError):
    code = "invalid_transition"
    status = 409


class Conflict(KefuError):
    code = "conflict"
    status = 409
