"""The HTTP API: the store questions as JSON, read-only SPARQL/Cypher, RDF for agencies and
tasks, the views and exports, and (behind an API key) plan upload and removal.

`create_app` takes a `Store` (embedded or Neo4j) and the RDF graph; it never imports the
ingest pipeline — changes go through the `Library` passed in, so the app stays a thin layer.
Its routers are one static list (`ROUTERS`): a router whose import fails stops the app from
starting, it never silently disappears.
"""

from __future__ import annotations

import threading
from typing import Any

from fastapi import APIRouter, FastAPI

from plankg.api import (
    routes_admin,
    routes_agencies,
    routes_docs,
    routes_export,
    routes_pages,
    routes_pages_upload,
    routes_parks,
    routes_plans,
    routes_query,
    routes_tasks,
    routes_viz,
)
from plankg.api.deps import AppState, Library, rdf_source
from plankg.api.errors import install_error_handlers
from plankg.api.middleware import BodyLimit
from plankg.api.settings import Settings, get_settings
from plankg.graph.query_sandbox import QuerySandbox
from plankg.graph.store import Store

__all__ = ["ROUTERS", "Library", "Settings", "create_app"]

VERSION = "0.1.0"
ROUTERS: tuple[APIRouter, ...] = (
    routes_plans.router,
    routes_agencies.router,
    routes_tasks.router,
    routes_parks.router,
    routes_query.router,
    routes_admin.router,
    routes_viz.router,
    routes_export.router,
    routes_docs.router,
    *(routes_pages.router, routes_pages_upload.router),  # the web app
)


def create_app(
    store: Store,
    rdf: Any = None,
    *,
    settings: Settings | None = None,
    library: Library | None = None,
    query_sandbox: QuerySandbox | None = None,
) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="plankg",
        description="Who is responsible for what in Chinese local-government action plans. "
        "Errors: `{error: {code, message, …}}`, Chinese first (see the README).",
        version=VERSION,
        docs_url=None,  # served offline by routes_docs
        redoc_url=None,
    )
    app.state.plankg = AppState(
        store,
        rdf_source(rdf, settings),
        library,
        sandbox=query_sandbox,  # writers wrap store writes in `sandbox.paused()`
        cypher_slots=threading.BoundedSemaphore(settings.query_workers),
    )
    app.state.settings = settings

    if settings.cors_origin_list:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origin_list, allow_methods=["GET"]
        )
    app.add_middleware(BodyLimit, max_mib=settings.max_body_mib)
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    # every route, flat, for the 405's Allow header (api/errors.py)
    app.state.routes = [route for router in ROUTERS for route in router.routes]
    routes_docs.mount_assets(app)
    return app
