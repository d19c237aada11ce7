"""Atomic CSV imports (CONTRACT §3): every row is checked, one bad row and nothing is written."""

from .common import ImportRefused, ImportReport, RowError
from .credentials import import_credentials
from .practitioners import import_practitioners

__all__ = [
    "ImportRefused",
    "ImportReport",
    "RowError",
    "import_credentials",
    "import_practitioners",
]
