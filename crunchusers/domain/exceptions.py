"""What the domain raises when a request cannot be done.

The HTTP layer renders each as the JSON error envelope with its ``status_code``
(:func:`crunchusers.views.errors.domain_error_view`); the CLI prints ``message``.
"""


class DomainError(Exception):
    """Base of every refusal; ``field`` names the offending input, if any."""

    status_code = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class Invalid(DomainError):
    """The input is wrong: ``field`` says which (400)."""

    def __init__(self, field: str | None, message: str):
        super().__init__(message, field)


class NotAllowed(DomainError):
    """The caller may not do this (403, or 404 when they may not even see it)."""

    status_code = 403

    def __init__(self, message: str = "You are not allowed to do this."):
        super().__init__(message)


class NotFound(DomainError):
    """What the request names does not exist (404)."""

    status_code = 404

    def __init__(self, message: str = "Not found."):
        super().__init__(message)


class Conflict(DomainError):
    """The state of the data forbids it now, e.g. an edit lock (409)."""

    status_code = 409


#: The one answer to every unusable mailed link: unknown, used, expired or
#: of a user who may not use it, so a token says nothing about anyone.
INVALID_LINK = "This link is invalid or has expired."


class InvalidLink(Invalid):
    """A mailed link's token cannot be used (400 naming ``token``)."""

    def __init__(self):
        super().__init__("token", INVALID_LINK)
