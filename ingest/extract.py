"""From a plan file to a `Plan`: read, normalise, segment, then resolve and enrich each block.

Parsing reads the simplified fold of the text (`NormalizedText.folded`); everything a user
sees — task text, names as written, units — is sliced from the text in the plan's own script
at the same offsets.
"""

from __future__ import annotations

import re
from pathlib import Path

from plankg.ingest import clauses, deadlines, entities, indicators, jurisdiction, segment
from plankg.ingest.agencies import AgencyDirectory, AgencyResolver
from plankg.ingest.headings import parse_heading
from plankg.ingest.limits import DEFAULT_LIMITS, Limits
from plankg.ingest.metadata import detect_title, read_sidecar
from plankg.ingest.model import (
    AgencyMention,
    Goal,
    Plan,
    Section,
    Span,
    Task,
    Warning_,
)
from plankg.ingest.normalize import NormalizedText, normalize
from plankg.ingest.reading import read_document
from plankg.ingest.working_groups import parse_working_group
from plankg.ontology.gazetteer import gazetteer
from plankg.ontology.names import is_agency_like, is_collective

UNKNOWN_JURISDICTION = "未知辖区"
_WS = re.compile(r"\s+")


def extract_plan(
    path: str | Path,
    *,
    jurisdiction: str | None = None,
    title: str | None = None,
    source_url: str | None = None,
    directory: AgencyDirectory | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Plan:
    """Extract one plan file. CLI options beat a sidecar file, which beats detection.

    Anything wrong with the file is a `PlanReadError` (`PlanTooLarge` over a limit)."""
    path = Path(path)
    doc = read_document(path, limits=limits)
    meta = read_sidecar(path)
    plan = extract_text(
        doc.text,
        doc.doc,
        sha256=doc.sha256,
        jurisdiction=jurisdiction or meta.get("jurisdiction"),
        title=title or meta.get("title") or doc.title,
        source_url=source_url or meta.get("url"),
        directory=directory,
    )
    limits.check(str(path), "the plan", "max_tasks", len(plan.tasks), "tasks")
    return plan


def extract_text(
    source: str,
    doc: str,
    *,
    sha256: str = "",
    jurisdiction: str | None = None,
    title: str | None = None,
    source_url: str | None = None,
    directory: AgencyDirectory | None = None,
) -> Plan:
    """Extract a plan from already-decoded text (`doc` names it in provenance)."""
    clauses.forget_clauses()
    norm = normalize(source)
    view = norm.folded
    warnings: list[Warning_] = []

    found_title = title or _as_written(norm, detect_title(view.split("\n")), view)
    if not found_title:
        warnings.append(Warning_(doc, "no-title", "no plan title found; using the file name"))
        found_title = Path(doc).stem
    finding = (
        jurisdiction_given(jurisdiction)
        if jurisdiction
        else jurisdiction_detected(view, norm, found_title, source_url)
    )
    place, code, path = finding
    if place is None:
        warnings.append(
            Warning_(
                doc,
                "no-jurisdiction",
                f"jurisdiction not detected ({path}); agencies filed under "
                f"{UNKNOWN_JURISDICTION} (pass --jurisdiction or a .meta.toml sidecar)",
            )
        )
        place, path = UNKNOWN_JURISDICTION, []

    directory = directory or AgencyDirectory.load()
    ancestors = tuple(reversed(path[:-1])) if isinstance(path, list) and code is None else ()
    resolver = directory.resolver(place, ancestors=ancestors)
    plan = Plan(
        doc=doc,
        title=found_title,
        jurisdiction=place,
        source_text=source,
        sha256=sha256,
        sections=_sections(norm),
        warnings=warnings,
        division_code=code,
        jurisdiction_path=path if isinstance(path, list) else [],
        source_url=source_url,
    )
    year = deadlines.plan_year(found_title + "\n" + view[:2000])
    for block in segment.segment(view):
        _add_block(plan, block, norm, resolver, year)
    if not plan.tasks:
        plan.warnings.append(
            Warning_(doc, "no-tasks", "no responsibility clauses found: the plan has no tasks")
        )
    return plan


def jurisdiction_given(name: str) -> tuple[str, str | None, list[str]]:
    """A jurisdiction the user named: the gazetteer's entry when there is one, else the name
    under the divisions written before it (`湖南省益阳市大通湖区`)."""
    found = jurisdiction.given(name)
    gaz = gazetteer()
    if found.division is None:
        return found.name, None, [*(d.name for d in found.parents), found.name]
    return (
        gaz.display_name(found.division),
        found.division.code,
        [d.name for d in gaz.path(found.division)],
    )


def jurisdiction_detected(
    view: str, norm: NormalizedText, title: str, url: str | None
) -> tuple[str | None, str | None, list[str] | str]:
    found = jurisdiction.detect(view, title, url)
    if found.division is None:
        reason = found.evidence
        if found.candidates:
            reason += ": " + "、".join(found.candidates)
        return None, None, reason
    gaz = gazetteer()
    return (
        gaz.display_name(found.division),
        found.division.code,
        [d.name for d in gaz.path(found.division)],
    )


def _as_written(norm: NormalizedText, folded_line: str, view: str) -> str:
    """The line of the original text at the place `folded_line` has in the folded view."""
    if not folded_line:
        return ""
    at = view.find(folded_line)
    return norm.text[at : at + len(folded_line)] if at >= 0 else folded_line


def _sections(norm: NormalizedText) -> list[Section]:
    sections = []
    pos = 0
    for line, written in zip(norm.folded.split("\n"), norm.text.split("\n"), strict=True):
        heading = parse_heading(line)
        if heading is not None:
            span = norm.source_span(pos, pos + len(line))
            sections.append(
                Section(
                    _WS.sub("", written[: len(heading.heading)]) or heading.heading,
                    _LEVEL[heading.style],
                    span,
                )
            )
        pos += len(line) + 1
    return sections


_LEVEL = {
    "chapter": 0,
    "part": 1,
    "cn": 1,
    "paren_cn": 2,
    "arabic": 3,
    "paren_arabic": 4,
    "circled": 5,
}


def _add_block(
    plan: Plan,
    block: segment.Block,
    norm: NormalizedText,
    resolver: AgencyResolver,
    year: int | None,
) -> None:
    text = norm.folded[block.start : block.end]
    where = "/".join(block.section) or "(top)"
    if block.kind == "task":
        task = _task(plan, block, norm, resolver, year)
        if task is not None:
            plan.tasks.append(task)
    elif block.kind == "unparsed":
        start = block.clause_start if block.clause_start is not None else block.start
        end = block.clause_end if block.clause_end is not None else block.end
        clause = norm.text[start:end]
        plan.warnings.append(
            Warning_(
                plan.doc,
                "unparsed-clause",
                f"{block.problem}: {clause[:80]!r} in section {where}",
                norm.source_span(start, end),
            )
        )
    elif block.kind == "unreadable":
        plan.warnings.append(
            Warning_(
                plan.doc,
                "unreadable-clause",
                f"bracketed assignment not read ({block.problem}): "
                f"{norm.text[block.start : block.end][:80]!r} in section {where}",
                norm.source_span(block.start, block.end),
            )
        )
    elif block.kind == "truncated":
        plan.warnings.append(
            Warning_(
                plan.doc,
                "truncated",
                f"the text ends inside an item, before any assignment: "
                f"{norm.text[block.start : block.end][:40]!r} in section {where}",
                norm.source_span(block.start, block.end),
            )
        )
    elif block.kind == "working_group":
        group = parse_working_group(
            text,
            resolver,
            plan.doc,
            lambda s, e: norm.source_span(block.start + s, block.start + e),
        )
        if group is not None:
            plan.working_groups.append(group)
    elif block.kind == "goal":
        found = indicators.extract_indicators(norm.text[block.start : block.end])
        for ind in found:
            ind.span = _shift(norm, block.start, ind.span)
        if found:
            text = norm.text[block.start : block.end]
            span = norm.source_span(block.start, block.end)
            plan.goals.append(Goal(plan.doc, block.section, found, text, span))
    elif block.kind == "orphan" and (
        block.problem == "item" or indicators.extract_indicators(text)
    ):
        plan.warnings.append(
            Warning_(
                plan.doc,
                "no-assignment",
                f"an item with no responsibility assignment, not in a goals section: "
                f"{norm.text[block.start : block.end][:40]!r} in section {where}",
                norm.source_span(block.start, block.end),
            )
        )


def _task(
    plan: Plan,
    block: segment.Block,
    norm: NormalizedText,
    resolver: AgencyResolver,
    year: int | None,
) -> Task | None:
    assert block.parse is not None
    body = block.body or [(block.start, block.body_end or block.clause_start or block.end)]
    where = "/".join(block.section) or "(top)"

    def mentions(raws) -> list[AgencyMention]:
        out = []
        for raw in raws:
            start, end = block.mention_offset + raw.start, block.mention_offset + raw.end
            written = _WS.sub("", norm.text[start:end]) or raw.text
            if not (is_agency_like(written) or is_collective(written)):
                plan.warnings.append(
                    Warning_(
                        plan.doc,
                        "not-an-agency",
                        f"{written[:30]!r} is named as responsible but does not read as an "
                        f"agency; left out (section {where})",
                        norm.source_span(start, end),
                    )
                )
                continue
            out.append(
                AgencyMention(written, resolver.resolve(written), norm.source_span(start, end))
            )
        return out

    lead, assist = mentions(block.parse.lead), mentions(block.parse.assist)
    if not lead:
        plan.warnings.append(
            Warning_(
                plan.doc,
                "unparsed-clause",
                f"no agency left to lead the task in section {where}",
                norm.source_span(block.start, block.end),
            )
        )
        return None
    text = (
        "\n".join(norm.text[s:e] for s, e in body)
        if block.body
        else norm.text[block.start : block.end]
    )
    clause_start = block.clause_start if block.clause_start is not None else block.start
    clause_end = block.clause_end if block.clause_end is not None else block.end
    task = Task(
        doc=plan.doc,
        section=block.section,
        title=_written_title(norm, block),
        text=text,
        span=norm.source_span(block.start, block.end),
        lead=lead,
        assist=assist,
        clause=norm.text[clause_start:clause_end] if block.inherited is None else block.inherited,
        clause_span=norm.source_span(clause_start, clause_end),
        ordinal=len(plan.tasks) + 1,
    )
    task.deadline = _deadline(block, body, norm, year)
    for start, end in body:
        written = norm.text[start:end]  # the extractors fold for matching, cut the original
        for ind in indicators.extract_indicators(written):
            ind.span = _shift(norm, start, ind.span)
            task.indicators.append(ind)
        task.projects += [p for p in entities.extract_projects(written) if p not in task.projects]
        task.parks += [p for p in entities.extract_parks(written) if p not in task.parks]
        for loc in entities.locate_projects(written):
            loc.span = _shift(norm, start, loc.span)
            plan.project_locations.append(loc)
    return task


def _written_title(norm: NormalizedText, block: segment.Block) -> str:
    """The task's title in the plan's own script (segmentation reads the fold)."""
    if not block.title:
        return ""
    at = norm.folded.find(block.title, block.start, block.end)
    return norm.text[at : at + len(block.title)] if at >= 0 else block.title


def _deadline(block, body, norm: NormalizedText, year: int | None):
    """The stated time limit: a deadline column or label, a limit inside the clause, else a
    deadline phrase in the task's own text (`12月底前`)."""
    if block.deadline is not None:
        start, end = block.deadline
        return deadlines.parse(
            norm.text[start:end], norm.folded[start:end], year, norm.source_span(start, end)
        )
    for start, end in body:
        found = deadlines.find(norm.folded[start:end])
        if found is not None:
            s, e = found
            return deadlines.parse(
                norm.text[start + s : start + e],
                norm.folded[start + s : start + e],
                year,
                norm.source_span(start + s, start + e),
            )
    return None


def _shift(norm: NormalizedText, base: int, span: Span | None) -> Span | None:
    """A span relative to a block → a span in the original source text."""
    if span is None:
        return None
    return norm.source_span(base + span.start, base + span.end)


__all__ = ["UNKNOWN_JURISDICTION", "extract_plan", "extract_text"]
