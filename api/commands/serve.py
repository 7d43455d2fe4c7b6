"""`plankg serve`: the API and views over the embedded store (default) or Neo4j."""

from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import Annotated, Literal

import typer


def build_app(
    store_kind: str,
    data: Path,
    uri: str | None,
    user: str | None,
    password: str | None,
    database: str | None = None,
    quiesce=None,
):
    """The app; with the embedded store it holds the data folder's lock until
    `app.state.close_library()` (`quiesce`: wraps each store write, see api/library.py)."""
    from plankg.api.app import ApiSettings, create_app
    from plankg.graph.rdf_store import STORE_DIR, RdfStore

    library = None
    if store_kind == "neo4j":
        import neo4j

        from plankg.graph.neo4j_store import DRIVER_OPTIONS, Neo4jStore

        uri = uri or os.environ.get("NEO4J_URI")
        if not uri:
            raise typer.BadParameter("--store neo4j needs --neo4j-uri or NEO4J_URI")
        auth = (
            user or os.environ.get("NEO4J_USER", "neo4j"),
            password or os.environ.get("NEO4J_PASSWORD", ""),
        )
        database = database or os.environ.get("NEO4J_DATABASE") or None
        driver = neo4j.GraphDatabase.driver(uri, auth=auth, **DRIVER_OPTIONS)
        store = Neo4jStore(driver, database=database)
        # /sparql and RDF answers come from the local RDF store when there is one
        rdf = RdfStore.open(data) if (data / STORE_DIR).exists() else None
    else:
        from plankg.api.library import open_library

        opened = open_library(data, quiesce=quiesce)  # lock, crash repair, store, indexes
        store, rdf, library = opened.embedded, opened.rdf_store, opened.library()
    app = create_app(
        store, rdf, settings=ApiSettings.from_env(), library=library, extra_routers=_extra_routers()
    )
    app.state.close_library = library.close if library is not None else (lambda: None)
    return app


def _extra_routers() -> list:
    """The views and exports, when that part of the product is installed."""
    routers = []
    for module in ("plankg.api.routes_viz", "plankg.api.routes_export"):
        try:
            mod = __import__(module, fromlist=["router"])
        except ModuleNotFoundError:
            continue
        routers.append(mod.router)
    return routers


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
        store: Annotated[
            Literal["memory", "neo4j"], typer.Option(help="Which store answers.")
        ] = "memory",
        data: Annotated[Path, typer.Option(help="Folder written by `plankg ingest`.")] = Path(
            "build"
        ),
        neo4j_uri: Annotated[str | None, typer.Option(help="Default: $NEO4J_URI.")] = None,
        user: Annotated[str | None, typer.Option(help="Default: $NEO4J_USER.")] = None,
        password: Annotated[str | None, typer.Option(help="Default: $NEO4J_PASSWORD.")] = None,
        database: Annotated[
            str | None,
            typer.Option(help="Neo4j database (default: $NEO4J_DATABASE or the server's)."),
        ] = None,
    ) -> None:
        """Serve the JSON API, SPARQL, views and exports."""
        import uvicorn

        from plankg.graph.data_lock import DataFolderLocked

        try:
            application = build_app(store, data, neo4j_uri, user, password, database)
        except (FileNotFoundError, DataFolderLocked) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        # The loaded graph lives as long as the process: frozen, it is left out of every
        # later collection, which would otherwise walk millions of objects mid-request.
        gc.collect()
        gc.freeze()
        typer.echo(f"Serving plankg on http://{host}:{port}  (API docs: http://{host}:{port}/docs)")
        # no access log or proxy-header rewriting: both cost per request and neither is used
        uvicorn.run(
            application,
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            proxy_headers=False,
        )
        application.state.close_library()  # the derived files finished, the folder released
