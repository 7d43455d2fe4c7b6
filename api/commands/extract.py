"""`plankg extract` and `plankg eval`: the extractor's command-line contract."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from plankg.api.commands.progress import file_bar
from plankg.api.messages import file_line

if TYPE_CHECKING:  # the extractor is imported by the commands that run it, not by every start
    from plankg.ingest.model import Plan


def extract_many(
    paths: list[str],
    jurisdiction: str | None = None,
    title: str | None = None,
    urls: dict[str, str] | None = None,
) -> tuple[list[Plan], list[str]]:
    """Extract every plan; a file that cannot be read is an error line, the rest go on.
    `urls` gives the web address a file was saved from, by file name (provenance, and the
    last resort for its jurisdiction)."""
    from plankg.ingest.agencies import AgencyDirectory
    from plankg.ingest.discover import discover_plans
    from plankg.ingest.extract import extract_plan
    from plankg.ingest.reading import PlanReadError

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
        files: Annotated[
            list[str],
            typer.Argument(help="方案文件、文件夹或通配符。 Plan files, folders or globs."),
        ],
        format: Annotated[
            str, typer.Option("--format", "-f", help="输出格式：jsonl 或 table。 Output format.")
        ] = "jsonl",
        jurisdiction: Annotated[
            str | None,
            typer.Option(help="指定辖区，代替自动识别。 Override the detected jurisdiction."),
        ] = None,
        title: Annotated[
            str | None, typer.Option(help="指定标题，代替自动识别。 Override the detected title.")
        ] = None,
        source_url: Annotated[
            str | None,
            typer.Option(
                help="文件的来源网址（用于全部文件）。 The web address the files were saved from."
            ),
        ] = None,
        with_groups: Annotated[
            bool,
            typer.Option(
                "--with-groups", help="同时输出工作专班（jsonl）。 Also print working groups."
            ),
        ] = False,
    ) -> None:
        """从方案中抽取任务、目标和责任分工；提示写到 stderr。
        Extract tasks, goals and assignments from plans; warnings go to stderr."""
        if format not in ("jsonl", "table"):
            raise typer.BadParameter("format must be jsonl or table", param_hint="--format")
        from plankg.ingest.discover import discover_plans

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
            typer.Argument(
                help="方案（默认：金标准文件夹的 docs/，否则 data/plans/）。 Plans to score."
            ),
        ] = None,
        gold: Annotated[
            Path, typer.Option(help="金标准文件所在文件夹。 Folder of gold files.")
        ] = Path("tests/gold"),
        json_out: Annotated[
            bool, typer.Option("--json", help="以 JSON 输出得分。 Print scores as JSON.")
        ] = False,
    ) -> None:
        """对照金标准文件评估抽取的精确率、召回率和 F1。
        Precision, recall and F1 of extraction against the gold files.

        A gold folder may hold `sources.csv` (file, url, jurisdiction): the urls are passed to
        extraction as each file's web address, and the share of plans whose jurisdiction was
        detected correctly is reported beside the scores."""
        from plankg.ingest.evaluation import format_scores, run_gold_set

        run = run_gold_set(gold, files)
        if json_out:
            payload = {
                k: {"precision": s.precision, "recall": s.recall, "f1": s.f1}
                for k, s in run.scores.items()
            }
            typer.echo(json.dumps(payload, indent=2))
        else:
            typer.echo(f"== {gold}（{len(run.plans)} 个方案 plans）")
            typer.echo(format_scores(run.scores))
            for p in run.plans:
                want = run.truth.get(p.doc)
                got = "".join(p.jurisdiction_path) or None
                if want is not None and got != want:
                    typer.echo(f"   辖区 jurisdiction {p.doc}：识别为 got {got}，应为 want {want}")
        for e in run.errors:
            typer.echo(file_line("error", e), err=True)
        if run.errors:
            raise typer.Exit(1)
