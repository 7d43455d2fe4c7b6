"""`/sparql` (the SPARQL 1.1 Protocol, read-only, sandboxed) and `/cypher` (Neo4j store only).

SPARQL runs in `QuerySandbox` worker processes: the guard on the parsed query, the deadline that
kills, the memory cap and the row limit all apply there. This module only speaks the protocol:
where the query is (GET `query=`, POST form, POST `application/sparql-query`), refusing updates
before anything is parsed, and choosing the result format from `Accept`.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from plankg.api.deps import SettingsDep, StateDep
from plankg.api.errors import COMMON, ApiError, error_doc
from plankg.graph.query_sandbox import QueryError
from plankg.graph.query_worker import GRAPH_FORMATS, RESULT_FORMATS

# other names clients send for the same formats (SPARQLWrapper sends several of them)
ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/sparql-results+xml": "application/sparql-results+xml",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
    "text/tsv": "text/tab-separated-values",
    "application/turtle": "text/turtle",
    "application/x-turtle": "text/turtle",
    "application/x-json+ld": "application/ld+json",
    "text/plain": "application/n-triples",
}
TEXT_TYPES = {"text/csv", "text/tab-separated-values", "text/turtle", "application/n-triples"}
PROTOCOL_DOC = (
    "SPARQL 1.1 Protocol, read-only: GET `?query=`, POST `application/x-www-form-urlencoded` "
    "(`query=`) or `application/sparql-query`. SELECT/ASK answer as SPARQL JSON (default), CSV, "
    "TSV or XML, CONSTRUCT/DESCRIBE as Turtle (default), JSON-LD or N-Triples, by `Accept`. "
    "Updates, SERVICE and FROM/FROM NAMED are refused (400). The default graph is the union of "
    "every plan's graph. At most the row limit of solutions/triples is returned: the `X-Row-Limit`"
    ", `X-Rows` and `X-Truncated` headers say how many and whether more were there. A query "
    "past the deadline is stopped and answers 503."
)


def negotiate(accept: str | None, offered: list[str]) -> str | None:
    """The offered media type the `Accept` header prefers (q-values, `type/*`, `*/*`); the first
    offered one for a missing header; None when nothing offered is acceptable."""
    if not accept or not accept.strip():
        return offered[0]
    best: tuple[float, int] | None = None
    choice = None
    for order, media in enumerate(offered):
        q = _quality(accept, media)
        if q > 0 and (best is None or (q, -order) > best):
            best, choice = (q, -order), media
    return choice


def _quality(accept: str, media: str) -> float:
    kind = media.split("/")[0]
    found: tuple[int, float] | None = None  # (specificity, q): the most specific range wins
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        name = fields[0].lower()
        if not name:
            continue
        name = ALIASES.get(name, name)
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        specificity = {media: 3, f"{kind}/*": 2, "*/*": 1}.get(name, 0)
        if specificity and (found is None or specificity > found[0]):
            found = (specificity, q)
    return found[1] if found else 0.0


QUERY_ERRORS = {
    400: error_doc("not a read-only query, an update, or the query failed"),
    404: error_doc("no RDF store loaded / no Neo4j store"),
    406: error_doc("no result format the Accept header allows"),
    415: error_doc("a POST body that is neither a query nor a form"),
}
router = APIRouter(tags=["query"], responses={**COMMON, **QUERY_ERRORS})


def _refuse_protocol_extras(params: Any) -> None:
    if "update" in params:
        raise ApiError(400, "sparql_update_refused")
    for name in ("default-graph-uri", "named-graph-uri", "using-graph-uri"):
        if name in params:
            raise ApiError(400, "sparql_dataset_fixed", name=name)


async def _answer(request: Request, state: Any, settings: Any, query: str | None) -> Response:
    """Run `query` in the sandbox (looked up per request: the app swaps it on reload)."""
    pool = state.sandbox
    if pool is None:
        raise ApiError(404, "no_rdf")
    if not query:
        raise ApiError(400, "sparql_no_query")
    accept = request.headers.get("accept")
    result_type = negotiate(accept, list(RESULT_FORMATS))
    graph_type = negotiate(accept, list(GRAPH_FORMATS))
    if result_type is None and graph_type is None:
        raise ApiError(406, "not_acceptable", formats=_not_acceptable())
    row_limit = settings.query_row_limit
    try:
        got = await run_in_threadpool(
            pool.run,
            query,
            result_type=result_type,
            graph_type=graph_type,
            timeout_s=settings.query_timeout_s,
            row_limit=row_limit,
        )
    except QueryError as exc:
        headers = {"Retry-After": "5"} if exc.status == 503 else None
        raise ApiError(exc.status, "query_failed", headers=headers, reason=str(exc)) from exc
    media = got.media_type + ("; charset=utf-8" if got.media_type in TEXT_TYPES else "")
    headers = {
        "X-Row-Limit": str(row_limit),
        "X-Rows": str(got.rows),
        "X-Truncated": "true" if got.truncated else "false",
        "Vary": "Accept",
    }
    return Response(got.body, media_type=media, headers=headers)


SPARQL_200 = {
    200: {
        "description": "SPARQL results (SELECT/ASK) or a graph (CONSTRUCT/DESCRIBE)",
        "content": {
            t: {}
            for t in (
                "application/sparql-results+json",
                "text/csv",
                "text/tab-separated-values",
                "application/sparql-results+xml",
                "text/turtle",
                "application/ld+json",
                "application/n-triples",
            )
        },
    }
}


@router.get(
    "/sparql",
    summary="SPARQL 1.1 Protocol query (read-only)",
    description=PROTOCOL_DOC,
    responses=SPARQL_200,
)
async def sparql_get(
    request: Request,
    state: StateDep,
    settings: SettingsDep,
    query: Annotated[str | None, Query()] = None,
):
    _refuse_protocol_extras(request.query_params)
    return await _answer(request, state, settings, query)


@router.post(
    "/sparql",
    summary="SPARQL 1.1 Protocol query by POST (read-only)",
    description=PROTOCOL_DOC,
    responses=SPARQL_200,
    openapi_extra={
        "requestBody": {
            "content": {
                "application/sparql-query": {"schema": {"type": "string"}},
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "properties": {"query": {"type": "string"}},
                        "required": ["query"],
                    }
                },
            },
            "required": True,
        }
    },
)
async def sparql_post(request: Request, state: StateDep, settings: SettingsDep):
    _refuse_protocol_extras(request.query_params)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/sparql-update":
        raise ApiError(400, "sparql_update_refused")
    if kind == "application/x-www-form-urlencoded":
        form = await request.form()
        _refuse_protocol_extras(form)
        value = form.get("query")
        return await _answer(request, state, settings, value if isinstance(value, str) else None)
    if kind == "application/sparql-query":
        body = await request.body()
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ApiError(400, "sparql_not_utf8", reason=str(exc)) from exc
        return await _answer(request, state, settings, text)
    raise ApiError(415, "sparql_post_type")


@router.get("/cypher", summary="Read-only Cypher (Neo4j store only)")
def cypher(
    query: Annotated[str, Query(min_length=1, max_length=20_000)],
    state: StateDep,
    settings: SettingsDep,
):
    """At most `PLANKG_QUERY_WORKERS` user Cypher queries run on the server at once: a burst
    of costly reads must not take every core of the database."""
    runner = getattr(state.store, "run_read_cypher", None)
    if runner is None:
        raise ApiError(404, "no_cypher")
    from plankg.graph.user_cypher import CypherError

    timeout_s, row_limit = settings.query_timeout_s, settings.query_row_limit
    started = time.monotonic()
    if not state.cypher_slots.acquire(timeout=timeout_s):
        raise ApiError(503, "cypher_busy", headers={"Retry-After": "5"}, timeout=f"{timeout_s:g}")
    try:
        left = max(0.1, timeout_s - (time.monotonic() - started))
        rows, truncated = runner(query, {}, left, row_limit)
    except CypherError as exc:
        raise ApiError(exc.status, "query_failed", reason=str(exc)) from exc
    finally:
        state.cypher_slots.release()
    return JSONResponse(
        {"rows": rows},
        headers={"X-Row-Limit": str(row_limit), "X-Truncated": str(truncated).lower()},
    )


def _not_acceptable() -> str:
    return (
        "no acceptable format: SELECT/ASK answer as "
        + ", ".join(RESULT_FORMATS)
        + "; CONSTRUCT/DESCRIBE as "
        + ", ".join(GRAPH_FORMATS)
    )
