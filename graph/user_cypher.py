"""A user's Cypher, read-only by the server's own judgement, stopped by the server at the deadline.

No text matching: Neo4j is asked what the query does (`EXPLAIN` plans it without running it and
reports `query_type` 'r', 'rw', 'w' or 's'), and only 'r' runs. The plan is also walked for
what reads outside the graph — `LOAD CSV` (files, URLs) and procedures (some read URLs, e.g.
APOC's loaders) — and those are refused unless the procedure is on a short list of catalogue
reads. The query then runs in a READ transaction (the server refuses any write in it: the last
line), rolled back after, with a server-side transaction timeout, so the server itself stops a
costly read; the server's per-transaction memory limit (`db.memory.transaction.max`) caps it.
"""

from __future__ import annotations

import math
from typing import Any

# procedures a read-only caller may use: the graph's own catalogue, nothing that reaches out
ALLOWED_PROCEDURES = frozenset(
    {
        "db.labels",
        "db.relationshipTypes",
        "db.propertyKeys",
        "db.schema.visualization",
        "db.schema.nodeTypeProperties",
        "db.schema.relTypeProperties",
    }
)
_OUTSIDE_OPERATORS = {"LoadCSV": "LOAD CSV"}


class CypherError(Exception):
    """No rows for this query; `status` is the HTTP status, the message the client's."""

    status = 400


class CypherRefused(CypherError):
    pass


class CypherStopped(CypherError):
    """The server stopped it: the deadline, or its memory limit for one transaction."""

    status = 503


def run_read(
    driver: Any, database: str | None, query: str, params: dict, timeout: float, limit: int
) -> tuple[list[dict], bool]:
    """(the first `limit` rows as JSON-able dicts, whether there were more).

    An explicit READ transaction, not `execute_read`: the driver's managed transactions retry
    transient errors (a query over the server's memory limit is one) for up to 30 s, far past the
    deadline. The transaction is always rolled back: a read has nothing to commit."""
    import neo4j
    from neo4j.exceptions import Neo4jError

    options: dict[str, Any] = {"default_access_mode": neo4j.READ_ACCESS}
    if database:
        options["database"] = database
    try:
        with driver.session(**options) as session:
            explained = session.run(neo4j.Query("EXPLAIN " + query, timeout=timeout), params)
            check_plan(explained.consume())
            tx = session.begin_transaction(timeout=timeout)
            try:
                rows: list[dict] = []
                for record in tx.run(query, params):
                    if len(rows) == limit:
                        return rows, True
                    rows.append({k: _jsonable(v) for k, v in record.items()})
                return rows, False
            finally:
                tx.rollback()
    except CypherError:
        raise
    except Neo4jError as exc:
        code = exc.code or ""
        if "TransactionTimedOut" in code:
            raise CypherStopped(
                f"the query ran longer than the {timeout:g} s deadline and the server stopped "
                "it; narrow it down"
            ) from exc
        if "MemoryPoolOutOfMemoryError" in code:
            raise CypherStopped(
                "the query needed more memory than the server allows one query "
                f"(db.memory.transaction.max); narrow it down: {exc.message}"
            ) from exc
        raise CypherError(f"query failed: {exc.message or exc}") from exc


def check_plan(summary: Any) -> None:
    """Refuse unless the server planned a pure read that stays inside the graph."""
    kind = summary.query_type
    if kind != "r":
        what = {"rw": "reads and writes", "w": "writes", "s": "changes the schema or the DBMS"}
        does = what.get(kind, kind or "is not a read")
        raise CypherRefused(
            f"read-only endpoint: the server says this query {does} (query type {kind!r}); "
            "only reads run here"
        )
    stack = [summary.plan] if summary.plan else []
    while stack:
        op = stack.pop()
        name = op.get("operatorType", "") if isinstance(op, dict) else ""
        base = name.split("@")[0]
        if base in _OUTSIDE_OPERATORS:
            raise CypherRefused(f"read-only endpoint: {_OUTSIDE_OPERATORS[base]} is not allowed")
        if base == "ProcedureCall":
            procedure = _procedure_name(op.get("args", {}))
            if procedure not in ALLOWED_PROCEDURES:
                allowed = ", ".join(sorted(ALLOWED_PROCEDURES))
                raise CypherRefused(
                    f"read-only endpoint: procedure {procedure or '?'} is not allowed "
                    f"(allowed: {allowed})"
                )
        stack.extend(op.get("children", []) if isinstance(op, dict) else [])


def _procedure_name(args: dict) -> str:
    """The plan's `Details` (older servers: `Signature`): `db.labels() :: (label :: STRING)`."""
    signature = str(args.get("Details") or args.get("Signature") or "")
    return signature.split("(")[0].strip()


def _jsonable(value: Any) -> Any:
    """Records hold nodes, paths, temporal and spatial values: give JSON something it can write."""
    from neo4j.graph import Node, Path, Relationship

    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, Node):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, Relationship):
        return {"type": value.type, **{k: _jsonable(v) for k, v in value.items()}}
    if isinstance(value, Path):
        return [_jsonable(n) for n in value.nodes]
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    iso = getattr(value, "iso_format", None)
    return iso() if callable(iso) else str(value)
