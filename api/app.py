"""The HTTP API: the store questions as JSON, read-only SPARQL/Cypher, RDF for agencies and
tasks, and (behind an API key) plan upload and removal.

`create_app` takes a `Store` (embedded or Neo4j) and the RDF graph; it never imports the
ingest pipeline — mutations go through the `Library` passed in, so the app stays a thin layer.
"""

from __future__ import annotations

import difflib
import functools
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, File, Header, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from plankg.api import security
from plankg.api.plan_errors import PlanConflict, UploadTooLarge
from plankg.api.schemas import (
    AgencyDetail,
    CoordinationMatrix,
    Health,
    PlanChange,
)
from plankg.graph.lookup import Ambiguous, Resolved, resolve_or_suggest
from plankg.graph.rdf_store import RdfStore, serialize
from plankg.graph.store import (
    AgencyInfo,
    IndicatorInfo,
    LoadRow,
    ParkInfo,
    PlanInfo,
    ProjectInfo,
    Store,
    TaskInfo,
    WorkingGroupInfo,
)

log = logging.getLogger("plankg.api")
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
}


@dataclass
class ApiSettings:
    api_key: str | None = None
    max_body_bytes: int = 20 * 1024 * 1024
    cors_origins: list[str] = field(default_factory=list)
    query_timeout_s: float = 10.0
    query_row_limit: int = 1000

    @classmethod
    def from_env(cls) -> ApiSettings:
        origins = os.environ.get("PLANKG_CORS_ORIGINS", "")
        return cls(
            api_key=os.environ.get("PLANKG_API_KEY") or None,
            max_body_bytes=int(os.environ.get("PLANKG_MAX_BODY_BYTES", 20 * 1024 * 1024)),
            cors_origins=[o.strip() for o in origins.split(",") if o.strip()],
            query_timeout_s=float(os.environ.get("PLANKG_QUERY_TIMEOUT_S", 10)),
            query_row_limit=int(os.environ.get("PLANKG_QUERY_ROW_LIMIT", 1000)),
        )


@dataclass
class Library:
    """What the app can change: add or remove a plan, reload. Returns (store, rdf) afterwards."""

    add_plan: Callable[[str, bytes], tuple[Store, Any, dict]]
    remove_plan: Callable[[str], tuple[Store, Any, dict]]
    reload: Callable[[], tuple[Store, Any, dict]]
    close: Callable[[], None] = lambda: None  # release the data folder (lock, worker)


class ApiError(Exception):
    def __init__(self, status: int, error: str, detail: Any = None) -> None:
        self.status, self.error, self.detail = status, error, detail


def _error(status: int, error: str, detail: Any = None) -> JSONResponse:
    return JSONResponse({"error": error, "detail": detail}, status_code=status)


class _State:
    def __init__(self, store: Store, rdf: Any) -> None:
        self.store = store
        self.rdf = _rdf_source(rdf)
        self.lock = threading.Lock()


def _rdf_source(rdf: RdfStore | None) -> RdfStore | None:
    """The RDF store answering SPARQL and RDF descriptions (None: this server has none)."""
    return rdf


def create_app(
    store: Store,
    rdf: Any = None,
    *,
    settings: ApiSettings | None = None,
    library: Library | None = None,
    extra_routers: list[APIRouter] | None = None,
) -> FastAPI:
    settings = settings or ApiSettings.from_env()
    app = FastAPI(
        title="plankg",
        description="Who is responsible for what in Chinese local-government action plans.",
        version="0.1.0",
    )
    state = _State(store, rdf)
    app.state.plankg = state
    app.state.settings = settings

    _install_middleware(app, settings)
    _install_errors(app)
    app.include_router(_read_routes(state))
    app.include_router(_query_routes(state, settings))
    app.include_router(_admin_routes(state, settings, library))
    for router in extra_routers or []:
        app.include_router(router)
    return app


# ---------------------------------------------------------------------------- plumbing


def _install_middleware(app: FastAPI, settings: ApiSettings) -> None:
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET"]
        )

    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)


class BodyLimit:
    """Pure ASGI middleware: refuse bodies over the limit by Content-Length or as they stream
    (cheaper per request than starlette's BaseHTTPMiddleware)."""

    def __init__(self, app, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            return await self._too_big(scope, receive, send)
        seen = 0

        async def limited_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _BodyTooLarge:
            await self._too_big(scope, receive, send)

    async def _too_big(self, scope, receive, send) -> None:
        await _error(413, f"request body larger than {self.max_bytes} bytes")(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError):
        return _error(exc.status, exc.error, exc.detail)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException):
        return _error(exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError):
        problems = [
            {"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")}
            for e in exc.errors()
        ]
        return _error(422, "invalid request: check the parameters", problems)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception):
        log.exception("unhandled error", exc_info=exc)
        return _error(500, "internal error: the server log has the details")


def _wants_rdf(accept: str | None) -> str | None:
    for mime in (accept or "").split(","):
        mime = mime.split(";")[0].strip().lower()
        if mime in RDF_TYPES:
            return mime
    return None


def _describe(
    rdf: RdfStore, iri: str, mime: str, incoming: tuple[tuple[str, str], ...] = ()
) -> Response:
    """The resource's own triples plus the leads/assists edges pointing at it."""
    import pyoxigraph as ox

    from plankg.ontology.namespaces import PK

    triples = rdf.describe(iri)
    for agency, role in incoming:
        predicate = PK.leads if role == "lead" else PK.assists
        triples.append(ox.Triple(ox.NamedNode(agency), ox.NamedNode(predicate), ox.NamedNode(iri)))
    return Response(serialize(triples, mime), media_type=mime)


def _resolve(store: Store, name: str, jurisdiction: str | None) -> AgencyInfo:
    found = resolve_or_suggest(store, name, jurisdiction)
    if isinstance(found, Resolved):
        return found.agency
    if isinstance(found, Ambiguous):
        candidates = [
            {"name": a.name, "jurisdiction": a.jurisdiction, "iri": a.iri} for a in found.candidates
        ]
        raise ApiError(
            409, f"'{name}' names agencies in several jurisdictions: add ?jurisdiction=", candidates
        )
    raise ApiError(404, f"no agency called '{name}'", {"closest": found.suggestions})


# ---------------------------------------------------------------------------- routes

Role = Literal["lead", "assist", "any"]
Mode = Literal["lead_assist", "co"]
ShortText = Annotated[str | None, Query(max_length=200)]


def _on_the_loop(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run a handler on the event loop instead of FastAPI's worker threads. An in-memory
    lookup answers in ~0.1 ms, less than the hop to a thread and back costs; handlers that
    scan the whole graph, and every handler of a store doing network I/O, keep the threads."""

    @functools.wraps(fn)
    async def run(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    return run


def _read_routes(state: _State) -> APIRouter:
    r = APIRouter()
    lookup = _on_the_loop if getattr(state.store, "in_memory", False) else (lambda fn: fn)

    @r.get("/health", response_model=Health)
    def health() -> Health:
        return Health(status="ok", plans=len(state.store.plans()))

    @r.get("/agencies", response_model=list[AgencyInfo], summary="Search agencies by any alias")
    def agencies(q: ShortText = None, jurisdiction: ShortText = None):
        return state.store.agencies(q, jurisdiction)

    @r.get(
        "/agencies/{name}",
        response_model=AgencyDetail,
        summary="One agency by any of its names (409 if ambiguous); RDF by Accept header",
        responses={409: {"description": "ambiguous name"}, 404: {"description": "unknown"}},
    )
    @lookup
    def agency(name: str, request: Request, jurisdiction: ShortText = None):
        info = _resolve(state.store, name, jurisdiction)
        mime = _wants_rdf(request.headers.get("accept"))
        if mime and state.rdf is not None:
            return _describe(state.rdf, info.iri, mime)
        lead = state.store.tasks_of_agency(info.iri, "lead")
        assist = state.store.tasks_of_agency(info.iri, "assist")
        return AgencyDetail(agency=info, lead_count=len(lead), assist_count=len(assist))

    @r.get("/agencies/{name}/tasks", response_model=list[TaskInfo])
    @lookup
    def agency_tasks(
        name: str,
        role: Role = "any",
        plan: ShortText = None,
        jurisdiction: ShortText = None,
    ):
        info = _resolve(state.store, name, jurisdiction)
        return state.store.tasks_of_agency(info.iri, role, plan, jurisdiction)

    @r.get("/tasks", response_model=list[TaskInfo], summary="Text search over tasks")
    def tasks(
        q: Annotated[str, Query(min_length=1, max_length=200)],
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
    ):
        return state.store.search_tasks(q, limit)

    @r.get("/tasks/{task_id}", response_model=TaskInfo, responses={404: {"description": "unknown"}})
    @lookup
    def task(task_id: str, request: Request):
        found = state.store.task(task_id)
        if found is None:
            raise ApiError(
                404, f"no task with id '{task_id}'", {"example": "000_99d16d149e72ffbe-t001"}
            )
        mime = _wants_rdf(request.headers.get("accept"))
        if mime and state.rdf is not None:
            incoming = tuple((a.iri, "lead") for a in found.lead) + tuple(
                (a.iri, "assist") for a in found.assist
            )
            return _describe(state.rdf, found.iri, mime, incoming)
        return found

    @r.get("/indicators", response_model=list[IndicatorInfo])
    def indicators(subject: ShortText = None, plan: ShortText = None, agency: ShortText = None):
        agency_iri = _resolve(state.store, agency, None).iri if agency else None
        return state.store.indicators(subject=subject, plan=plan, agency_iri=agency_iri)

    @r.get("/parks", response_model=list[ParkInfo])
    def parks(jurisdiction: ShortText = None):
        return state.store.parks(jurisdiction)

    @r.get("/parks/{name}/projects", response_model=list[ProjectInfo])
    @lookup
    def park_projects(name: str, jurisdiction: ShortText = None):
        parks = [
            p
            for p in state.store.park_by_name(name)
            if not jurisdiction or p.jurisdiction == jurisdiction
        ]
        if not parks:
            names = [p.name for p in state.store.parks()]
            raise ApiError(
                404,
                f"no park called '{name}'",
                {"closest": difflib.get_close_matches(name, names, 5, 0.3)},
            )
        if len(parks) > 1:
            raise ApiError(
                409,
                f"'{name}' is a park in several jurisdictions: add ?jurisdiction=",
                [{"name": p.name, "jurisdiction": p.jurisdiction} for p in parks],
            )
        return state.store.projects_in_park(parks[0].iri)

    @r.get("/plans", response_model=list[PlanInfo])
    def plans():
        return state.store.plans()

    @r.get("/working-groups", response_model=list[WorkingGroupInfo])
    def working_groups(plan: ShortText = None):
        return state.store.working_groups(plan)

    @r.get(
        "/coordination",
        response_model=CoordinationMatrix,
        summary="Agency × agency: tasks where row leads and column assists (or co-assigned)",
    )
    def coordination(
        jurisdiction: ShortText = None,
        plan: ShortText = None,
        mode: Mode = "lead_assist",
        min_count: Annotated[int, Query(ge=1, le=10_000)] = 1,
    ):
        cells = [
            c for c in state.store.coordination(jurisdiction, plan, mode) if c.count >= min_count
        ]
        agencies = sorted(
            {c.row for c in cells} | {c.col for c in cells}, key=lambda a: (a.jurisdiction, a.name)
        )
        return CoordinationMatrix(mode=mode, agencies=agencies, cells=cells)

    @r.get("/load", response_model=list[LoadRow], summary="Tasks per agency by role")
    def load(jurisdiction: ShortText = None, plan: ShortText = None):
        return state.store.load(jurisdiction, plan)

    return r


def _query_routes(state: _State, settings: ApiSettings) -> APIRouter:
    r = APIRouter()

    def run_with_deadline(fn: Callable[[], Any]) -> Any:
        result: dict[str, Any] = {}

        def work() -> None:
            try:
                result["value"] = fn()
            except Exception as exc:  # reported to the caller below
                result["error"] = exc

        worker = threading.Thread(target=work, daemon=True)
        worker.start()
        worker.join(settings.query_timeout_s)
        if worker.is_alive():
            raise ApiError(
                503, f"query took longer than {settings.query_timeout_s:g} s; narrow it down"
            )
        if "error" in result:
            raise ApiError(400, f"query failed: {result['error']}")
        return result["value"]

    @r.get("/sparql", summary="Read-only SPARQL over the RDF graph (SPARQL JSON results)")
    def sparql(query: Annotated[str, Query(min_length=1, max_length=20_000)]):
        if state.rdf is None:
            raise ApiError(404, "this server has no RDF graph loaded")
        try:
            security.check_read_only_sparql(query)
        except security.UnsafeQuery as exc:
            raise ApiError(400, str(exc)) from exc
        rdf = state.rdf

        def run() -> Any:
            import pyoxigraph as ox

            try:
                result = rdf.query(query)
            except SyntaxError as exc:
                raise ApiError(400, f"not a valid SPARQL query: {exc}") from exc
            if isinstance(result, ox.QuerySolutions):
                names = [v.value for v in result.variables]
                rows = []
                for i, row in enumerate(result):
                    if i >= settings.query_row_limit:
                        break
                    rows.append({n: _binding(row[n]) for n in names if row[n] is not None})
                return {"head": {"vars": names}, "results": {"bindings": rows}}
            if isinstance(result, ox.QueryBoolean):
                return {"head": {}, "boolean": bool(result)}
            return Response(serialize(result, "text/turtle"), media_type="text/turtle")

        return run_with_deadline(run)

    if getattr(state.store, "run_read_cypher", None) is None:
        return r  # Cypher exists only on the Neo4j store

    @r.get("/cypher", summary="Read-only Cypher (Neo4j store only)")
    def cypher(query: Annotated[str, Query(min_length=1, max_length=20_000)]):
        runner = state.store.run_read_cypher
        try:
            security.check_read_only_cypher(query)
        except security.UnsafeQuery as exc:
            raise ApiError(400, str(exc)) from exc
        # the server's errors (syntax, a write refused in the read transaction) are the caller's
        rows = run_with_deadline(
            lambda: runner(query, {}, settings.query_timeout_s, settings.query_row_limit)
        )
        return {"rows": rows}

    return r


def _binding(term: Any) -> dict[str, str]:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    else:
        out["datatype"] = term.datatype.value
    return out


def _admin_routes(state: _State, settings: ApiSettings, library: Library | None) -> APIRouter:
    r = APIRouter()

    def authorise(key: str | None) -> Library:
        if not settings.api_key:
            raise ApiError(403, "disabled: set PLANKG_API_KEY on the server to enable changes")
        if not security.key_matches(key, settings.api_key):
            raise ApiError(401, "missing or wrong X-API-Key header")
        if library is None:
            raise ApiError(403, "disabled: this store is read-only through the API")
        return library

    def apply(change: tuple[Store, Any, dict]) -> PlanChange:
        store, rdf, summary = change
        state.store, state.rdf = store, _rdf_source(rdf)
        return PlanChange(**summary)

    @r.post("/plans", response_model=PlanChange, summary="Upload a plan (API key required)")
    async def upload(
        file: Annotated[UploadFile, File(description=".txt, .md, .docx, .pdf or .html")],
        x_api_key: Annotated[str | None, Header()] = None,
    ):
        lib = authorise(x_api_key)
        data = await file.read()
        name = os.path.basename(file.filename or "upload.txt")

        def add() -> PlanChange:  # in a thread: extraction and the store write take seconds
            with state.lock:
                return apply(lib.add_plan(name, data))

        try:
            return await run_in_threadpool(add)
        except PlanConflict as exc:
            raise ApiError(409, str(exc), {"existing": exc.existing}) from exc
        except UploadTooLarge as exc:
            raise ApiError(413, str(exc)) from exc
        except ValueError as exc:
            raise ApiError(422, str(exc)) from exc

    @r.delete("/plans/{doc}", response_model=PlanChange, summary="Remove a plan (API key required)")
    def delete(doc: str, x_api_key: Annotated[str | None, Header()] = None):
        lib = authorise(x_api_key)
        with state.lock:
            try:
                return apply(lib.remove_plan(doc))
            except KeyError as exc:
                raise ApiError(404, f"no plan '{doc}' (plans are named by full file name)") from exc

    @r.post("/reload", response_model=PlanChange, summary="Reload the graph from disk (API key)")
    def reload(x_api_key: Annotated[str | None, Header()] = None):
        lib = authorise(x_api_key)
        with state.lock:
            return apply(lib.reload())

    return r
