"""`plankg ingest` and `plankg validate`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from plankg.api.commands.progress import file_bar
from plankg.api.messages import error_line, file_line, say


def load_graph(data: Path):
    """plankg.nt as an rdflib Graph: pyshacl validates rdflib graphs, the one place rdflib
    still earns its keep."""
    from rdflib import Graph

    nt = data / "plankg.nt"
    if not nt.exists():
        raise FileNotFoundError(f"no plankg.nt in {data}: run `plankg ingest` first")
    return Graph().parse(nt, format="nt")


def register(app: typer.Typer) -> None:
    @app.command()
    def ingest(
        paths: Annotated[
            list[str] | None,
            typer.Argument(help="方案文件、文件夹或通配符。 Plan files, folders or globs."),
        ] = None,
        out: Annotated[
            Path, typer.Option("--out", "-o", help="输出文件夹。 Output folder.")
        ] = Path("build"),
        jurisdiction: Annotated[
            str | None, typer.Option(help="指定辖区。 Override the jurisdiction.")
        ] = None,
        title: Annotated[str | None, typer.Option(help="指定标题。 Override the title.")] = None,
        jobs: Annotated[
            int | None,
            typer.Option(
                "--jobs", "-j", min=1, help="工作进程数（默认：CPU 核数）。 Worker processes."
            ),
        ] = None,
        index: Annotated[
            bool,
            typer.Option(
                help="同时保存服务索引，使 `plankg serve` 启动更快。 Also save the serving index."
            ),
        ] = True,
    ) -> None:
        """抽取方案写入 RDF 存储 build/store/，并由它生成 build/plankg.ttl、.jsonld 和排序的 .nt。
        Extract plans into the RDF store build/store/ and write build/plankg.ttl, .jsonld
        and sorted .nt from it."""
        from plankg.graph.data_lock import DataFolderLocked, DataLock
        from plankg.ingest.pipeline import default_jobs
        from plankg.ingest.pipeline import ingest as run_ingest

        lock = DataLock(out)
        try:
            lock.acquire()  # a server on this folder would have its store swapped under it
        except DataFolderLocked as exc:
            typer.echo(error_line("error", message=str(exc)), err=True)
            raise typer.Exit(2) from exc
        summary = run_ingest(
            paths or ["data/plans"],
            out,
            jurisdiction=jurisdiction,
            title=title,
            progress=lambda files: file_bar(files, "ingest"),
            jobs=jobs or default_jobs(),
        )
        for w in summary.warnings:
            typer.echo(file_line("warning", w), err=True)
        for e in summary.errors + summary.duplicates:
            typer.echo(file_line("error", e), err=True)
        counts = summary.counts()
        typer.echo("  ".join(f"{k}={v}" for k, v in counts.items()))
        for fmt, path in summary.outputs.items():
            typer.echo(say("wrote_graph", path=path, fmt=fmt))
        if summary.plans and index:
            from plankg.graph.embedded import EmbeddedStore
            from plankg.graph.embedded_snapshot import SNAPSHOT

            EmbeddedStore.open(out)  # builds the serving indexes once and saves them
            typer.echo(say("wrote_index", path=out / SNAPSHOT))
        if not summary.plans:
            typer.echo(error_line("nothing_ingested"), err=True)
            raise typer.Exit(1)
        if summary.errors:
            raise typer.Exit(1)

    @app.command()
    def validate(
        data: Annotated[
            Path, typer.Option(help="含 plankg.nt 的文件夹。 Folder with plankg.nt.")
        ] = Path("build"),
    ) -> None:
        """用 SHACL 约束（ontology/shapes.ttl）校验图谱。
        Validate the graph against the SHACL shapes (ontology/shapes.ttl)."""
        from plankg.ontology.validate import validate as shacl_validate

        try:
            graph = load_graph(data)
        except FileNotFoundError as exc:
            typer.echo(error_line("data_missing", path=data), err=True)
            typer.echo(f"  ({exc})", err=True)
            raise typer.Exit(2) from exc
        report = shacl_validate(graph)
        if report.conforms:
            typer.echo(say("conforms", triples=len(graph)))
            return
        typer.echo(report.text)
        typer.echo(say("does_not_conform", violations=report.violations), err=True)
        raise typer.Exit(1)
