"""The read layer: what every face reads, computed once.

Snapshots of practitioners (``snapshots``), their verdicts and gaps (``verdicts``), the rule
book (``rulebook``), the public record and search (``records``, ``search``), the answer cache
(``cache``), audits, evidence bundles and exports, and the typed query objects every face
parses its parameters into (``params``). Faces import this package, the services, permissions
and scopes, never each other; nothing here writes.
"""
