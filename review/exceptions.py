"""Domain exceptions raised by services; views translate them into responses."""

from __future__ import annotations


class HuibaoError(Exception):
    """Base class: carries a machine code and a translated message for the user."""

    code = "error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status


class ValidationError(HuibaoError):
    """Input that cannot be accepted as it is."""

    code = "invalid"
    status = 400


class NotFoundError(HuibaoError):
    """Something that does not exist, or that the caller may not see."""

    code = "not_found"
    status = 404


class PermissionDeniedError(HuibaoError):
    """An action the caller's role does not allow."""

    code = "forbidden"
    status = 403


class ConflictError(HuibaoError):
    """A state conflict: already submitted, stale version, locked."""

    code = "conflict"
    status = 409


class RosterError(ValidationError):
    """A roster with bad rows; nothing was imported."""

    code = "roster_invalid"

    def __init__(self, message: str, errors: list[tuple[int, str]]) -> None:
        super().__init__(message)
        self.errors = errors
