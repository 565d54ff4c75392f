"""Errors a user can cause: Japanese text for people, and a field name where one applies.

Adapters (CLI, terminal, Slack) show these; nothing else catches them silently.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field. `field` is the form's English key (e.g. "company_code")."""

    field: str
    message: str


class RenkeiError(Exception):
    """Base of every error a user can cause; `message` is Japanese and safe to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationFailed(RenkeiError):
    """One or more fields are wrong; every problem is listed at once."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(f"{e.field}: {e.message}" for e in self.errors))

    def by_field(self) -> dict[str, str]:
        """Messages joined per field, for a modal's `response_action: errors`."""
        merged: dict[str, list[str]] = {}
        for e in self.errors:
            merged.setdefault(e.field, []).append(e.message)
        return {field: " / ".join(msgs) for field, msgs in merged.items()}


class NotFound(RenkeiError):
    """The ticket, company or store does not exist."""


class NotAllowed(RenkeiError):
    """The actor's role may not take this action."""


class AlreadyMoved(RenkeiError):
    """Someone else moved the ticket first; the action no longer applies."""

    def __init__(self, message: str, *, status: str, by: str | None) -> None:
        super().__init__(message)
        self.status = status
        self.by = by


class Duplicate(RenkeiError):
    """The same request (a Slack retry, a double click) was already handled."""
