"""`plankg export matrix|ledger|indicators|conflicts|load-chart|graphml|gexf --out FILE`: the
same files as `GET /export/…`, written to disk."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from plankg.api.commands.viz import Data, Jurisdiction, Plan, open_store
from plankg.api.messages import error_line, say
from plankg.graph.lookup import check_filters


def register(app: typer.Typer) -> None:
    @app.command()
    def export(
        what: Annotated[
            Literal["matrix", "ledger", "indicators", "conflicts", "load-chart", "graphml", "gexf"],
            typer.Argument(help="Which export."),
        ],
        out: Annotated[Path, typer.Option("--out", "-o", help="File to write.")],
        format: Annotated[
            Literal["csv", "xlsx", "png", "svg", "graphml", "gexf"] | None,
            typer.Option("--format", "-f", help="Default: from the --out suffix, else csv."),
        ] = None,
        jurisdiction: Jurisdiction = None,
        plan: Plan = None,
        agency: Annotated[
            str | None, typer.Option(help="Ledger of one agency; matrix row+column of one.")
        ] = None,
        role: Annotated[
            Literal["lead", "assist", "any"], typer.Option(help="Ledger: the agency's role.")
        ] = "any",
        min_count: Annotated[int, typer.Option(min=1, help="Matrix: drop smaller cells.")] = 1,
        mode: Annotated[
            Literal["lead_assist", "co"],
            typer.Option(help="Matrix: lead→assist counts, or co-assignment (symmetric)."),
        ] = "lead_assist",
        subject: Annotated[
            str | None, typer.Option(help="Indicators/conflicts: subject contains this.")
        ] = None,
        data: Data = Path("build"),
    ) -> None:
        """Matrix, ledger, indicators, conflicts (CSV/XLSX/PNG), the load chart (PNG/SVG) or
        the graph (GraphML/GEXF)."""
        from plankg.viz.files import FORMATS, ExportError, render_export

        store = open_store(data)
        check_filters(store, plan=plan, jurisdiction=jurisdiction)
        suffix = out.suffix.lstrip(".").lower()
        fmt = format or (suffix if suffix in FORMATS[what] else None)
        try:
            file = render_export(
                store,
                what,
                fmt,
                jurisdiction=jurisdiction,
                plan=plan,
                agency=agency,
                role=role,
                min_count=min_count,
                mode=mode,
                subject=subject,
            )
        except ExportError as exc:
            typer.echo(error_line("bad_export", reason=exc), err=True)
            raise typer.Exit(2) from exc
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(file.content)
        media = file.media_type.split(";")[0]
        typer.echo(say("wrote_file", path=out, media=media, size=len(file.content)))
