"""Domain errors: each maps to one `extensions.code` of the client contract."""


class DomainError(Exception):
    """Base of every error a use case reports to the caller on purpose."""

    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """No such object, or the caller may not see it: never reveal which."""

    code = "NOT_FOUND"


class Forbidden(DomainError):
    code = "FORBIDDEN"


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"


class InvalidTransition(DomainError):
    code = "INVALID_TRANSITION"


class Conflict(DomainError):
    code = "CONFLICT"


class BadInput(DomainError):
    """Malformed input or input that breaks a rule; `field` names the input field."""

    code = "BAD_USER_INPUT"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class QueryTooComplex(DomainError):
    """The operation is over a depth, alias, token, size, cost or time budget."""

    code = "QUERY_TOO_COMPLEX"


class RateLimited(DomainError):
    code = "RATE_LIMITED"

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__("Too many requests; try again later.")
        self.retry_after_seconds = retry_after_seconds
