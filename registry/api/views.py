"""Views of the api face (built in the three-faces issue)."""

from __future__ import annotations

from . import bp  # noqa: F401
