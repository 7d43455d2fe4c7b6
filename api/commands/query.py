"""`plankg query leads|assists|agency|park NAME`: the API's answers in a terminal table."""

from __future__ import annotations

import dataclasses
import json
import unicodedata
from pathlib import Path
from typing import Annotated, Literal

import typer

from plankg.api.commands.viz import open_store
from plankg.graph.lookup import check_filters, resolve_agency, resolve_park


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, width: int) -> str:
    return s + " " * max(0, width - _width(s))


def table(rows: list[list[str]], header: list[str]) -> str:
    """Columns aligned by display width, so Chinese text lines up in a terminal."""
    widths = [max(_width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(_pad(str(c), w) for c, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_pad(str(c), w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def _clip(s: str, n: int = 40) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def register(app: typer.Typer) -> None:
    @app.command()
    def query(
        what: Annotated[Literal["leads", "assists", "agency", "park"], typer.Argument()],
        name: Annotated[
            str,
            typer.Argument(help="单位（任一简称）或园区名称。 Agency (any alias) or park name."),
        ],
        jurisdiction: Annotated[
            str | None, typer.Option(help="辖区，用于区分同名单位。 Disambiguate a name.")
        ] = None,
        plan: Annotated[
            str | None, typer.Option(help="只看此方案（文件名）。 Only this plan (document name).")
        ] = None,
        data: Annotated[
            Path, typer.Option(help="`plankg ingest` 生成的文件夹。 Folder written by ingest.")
        ] = Path("build"),
        as_json: Annotated[
            bool, typer.Option("--json", help="输出 JSON，供脚本使用。 JSON for scripts.")
        ] = False,
    ) -> None:
        """查询图谱：单位牵头或配合的任务、单位信息、园区的项目。
        Ask the graph: tasks an agency leads or assists, an agency card, a park's projects."""
        store = open_store(data)
        check_filters(store, plan=plan, jurisdiction=jurisdiction)

        def emit(payload, rows, header):
            if as_json:
                typer.echo(json.dumps(payload, ensure_ascii=False, indent=1, default=str))
            else:
                typer.echo(table(rows, header))

        if what == "park":
            parks = [resolve_park(store, name, jurisdiction)]
            projects = [p for park in parks for p in store.projects_in_park(park.iri)]
            emit(
                [dataclasses.asdict(p) for p in projects],
                [[p.name, "、".join(p.parks), _clip("；".join(p.evidence))] for p in projects],
                ["项目 project", "园区 park", "依据 evidence"],
            )
            return
        agency = resolve_agency(store, name, jurisdiction)
        if what == "agency":
            lead = store.tasks_of_agency(agency.iri, "lead", plan)
            assist = store.tasks_of_agency(agency.iri, "assist", plan)
            emit(
                {"agency": dataclasses.asdict(agency), "lead": len(lead), "assist": len(assist)},
                [
                    [
                        agency.name,
                        agency.jurisdiction,
                        agency.kind,
                        "、".join(agency.aliases),
                        len(lead),
                        len(assist),
                    ]
                ],
                ["名称", "辖区", "类型", "别名", "牵头", "配合"],
            )
            return
        role = "lead" if what == "leads" else "assist"
        tasks = store.tasks_of_agency(agency.iri, role, plan)
        emit(
            [dataclasses.asdict(t) for t in tasks],
            [
                [
                    t.id,
                    _clip(t.title or t.text, 24),
                    _clip("、".join(a.name for a in t.lead), 30),
                    f"{t.source.doc} {t.source.start}-{t.source.end}",
                ]
                for t in tasks
            ],
            ["任务 id", "标题", "牵头", "出处 source"],
        )
