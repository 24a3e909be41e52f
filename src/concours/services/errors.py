"""Errors services raise; the web layer turns them into pages or fragments a person can act on."""

from __future__ import annotations


class ServiceError(Exception):
    """Something the user asked for cannot be done; ``message`` says why, ``field`` where."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class FormErrors(ServiceError):
    """Several field-level errors at once (field → message)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("Please correct the fields marked below.")
        self.errors = errors


class NotFound(ServiceError):
    status_code = 404


class Forbidden(ServiceError):
    status_code = 403


class Conflict(ServiceError):
    status_code = 409


class SignInRequired(Exception):
    """The request needs the owner of an account to sign in first; a sign-in link was sent (and must be kept:
    the caller commits, unlike for a ServiceError)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
