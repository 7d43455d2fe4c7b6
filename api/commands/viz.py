"""`plankg viz load|agency NAME|parks --out FILE.html`: the API's interactive views written as
self-contained pages that open offline (double-click, e-mail, intranet share)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from plankg.api.messages import error_line, say
from plankg.graph.lookup import check_filters
from plankg.graph.store import Store
from plankg.viz.page import DEFAULT_NODE_BUDGET

Out = Annotated[Path, typer.Option("--out", "-o", help="输出的 HTML 文件。 HTML file to write.")]
Jurisdiction = Annotated[
    str | None, typer.Option(help="只看此辖区，如 平江县。 Only this jurisdiction.")
]
Plan = Annotated[
    str | None, typer.Option(help="只看此方案（文件名或去掉后缀的名称）。 Only this plan.")
]
Role = Annotated[
    Literal["lead", "assist", "any"],
    typer.Option(help="统计单位牵头或配合的任务（lead、assist、any）。 Role."),
]
MaxNodes = Annotated[
    int, typer.Option(min=10, help="节点上限；超出时视图合并节点并注明。 Node budget.")
]
Data = Annotated[
    Path, typer.Option(help="`plankg ingest` 生成的文件夹。 Folder written by ingest.")
]


def open_store(data: Path) -> Store:
    """The embedded store over `data`, or exit 2 with the reason."""
    from plankg.graph.embedded import EmbeddedStore

    try:
        return EmbeddedStore.open(data)
    except FileNotFoundError as exc:
        typer.echo(error_line("data_missing", path=data), err=True)
        typer.echo(f"  ({exc})", err=True)
        raise typer.Exit(2) from exc


def checked_store(data: Path, plan: str | None, jurisdiction: str | None) -> Store:
    """The store, once the filters name something in it (a typo is a `BadFilter`)."""
    store = open_store(data)
    check_filters(store, plan=plan, jurisdiction=jurisdiction)
    return store


def _write(out: Path, page: str) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    size = len(page.encode("utf-8")) // 1024
    typer.echo(say("wrote_page", path=out, kib=size))


def register(app: typer.Typer) -> None:
    viz = typer.Typer(
        help="交互式网络视图，生成可离线打开的 HTML 页面。 Offline views.", no_args_is_help=True
    )
    app.add_typer(viz, name="viz")

    @viz.command("load")
    def load(
        out: Out,
        jurisdiction: Jurisdiction = None,
        plan: Plan = None,
        role: Role = "any",
        max_nodes: MaxNodes = DEFAULT_NODE_BUDGET,
        data: Data = Path("build"),
    ) -> None:
        """跨单位任务负荷：节点大小按任务数，边从牵头单位指向配合单位。
        Cross-agency load: agencies sized by tasks, edges lead → assisting agency."""
        from plankg.viz.load_view import load_page

        store = checked_store(data, plan, jurisdiction)
        _write(out, load_page(store, jurisdiction, plan, role, max_nodes))

    @viz.command("agency")
    def agency(
        name: Annotated[
            str, typer.Argument(help="单位名称、任一简称或 IRI。 Agency name, alias or IRI.")
        ],
        out: Out,
        jurisdiction: Jurisdiction = None,
        plan: Plan = None,
        role: Role = "any",
        max_nodes: MaxNodes = DEFAULT_NODE_BUDGET,
        data: Data = Path("build"),
    ) -> None:
        """单个单位：牵头和配合的任务、目标指标、协同单位。
        One agency: the tasks it leads and assists, their targets, its partner agencies."""
        from plankg.viz.agency_view import agency_page

        store = checked_store(data, plan, jurisdiction)
        _write(out, agency_page(store, name, jurisdiction, plan, role, max_nodes))

    @viz.command("parks")
    def parks(
        out: Out,
        jurisdiction: Jurisdiction = None,
        plan: Plan = None,
        max_nodes: MaxNodes = DEFAULT_NODE_BUDGET,
        data: Data = Path("build"),
    ) -> None:
        """园区及其中的项目和提到它们的任务。
        Parks with their located-in projects and the tasks that mention them."""
        from plankg.viz.parks_view import parks_page

        store = checked_store(data, plan, jurisdiction)
        _write(out, parks_page(store, jurisdiction, plan, max_nodes))
