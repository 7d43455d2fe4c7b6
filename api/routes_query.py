"""`/sparql` (the SPARQL 1.1 Protocol, read-only, sandboxed) and `/cypher` (Neo4j store only).

SPARQL runs in `QuerySandbox` worker processes: the guard on the parsed query, the deadline that
kills, the memory cap and the row limit all apply there. This module only speaks the protocol:
where the query is (GET `query=`, POST form, POST `application/sparql-query`), refusing updates
before anything is parsed, and choosing the result format from `Accept`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from plankg.graph.query_sandbox import QueryError, QuerySandbox
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


def router(
    sandbox: Callable[[], QuerySandbox | None],
    store: Callable[[], Any],
    *,
    timeout_s: float,
    row_limit: int,
    cypher_slots: int = 2,
) -> APIRouter:
    """`sandbox` and `store` are looked up per request: the app swaps them on reload.
    At most `cypher_slots` user Cypher queries run on the server at once (as many as SPARQL
    workers): a burst of costly reads must not take every core of the database."""
    r = APIRouter()
    slots = threading.BoundedSemaphore(cypher_slots)

    async def answer(request: Request, query: str | None) -> Response:
        pool = sandbox()
        if pool is None:
            raise HTTPException(
                404, "this server has no RDF store for SPARQL (run `plankg ingest` first)"
            )
        if not query:
            raise HTTPException(400, "give the SPARQL query in `query` (or POST it)")
        accept = request.headers.get("accept")
        result_type = negotiate(accept, list(RESULT_FORMATS))
        graph_type = negotiate(accept, list(GRAPH_FORMATS))
        if result_type is None and graph_type is None:
            raise HTTPException(406, _not_acceptable())
        try:
            got = await run_in_threadpool(
                pool.run,
                query,
                result_type=result_type,
                graph_type=graph_type,
                timeout_s=timeout_s,
                row_limit=row_limit,
            )
        except QueryError as exc:
            headers = {"Retry-After": "5"} if exc.status == 503 else None
            raise HTTPException(exc.status, str(exc), headers=headers) from exc
        media = got.media_type + ("; charset=utf-8" if got.media_type in TEXT_TYPES else "")
        headers = {
            "X-Row-Limit": str(row_limit),
            "X-Rows": str(got.rows),
            "X-Truncated": "true" if got.truncated else "false",
            "Vary": "Accept",
        }
        return Response(got.body, media_type=media, headers=headers)

    def refuse_protocol_extras(params: Any) -> None:
        if "update" in params:
            raise HTTPException(400, "read-only endpoint: SPARQL updates are not accepted")
        for name in ("default-graph-uri", "named-graph-uri", "using-graph-uri"):
            if name in params:
                raise HTTPException(
                    400, f"`{name}` is not supported: the dataset is fixed (every plan's graph)"
                )

    @r.get("/sparql", summary="SPARQL 1.1 Protocol query (read-only)", description=PROTOCOL_DOC)
    async def sparql_get(request: Request, query: Annotated[str | None, Query()] = None):
        refuse_protocol_extras(request.query_params)
        return await answer(request, query)

    @r.post(
        "/sparql",
        summary="SPARQL 1.1 Protocol query by POST (read-only)",
        description=PROTOCOL_DOC,
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
    async def sparql_post(request: Request):
        refuse_protocol_extras(request.query_params)
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind == "application/sparql-update":
            raise HTTPException(400, "read-only endpoint: SPARQL updates are not accepted")
        if kind == "application/x-www-form-urlencoded":
            form = await request.form()
            refuse_protocol_extras(form)
            value = form.get("query")
            return await answer(request, value if isinstance(value, str) else None)
        if kind == "application/sparql-query":
            body = await request.body()
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise HTTPException(400, f"the query is not UTF-8: {exc}") from exc
            return await answer(request, text)
        raise HTTPException(
            415,
            "POST the query as application/sparql-query or application/x-www-form-urlencoded "
            "(query=…)",
        )

    @r.get("/cypher", summary="Read-only Cypher (Neo4j store only)")
    def cypher(query: Annotated[str, Query(min_length=1)]):
        runner = getattr(store(), "run_read_cypher", None)
        if runner is None:
            raise HTTPException(404, "Cypher needs the Neo4j store (`plankg serve --store neo4j`)")
        from plankg.graph.user_cypher import CypherError

        started = time.monotonic()
        if not slots.acquire(timeout=timeout_s):
            raise HTTPException(
                503,
                f"every Cypher slot was busy for the {timeout_s:g} s deadline; try again shortly",
                headers={"Retry-After": "5"},
            )
        try:
            left = max(0.1, timeout_s - (time.monotonic() - started))
            rows, truncated = runner(query, {}, left, row_limit)
        except CypherError as exc:
            raise HTTPException(exc.status, str(exc)) from exc
        finally:
            slots.release()
        return JSONResponse(
            {"rows": rows},
            headers={"X-Row-Limit": str(row_limit), "X-Truncated": str(truncated).lower()},
        )

    return r


def _not_acceptable() -> str:
    return (
        "no acceptable format: SELECT/ASK answer as "
        + ", ".join(RESULT_FORMATS)
        + "; CONSTRUCT/DESCRIBE as "
        + ", ".join(GRAPH_FORMATS)
    )
