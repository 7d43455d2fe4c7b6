"""The API-key check for the mutating endpoints.

Read-only SPARQL and Cypher are not judged here by their text any more: SPARQL is judged on its
parsed algebra (`plankg.graph.sparql_guard`) inside the sandbox, Cypher by the Neo4j server
itself (`plankg.graph.user_cypher`: EXPLAIN's query type, then a read transaction).
"""

from __future__ import annotations

import hmac


def key_matches(given: str | None, configured: str | None) -> bool:
    """Constant-time API key check; with no key configured nothing matches."""
    if not configured or given is None:
        return False
    return hmac.compare_digest(given.encode("utf-8"), configured.encode("utf-8"))
