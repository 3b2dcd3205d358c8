"""The ``FenghuoError`` tree. Domains raise these; edges map them (HTTP, CLI)."""

from __future__ import annotations


class FenghuoError(Exception):
    """Base of every error Fenghuo raises on purpose."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(FenghuoError):
    """The thing asked for does not exist, or the caller may not know it exists."""

    code = "not_found"


class Refused(FenghuoError):
    """Authority refused the action; ``rule`` names the rule that refused it."""

    code = "refused"

    def __init__(self, reason: str, *, rule: str, article: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.rule = rule
        self.article = article


class Invalid(FenghuoError):
    """Input broke a rule; ``field`` names the input and ``rule`` the rule it broke."""

    code = "invalid"

    def __init__(self, message: str, *, field: str, rule: str) -> None:
        super().__init__(message)
        self.field = field
        self.rule = rule


class Conflict(FenghuoError):
    """The change collides with existing state (a duplicate name, for instance)."""

    code = "conflict"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvalidTransition(FenghuoError):
    """A lifecycle move that the transition table does not allow."""

    code = "invalid_transition"

    def __init__(self, message: str, *, current: str, requested: str) -> None:
        super().__init__(message)
        self.current = current
        self.requested = requested


class Unauthenticated(FenghuoError):
    """No valid credentials were presented."""

    code = "unauthenticated"


class Unavailable(FenghuoError):
    """A backing service (database, bus) cannot be reached."""

    code = "unavailable"
