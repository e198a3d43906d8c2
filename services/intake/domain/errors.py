"""Why a command is refused; a refused command records nothing."""


class CommandRefused(Exception):
    """The stored state does not allow the command."""


class NotFound(CommandRefused):
    """An id in the command names nothing stored (HTTP 404)."""


class Conflict(CommandRefused):
    """The command contradicts the stored state (HTTP 409)."""


class InvalidField(CommandRefused):
    """A field's value is wrong given the stored state (HTTP 422)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class Forbidden(CommandRefused):
    """The caller may not do this (HTTP 403)."""


class NotAuthenticated(CommandRefused):
    """Wrong username or password (HTTP 401)."""


class Throttled(CommandRefused):
    """Too many failed logins lately (HTTP 429)."""

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds
