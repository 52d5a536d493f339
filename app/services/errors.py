"""One refusal for every business rule: ``BusinessError(message, field=None)``.

A service refuses by raising it (or a line's subclass); the message is Chinese and shown as it
is, ``field`` names the form field it belongs beside, and ``problems`` holds every (field,
reason) so that a form shows all its errors at once. Views catch ``BusinessError`` — one
``except`` for every line — and answer with the form kept as typed and nothing changed.
"""

from __future__ import annotations

from typing import Any


class BusinessError(Exception):
    """A refused operation: the first problem's message and field, and every problem."""

    def __init__(self, message: str, field: str | None = None, more: list[tuple[str | None, str]] | None = None):
        super().__init__(message)
        self.field = field
        self.problems: list[tuple[str | None, str]] = [(field, str(message)), *(more or [])]

    @classmethod
    def of(cls, problems: list[tuple[str | None, str]]) -> Any:
        (field, message), *more = problems
        return cls(str(message), field, more)

