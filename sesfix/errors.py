"""Domain errors: a title and a message for people, never a traceback."""

from __future__ import annotations


class SesfixError(Exception):
    """Base of every error sesfix shows to a person.

    ``exit_code`` is what the CLI exits with when this error reaches it.
    """

    exit_code = 1

    def __init__(self, message: str, *, title: str = "sesfix error", hint: str = "") -> None:
        super().__init__(message)
        self.title = title
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


class UsageError(SesfixError):
    """Bad flags, an unreadable env file, an unknown profile: exit 2."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message, title="Usage error", hint=hint)


class RefusedError(SesfixError):
    """A change was not confirmed, so nothing was changed."""

    exit_code = 2
