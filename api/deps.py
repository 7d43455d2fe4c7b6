"""FastAPI dependencies (as the full-stack template lays them out): the store, the RDF source,
the settings, the admin check and the validated filters, each an `Annotated` type a route
declares in its signature. Routers stay thin: they take these and ask the store.

The state (`AppState`) lives on `app.state.plankg`; an upload swaps its store and RDF, so a
route reads them per request and never holds a stale store.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Path, Query, Request
from starlette.concurrency import run_in_threadpool

from plankg.api import security
from plankg.api.errors import ApiError
from plankg.api.settings import Settings
from plankg.graph import lookup
from plankg.graph.query_sandbox import QuerySandbox
from plankg.graph.rdf_store import RdfStore
from plankg.graph.store import Store

T = TypeVar("T")

# a filter or name a person typed: bounded, and no control characters (CR/LF would end up in
# headers such as an export's Content-Disposition; NUL in a store query)
NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
MAX_TEXT = 200


@dataclass
class Library:
    """What the app can change: add or remove a plan, reload. Each returns the new
    (store, rdf, summary); `api/library.py` builds one over a data folder."""

    add_plan: Callable[[str, bytes], tuple[Store, Any, dict]]
    remove_plan: Callable[[str], tuple[Store, Any, dict]]
    reload: Callable[[], tuple[Store, Any, dict]]
    close: Callable[[], None] = lambda: None  # release the data folder (lock, worker)


@dataclass
class AppState:
    """What the routes read: the current store and RDF, swapped under `lock` by changes."""

    store: Store
    rdf: RdfStore | None
    library: Library | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    sandbox: QuerySandbox | None = None  # SPARQL's worker pool (api/routes_query.py)
    # user Cypher queries running at once on the Neo4j server
    cypher_slots: threading.BoundedSemaphore = field(
        default_factory=lambda: threading.BoundedSemaphore(2)
    )


def rdf_source(rdf: RdfStore | None, settings: Settings) -> RdfStore | None:
    """The RDF store answering RDF descriptions (None: this server has none)."""
    return rdf


def get_state(request: Request) -> AppState:
    return request.app.state.plankg


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_store(request: Request) -> Store:
    return request.app.state.plankg.store


def get_rdf(request: Request) -> RdfStore | None:
    return request.app.state.plankg.rdf


StateDep = Annotated[AppState, Depends(get_state)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
RdfDep = Annotated[RdfStore | None, Depends(get_rdf)]


async def offload(on: Store, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run `fn` on the event loop for an in-memory store (a lookup answers in ~0.1 ms, less
    than the hop to a worker thread and back), in a worker thread for a store doing I/O."""
    if getattr(on, "in_memory", False):
        return fn(*args, **kwargs)
    return await run_in_threadpool(fn, *args, **kwargs)


def answers_from_store(fn: Callable[..., T]) -> Callable[..., Any]:
    """Decorate a route whose signature has `store: StoreDep`: it runs where `offload` says."""

    @functools.wraps(fn)
    async def run(*args: Any, **kwargs: Any) -> Any:
        return await offload(kwargs.get("store"), fn, *args, **kwargs)  # type: ignore[arg-type]

    return run


# ---------------------------------------------------------------- typed text and filters

Text = Annotated[str | None, Query(max_length=MAX_TEXT, pattern=NO_CONTROL)]
RequiredText = Annotated[str, Query(min_length=1, max_length=MAX_TEXT, pattern=NO_CONTROL)]
NameInPath = Annotated[str, Path(min_length=1, max_length=MAX_TEXT, pattern=NO_CONTROL)]


async def plan_filter(
    store: StoreDep,
    plan: Annotated[
        str | None,
        Query(
            max_length=MAX_TEXT,
            pattern=NO_CONTROL,
            description="Plan document name (or its stem); a name no plan has is a 404.",
        ),
    ] = None,
) -> str | None:
    plan = plan or None  # a filter form sends "" for 全部
    await offload(store, lookup.check_plan, store, plan)
    return plan


async def jurisdiction_filter(
    store: StoreDep,
    jurisdiction: Annotated[
        str | None,
        Query(
            max_length=MAX_TEXT,
            pattern=NO_CONTROL,
            description="Jurisdiction name, e.g. 平江县; a name the graph has not is a 404.",
        ),
    ] = None,
) -> str | None:
    jurisdiction = jurisdiction or None
    await offload(store, lookup.check_jurisdiction, store, jurisdiction)
    return jurisdiction


PlanFilter = Annotated[str | None, Depends(plan_filter)]
JurisdictionFilter = Annotated[str | None, Depends(jurisdiction_filter)]


# ---------------------------------------------------------------- changes


def admin_library(
    settings: SettingsDep,
    state: StateDep,
    x_api_key: Annotated[str | None, Header(description="The server's PLANKG_API_KEY")] = None,
) -> Library:
    """The `Library` to change, once the key matches; 403 when changes are off, 401 for a
    missing or wrong key."""
    configured = settings.api_key_value
    if not configured:
        raise ApiError(403, "admin_disabled")
    if not security.key_matches(x_api_key, configured):
        raise ApiError(401, "bad_api_key")
    if state.library is None:
        raise ApiError(403, "read_only_store")
    return state.library


AdminDep = Annotated[Library, Depends(admin_library)]
