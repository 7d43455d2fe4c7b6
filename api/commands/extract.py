"""`plankg extract` and `plankg eval`: the extractor's command-line contract."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from plankg.api.commands.progress import file_bar
from plankg.api.messages import file_line
from plankg.ingest.agencies import AgencyDirectory
from plankg.ingest.discover import discover_plans
from plankg.ingest.evaluation import format_scores, run_gold_set
from plankg.ingest.extract import extract_plan
from plankg.ingest.model import Plan
from plankg.ingest.reading import PlanReadError


def extract_many(
    paths: list[str],
    jurisdiction: str | None = None,
    title: str | None = None,
    urls: dict[str, str] | None = None,
) -> tuple[list[Plan], list[str]]:
    """Extract every plan; a file that cannot be read is an error line, the rest go on.
    `urls` gives the web address a file was saved from, by file name (provenance, and the
    last resort for its jurisdiction)."""
    found = discover_plans(paths)
    errors = list(found.errors)
    directory = AgencyDirectory.load()
    plans = []
    for path in file_bar(found.files, "extract"):
        try:
            plans.append(
                extract_plan(
                    path,
                    jurisdiction=jurisdiction,
                    title=title,
                    source_url=(urls or {}).get(path.name),
                    directory=directory,
                )
            )
        except PlanReadError as exc:
            errors.append(str(exc))
    return plans, errors


def _report(plans: list[Plan], errors: list[str]) -> None:
    for plan in plans:
        for w in plan.warnings:
            typer.echo(file_line("warning", w), err=True)
    for e in errors:
        typer.echo(file_line("error", e), err=True)


def _table(plans: list[Plan]) -> str:
    out = []
    for plan in plans:
        out.append(f"== {plan.doc}  《{plan.title}》  [{plan.jurisdiction}]")
        for t in plan.tasks:
            lead = "、".join(m.raw for m in t.lead)
            assist = "、".join(m.raw for m in t.assist) or "-"
            inds = "; ".join(
                f"{i.subject} {i.comparator} {i.value:g}{i.unit}" for i in t.indicators
            )
            out.append(f"{t.ordinal:>3}. {t.title or t.text[:18]:<20} 牵头: {lead}  配合: {assist}")
            if inds:
                out.append(f"     指标: {inds}")
        out.append(
            f"     {len(plan.tasks)} tasks, {len(plan.goals)} goals, "
            f"{len(plan.working_groups)} working groups, {len(plan.warnings)} warnings"
        )
    return "\n".join(out)


def register(app: typer.Typer) -> None:
    @app.command()
    def extract(
        files: Annotated[list[str], typer.Argument(help="Plan files, folders or globs.")],
        format: Annotated[str, typer.Option("--format", "-f", help="jsonl or table")] = "jsonl",
        jurisdiction: Annotated[
            str | None, typer.Option(help="Override the detected jurisdiction.")
        ] = None,
        title: Annotated[str | None, typer.Option(help="Override the detected title.")] = None,
        source_url: Annotated[
            str | None,
            typer.Option(help="The web address the file was saved from (all files)."),
        ] = None,
        with_groups: Annotated[
            bool, typer.Option("--with-groups", help="Also print working groups (jsonl).")
        ] = False,
    ) -> None:
        """Extract tasks, goals and assignments from plans; warnings go to stderr."""
        if format not in ("jsonl", "table"):
            raise typer.BadParameter("format must be jsonl or table", param_hint="--format")
        urls = {p.name: source_url for p in discover_plans(files).files} if source_url else None
        plans, errors = extract_many(files, jurisdiction, title, urls)
        if format == "jsonl":
            for plan in plans:
                for record in plan.to_records(with_groups):
                    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            typer.echo(_table(plans))
        _report(plans, errors)
        if errors:
            raise typer.Exit(1)

    @app.command("eval")
    def eval_(
        files: Annotated[
            list[str] | None,
            typer.Argument(help="Plans (default: the gold folder's docs/, else data/plans/)."),
        ] = None,
        gold: Annotated[Path, typer.Option(help="Folder of gold files.")] = Path("tests/gold"),
        json_out: Annotated[bool, typer.Option("--json", help="Print scores as JSON.")] = False,
    ) -> None:
        """Precision, recall and F1 of extraction against the gold files.

        A gold folder may hold `sources.csv` (file, url, jurisdiction): the urls are passed to
        extraction as each file's web address, and the share of plans whose jurisdiction was
        detected correctly is reported beside the scores."""
        run = run_gold_set(gold, files)
        if json_out:
            payload = {
                k: {"precision": s.precision, "recall": s.recall, "f1": s.f1}
                for k, s in run.scores.items()
            }
            typer.echo(json.dumps(payload, indent=2))
        else:
            typer.echo(f"== {gold} ({len(run.plans)} plans)")
            typer.echo(format_scores(run.scores))
            for p in run.plans:
                want = run.truth.get(p.doc)
                got = "".join(p.jurisdiction_path) or None
                if want is not None and got != want:
                    typer.echo(f"   jurisdiction {p.doc}: got {got}, want {want}")
        for e in run.errors:
            typer.echo(file_line("error", e), err=True)
        if run.errors:
            raise typer.Exit(1)
