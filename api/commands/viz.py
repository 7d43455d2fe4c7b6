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

Out = Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")]
Jurisdiction = Annotated[str | None, typer.Option(help="Only this jurisdiction, e.g. 平江县.")]
Plan = Annotated[str | None, typer.Option(help="Only this plan (document name or stem).")]
Role = Annotated[
    Literal["lead", "assist", "any"], typer.Option(help="Count tasks the agency leads/assists.")
]
MaxNodes = Annotated[
    int, typer.Option(min=10, help="Node budget; above it the view aggregates and says so.")
]
Data = Annotated[Path, typer.Option(help="Folder written by `plankg ingest`.")]


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
    viz = typer.Typer(help="Interactive network views as offline HTML pages.", no_args_is_help=True)
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
        """Cross-agency load: agencies sized by tasks, edges lead → assisting agency."""
        from plankg.viz.load_view import load_page

        store = checked_store(data, plan, jurisdiction)
        _write(out, load_page(store, jurisdiction, plan, role, max_nodes))

    @viz.command("agency")
    def agency(
        name: Annotated[str, typer.Argument(help="Agency name, any alias, or IRI.")],
        out: Out,
        jurisdiction: Jurisdiction = None,
        plan: Plan = None,
        role: Role = "any",
        max_nodes: MaxNodes = DEFAULT_NODE_BUDGET,
        data: Data = Path("build"),
    ) -> None:
        """One agency: the tasks it leads and assists, their targets, its partner agencies."""
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
        """Parks with their located-in projects and the tasks that mention them."""
        from plankg.viz.parks_view import parks_page

        store = checked_store(data, plan, jurisdiction)
        _write(out, parks_page(store, jurisdiction, plan, max_nodes))
