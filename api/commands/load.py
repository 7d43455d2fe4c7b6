"""`plankg load`: put the graph into Neo4j, or write the offline-load files."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from plankg.api.messages import error_line, say
from plankg.api.settings import Settings

if TYPE_CHECKING:
    from plankg.graph.nt_rows import NtRows
    from plankg.graph.property_graph import PropertyGraph


def register(app: typer.Typer) -> None:
    @app.command()
    def load(
        neo4j: Annotated[
            str | None, typer.Option("--neo4j", help="Bolt 地址（默认：$NEO4J_URI）。 Bolt URI.")
        ] = None,
        user: Annotated[
            str | None, typer.Option(help="默认：$NEO4J_USER 或 neo4j。 Default: $NEO4J_USER.")
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
        data: Annotated[
            Path, typer.Option(help="含 plankg.nt 的文件夹。 Folder with plankg.nt.")
        ] = Path("build"),
        plan: Annotated[
            str | None,
            typer.Option(help="只重新导入此方案的子图（文件名）。 Reload only this plan."),
        ] = None,
        batch_size: Annotated[
            int, typer.Option(min=1, help="每个 UNWIND 批次的行数。 Rows per UNWIND batch.")
        ] = 1000,
        max_batch_bytes: Annotated[
            int | None,
            typer.Option(
                help="批次编码后达到此字节数也切分。 Also cut batches at this many bytes."
            ),
        ] = None,
        schema: Annotated[
            bool,
            typer.Option(
                "--schema/--no-schema", help="创建唯一性约束。 Create uniqueness constraints."
            ),
        ] = True,
        cypher_out: Annotated[
            Path | None,
            typer.Option(help="写出 .cypher 脚本（代替或同时导入）。 Write a .cypher script."),
        ] = None,
        csv_out: Annotated[
            Path | None,
            typer.Option(
                help="把 neo4j-admin import 所需 CSV 写入此文件夹。 Write neo4j-admin import CSVs."
            ),
        ] = None,
    ) -> None:
        """把 build/ 导入 Neo4j（分批 UNWIND…MERGE，可重复执行），或导出为文件。
        Load build/ into Neo4j with batched UNWIND…MERGE (idempotent), or export it.

        Rows are streamed from plankg.nt (no in-memory graph), so loading needs far less memory
        than serving the same graph."""
        from plankg.graph.neo4j_export import cypher_script, write_admin_csvs
        from plankg.graph.nt_rows import NtRows

        started = time.perf_counter()
        try:
            source = _rows(data)
        except FileNotFoundError as exc:
            typer.echo(error_line("data_missing", path=data), err=True)
            typer.echo(f"  ({exc})", err=True)
            raise typer.Exit(2) from exc
        scan_s = time.perf_counter() - started  # the first pass over plankg.nt
        if cypher_out or csv_out:
            pg = source.property_graph() if isinstance(source, NtRows) else source
            if cypher_out:
                cypher_out.write_text(cypher_script(pg, schema=schema), encoding="utf-8")
                typer.echo(say("wrote", path=cypher_out))
            if csv_out:
                files = write_admin_csvs(pg, csv_out)
                typer.echo(say("wrote_files", count=len(files), path=csv_out))
        settings = Settings()  # read when the command runs (CliRunner's env= included)
        uri = neo4j or settings.neo4j_uri
        if not uri:
            if not (cypher_out or csv_out):
                typer.echo(error_line("load_target_missing"), err=True)
                raise typer.Exit(2)
            return
        import neo4j as driver_module

        from plankg.graph.neo4j_store import DRIVER_OPTIONS, Neo4jLoader

        auth = (
            user or settings.neo4j_user,
            password or settings.neo4j_password.get_secret_value(),
        )
        with driver_module.GraphDatabase.driver(uri, auth=auth, **DRIVER_OPTIONS) as driver:
            loader = Neo4jLoader(
                driver,
                batch_size=batch_size,
                max_batch_bytes=max_batch_bytes,
                create_schema=schema,
                database=database or settings.neo4j_database,
            )
            started = time.perf_counter()
            try:
                report = loader.reload_plan(source, plan) if plan else loader.load(source)
            except (
                driver_module.exceptions.Neo4jError,
                driver_module.exceptions.DriverError,
            ) as exc:
                # batches already committed stay (the load is idempotent: run it again)
                typer.echo(error_line("load_failed", uri=uri, reason=exc), err=True)
                raise typer.Exit(1) from exc
            took = scan_s + time.perf_counter() - started
        typer.echo(
            say(
                "loaded",
                uri=uri,
                nodes=report.nodes,
                nodes_s=f"{report.nodes_s:.1f}",
                rels=report.relationships,
                rels_s=f"{report.relationships_s:.1f}",
                tx=report.statements_run,
                took=f"{took:.1f}",
            )
        )


def _rows(data: Path) -> NtRows | PropertyGraph:
    """plankg.nt streamed; a data folder with only the Turtle file goes through the store."""
    from plankg.graph.nt_rows import NtRows

    if (data / "plankg.nt").exists():
        return NtRows(data / "plankg.nt")
    from plankg.graph.embedded import EmbeddedStore
    from plankg.graph.property_graph import to_property_graph

    return to_property_graph(EmbeddedStore.open(data))
