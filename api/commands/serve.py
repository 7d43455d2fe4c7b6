"""`plankg serve`: the API and views over the embedded store (default) or Neo4j.

The listening socket is bound before the graph is loaded, so a port already in use is an error
(exit 2) before anything says "Serving …"; uvicorn then serves on that socket with the HTTP
limits of `api/http_server.py`.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import threading
from pathlib import Path
from typing import Annotated, Literal

import typer

from plankg.api.http_server import bind, uvicorn_config
from plankg.api.messages import error_line, say
from plankg.api.settings import Settings


def build_app(
    store_kind: str,
    data: Path,
    uri: str | None,
    user: str | None,
    password: str | None,
    database: str | None = None,
    settings: Settings | None = None,
):
    """The app; with the embedded store it holds the data folder's lock until
    `app.state.close_library()`. Every store write is wrapped in the SPARQL sandbox's
    `paused()` (its workers hold read-only handles of the same store)."""
    if store_kind != "neo4j":  # the snapshot is read while the app imports, the folder repairs
        from plankg.graph.embedded_snapshot import prefetch

        prefetch(data)
    from plankg.api.app import create_app
    from plankg.graph.rdf_store import STORE_DIR, RdfStore

    settings = settings or Settings()
    library = None
    sandbox = _query_sandbox(data, settings)  # its forkserver imports meanwhile
    if store_kind == "neo4j":
        import neo4j

        from plankg.graph.neo4j_store import DRIVER_OPTIONS, Neo4jStore

        uri = uri or settings.neo4j_uri
        if not uri:
            raise typer.BadParameter(say("neo4j_uri_missing"))
        auth = (
            user or settings.neo4j_user,
            password or settings.neo4j_password.get_secret_value(),
        )
        database = database or settings.neo4j_database
        driver = neo4j.GraphDatabase.driver(uri, auth=auth, **DRIVER_OPTIONS)
        store = Neo4jStore(driver, database=database)
        # /sparql and RDF answers come from the local RDF store when there is one
        rdf = RdfStore.open(data, read_only=True) if (data / STORE_DIR).exists() else None
    else:
        from plankg.api.library import open_library

        opened = open_library(data, quiesce=lambda: _paused(sandbox))  # lock, repair, indexes
        store, rdf, library = opened.embedded, opened.rdf_store, opened.library()
    if sandbox is not None:  # workers open the store read-only after the repair, not before
        sandbox.start_in_background()
    app = create_app(
        store,
        rdf,
        settings=settings,
        library=library,
        query_sandbox=sandbox,
    )
    app.state.close_library = library.close if library is not None else (lambda: None)
    return app


def _warm_in_background(store) -> threading.Thread | None:
    """What the first answers did not need is built once serving has begun (`warm`), and
    frozen out of the collector's view like the rest of the loaded graph."""
    warm = getattr(store, "warm", None)
    if warm is None:  # the Neo4j store
        return None

    def run() -> None:
        try:
            warm()
            gc.freeze()
        except Exception:  # an answer that needs it builds it then; serving goes on
            logging.getLogger("plankg.serve").exception("warming the indexes failed")

    thread = threading.Thread(target=run, name="plankg-warm", daemon=True)
    thread.start()
    return thread


def _paused(sandbox):
    """The sandbox's pause around a store write; nothing to pause without one."""
    return sandbox.paused() if sandbox is not None else contextlib.nullcontext()


def _query_sandbox(data: Path, settings):
    """SPARQL's worker pool over `<data>/store` (the pyoxigraph store), when there is one:
    its forkserver started, its workers not yet (`start_in_background`)."""
    from plankg.graph.query_sandbox import QuerySandbox

    store_dir = data / "store"
    if not store_dir.is_dir():
        return None
    pool = QuerySandbox(
        store_dir, workers=settings.query_workers, memory_mb=settings.query_memory_mb
    )
    return pool.warm()


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        host: Annotated[
            str | None,
            typer.Option(
                help="监听地址（默认：$PLANKG_HOST 或 127.0.0.1）。 Interface to listen on."
            ),
        ] = None,
        port: Annotated[
            int | None,
            typer.Option(min=1, max=65535, help="端口（默认：$PLANKG_PORT 或 8000）。 Port."),
        ] = None,
        store: Annotated[
            Literal["memory", "neo4j"],
            typer.Option(help="由哪个存储回答：memory 或 neo4j。 Which store answers."),
        ] = "memory",
        data: Annotated[
            Path, typer.Option(help="`plankg ingest` 生成的文件夹。 Folder written by ingest.")
        ] = Path("build"),
        neo4j_uri: Annotated[
            str | None, typer.Option(help="默认：$NEO4J_URI。 Default: $NEO4J_URI.")
        ] = None,
        user: Annotated[
            str | None, typer.Option(help="默认：$NEO4J_USER。 Default: $NEO4J_USER.")
        ] = None,
        password: Annotated[
            str | None, typer.Option(help="默认：$NEO4J_PASSWORD。 Default: $NEO4J_PASSWORD.")
        ] = None,
        database: Annotated[
            str | None,
            typer.Option(
                help="Neo4j 数据库（默认：$NEO4J_DATABASE 或服务器默认库）。 Neo4j database."
            ),
        ] = None,
    ) -> None:
        """启动网页应用、JSON 接口、SPARQL、视图和导出服务。
        Serve the web app, the JSON API, SPARQL, views and exports."""
        import uvicorn

        from plankg.graph.data_lock import DataFolderLocked

        settings = Settings()  # read once, when the command runs
        host = host or settings.host
        port = port or settings.port
        try:
            sock = bind(host, port, settings.backlog)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            typer.echo(
                error_line("port_in_use", host=host, port=port, reason=reason),
                err=True,
            )
            raise typer.Exit(2) from exc
        # The loaded graph lives as long as the process: built or loaded with the collector
        # off and then frozen, it is left out of every later collection (each would walk
        # millions of objects: 1.7 s for one full collection at 10,000 plans, and the
        # automatic ones after a load as much again). What the imports left is collected first.
        gc.collect()
        gc.disable()
        try:
            application = build_app(store, data, neo4j_uri, user, password, database, settings)
        except (FileNotFoundError, DataFolderLocked) as exc:
            sock.close()
            if isinstance(exc, DataFolderLocked):
                typer.echo(error_line("error", message=str(exc)), err=True)
            else:
                typer.echo(error_line("data_missing", path=data), err=True)
                typer.echo(f"  ({exc})", err=True)
            raise typer.Exit(2) from exc
        gc.freeze()
        gc.enable()
        _warm_in_background(application.state.plankg.store)
        typer.echo(say("serving", host=host, port=port))
        server = uvicorn.Server(uvicorn_config(application, settings))
        try:
            server.run(sockets=[sock])
        finally:
            sandbox = application.state.plankg.sandbox
            if sandbox is not None:
                sandbox.close()
            application.state.close_library()  # the derived files finished, the folder released
