"""The JSON shapes of the API (CONTRACT §5-§7) declared once, as types.

Each answer is a pydantic model here (or, for the engine's gaps, the engine's own dataclass).
The serializers build these models, so a field missing from a model cannot reach a client,
and ``api.openapi`` generates the OpenAPI document from the same classes. Two shapes are
*documented* by type but not validated row by row, because they hold millions of rows: the
export stream (``read.export`` takes its columns from ``ExportPractitioner`` and
``ExportCredential``) and the audit's gaps (``rules.model.Gap``).
"""
