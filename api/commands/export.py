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
            typer.Argument(help="导出哪一种。 Which export."),
        ],
        out: Annotated[Path, typer.Option("--out", "-o", help="输出文件。 File to write.")],
        format: Annotated[
            Literal["csv", "xlsx", "png", "svg", "graphml", "gexf"] | None,
            typer.Option(
                "--format", "-f", help="格式（默认：按 --out 的后缀，否则 csv）。 Format."
            ),
        ] = None,
        jurisdiction: Jurisdiction = None,
        plan: Plan = None,
        agency: Annotated[
            str | None, typer.Option(help="台账：只含此单位；矩阵：此单位的行和列。 One agency.")
        ] = None,
        role: Annotated[
            Literal["lead", "assist", "any"],
            typer.Option(help="台账：该单位的职责（lead、assist、any）。 Role."),
        ] = "any",
        min_count: Annotated[
            int, typer.Option(min=1, help="矩阵：去掉小于此数的格子。 Matrix: drop smaller cells.")
        ] = 1,
        mode: Annotated[
            Literal["lead_assist", "co"],
            typer.Option(help="矩阵：牵头→配合计数，或共同承担（对称）。 Matrix mode."),
        ] = "lead_assist",
        subject: Annotated[
            str | None,
            typer.Option(help="指标与一致性检查：主体包含此文字。 Subject contains this."),
        ] = None,
        data: Data = Path("build"),
    ) -> None:
        """导出协同矩阵、任务台账、指标汇总、一致性检查（CSV/XLSX/PNG）、负荷图（PNG/SVG）或图（GraphML/GEXF）。
        Matrix, ledger, indicators, conflicts, the load chart or the graph, as files."""
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
