"""The service layer: every change to registry data goes through here and leaves an audit event.

Services validate, change and flush; the caller (a request or a CLI command) commits once.
"""

from __future__ import annotations


class ServiceError(Exception):
    """A change was refused; the message is meant for the user."""


class NotFound(ServiceError):
    pass


class StaleEdit(ServiceError):
    """The record changed since the editor loaded it (its version moved on)."""


class InvalidInput(ServiceError):
    """Field-level problems, as {field: message}."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
