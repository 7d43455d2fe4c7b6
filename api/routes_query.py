"""Read-only SPARQL over the RDF graph and Cypher over the Neo4j store (today's guards and
deadline, moved here as they were; the query sandbox replaces this module)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from plankg.api import security
from plankg.api.deps import RdfDep, SettingsDep, StoreDep
from plankg.api.errors import COMMON, ApiError, error_doc
from plankg.graph.rdf_source import GraphTooLarge

QUERY_ERRORS = {
    400: error_doc("not a read-only query, or the query failed"),
    404: error_doc("no RDF graph loaded / no Neo4j store"),
}
router = APIRouter(tags=["query"], responses={**COMMON, **QUERY_ERRORS})


def run_with_deadline(fn: Callable[[], Any], timeout_s: float) -> Any:
    result: dict[str, Any] = {}

    def work() -> None:
        try:
            result["value"] = fn()
        except Exception as exc:  # reported to the caller below
            result["error"] = exc

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(timeout_s)
    if worker.is_alive():
        raise ApiError(503, f"query took longer than {timeout_s:g} s; narrow it down")
    if "error" in result:
        raise ApiError(400, f"query failed: {result['error']}")
    return result["value"]


@router.get(
    "/sparql",
    summary="Read-only SPARQL over the RDF graph (SPARQL JSON results)",
    responses={200: {"content": {"text/turtle": {}}}},
)
def sparql(
    query: Annotated[str, Query(min_length=1, max_length=20_000)],
    rdf: RdfDep,
    settings: SettingsDep,
):
    if rdf is None:
        raise ApiError(404, "no_rdf")
    try:
        security.check_read_only_sparql(query)
        from rdflib.plugins.sparql import prepareQuery

        prepared = prepareQuery(query)
    except security.UnsafeQuery as exc:
        raise ApiError(400, str(exc)) from exc
    except Exception as exc:
        raise ApiError(400, f"not a valid SPARQL query: {exc}") from exc

    try:
        rdf.check_size()
    except GraphTooLarge as exc:
        raise ApiError(503, "graph_too_large", reason=str(exc)) from exc

    def run() -> Any:
        # the first query parses the graph (once, under a lock); it goes on in the
        # background when the deadline passes, so a later query finds it loaded
        result = rdf.graph().query(prepared)
        if result.type == "SELECT":
            rows = []
            for i, row in enumerate(result):
                if i >= settings.query_row_limit:
                    break
                rows.append({str(v): _binding(row[v]) for v in result.vars if row[v] is not None})
            return {
                "head": {"vars": [str(v) for v in result.vars]},
                "results": {"bindings": rows},
            }
        if result.type == "ASK":
            return {"head": {}, "boolean": bool(result.askAnswer)}
        return Response(result.graph.serialize(format="turtle"), media_type="text/turtle")

    try:
        return run_with_deadline(run, settings.query_timeout_s)
    except ApiError as exc:
        if exc.status == 503 and not rdf.loaded:
            raise ApiError(
                503,
                f"the RDF graph ({rdf.triples:,} triples) is still being loaded for SPARQL "
                "after the server started; try again in a minute",
            ) from exc
        raise


@router.get("/cypher", summary="Read-only Cypher (Neo4j store only)")
def cypher(
    query: Annotated[str, Query(min_length=1, max_length=20_000)],
    store: StoreDep,
    settings: SettingsDep,
):
    runner = getattr(store, "run_read_cypher", None)
    if runner is None:
        raise ApiError(404, "no_cypher")
    try:
        security.check_read_only_cypher(query)
    except security.UnsafeQuery as exc:
        raise ApiError(400, str(exc)) from exc
    # the server's errors (syntax, a write refused in the read transaction) are the caller's
    rows = run_with_deadline(
        lambda: runner(query, {}, settings.query_timeout_s, settings.query_row_limit),
        settings.query_timeout_s,
    )
    return {"rows": rows}


def _binding(term: Any) -> dict[str, str]:
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if isinstance(term, Literal) and term.language:
        out["xml:lang"] = term.language
    elif isinstance(term, Literal) and term.datatype:
        out["datatype"] = str(term.datatype)
    return out
