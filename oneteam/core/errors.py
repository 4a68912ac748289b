"""Errors raised by services. Each has a stable machine ``code`` (for API
clients) and a Chinese ``message`` (for people). The API turns them into
``{"code": ..., "message": ..., "detail": ...}`` with the class's HTTP status;
pages show the message."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    status_code = 400
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, detail: Any = None) -> None:
        super().__init__(message)
        self.message = str(message)
        self.code = code or self.default_code
        self.detail = detail

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.detail is not None:
            data["detail"] = self.detail
        return data


class InvalidInput(ServiceError):
    default_code = "invalid"


class NotPermitted(ServiceError):
    """The user may see the object but not take this action."""

    status_code = 403
    default_code = "not_permitted"


class Missing(ServiceError):
    """What was asked for is not there (for this reader): 404 ``not_found``."""

    status_code = 404
    default_code = "not_found"


class Conflict(ServiceError):
    """The object changed under the user (another person acted first)."""

    status_code = 409
    default_code = "conflict"
