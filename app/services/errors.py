"""The shape every form refusal shares: the first problem, and every other (field, reason) beside
it, so that a form shows all its errors at once."""

from __future__ import annotations

from typing import Any


class Problems(Exception):
    """A refused form: ``field`` and the message of the first problem, ``problems`` all of them."""

    def __init__(self, message: str, field: str | None = None, more: list[tuple[str | None, str]] | None = None):
        super().__init__(message)
        self.field = field
        self.problems: list[tuple[str | None, str]] = [(field, str(message)), *(more or [])]

    @classmethod
    def of(cls, problems: list[tuple[str | None, str]]) -> Any:
        (field, message), *more = problems
        return cls(str(message), field, more)
