"""From a plan file to a `Plan`: read, normalise, segment, then resolve and enrich each block."""

from __future__ import annotations

from pathlib import Path

from plankg.ingest import clauses, entities, indicators, segment
from plankg.ingest.agencies import AgencyDirectory, AgencyResolver
from plankg.ingest.headings import parse_heading
from plankg.ingest.metadata import detect_jurisdiction, detect_title, read_sidecar
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

UNKNOWN_JURISDICTION = "未知辖区"


def extract_plan(
    path: str | Path,
    *,
    jurisdiction: str | None = None,
    title: str | None = None,
    directory: AgencyDirectory | None = None,
) -> Plan:
    """Extract one plan file. CLI options beat a sidecar file, which beats detection."""
    path = Path(path)
    doc = read_document(path)
    meta = read_sidecar(path)
    return extract_text(
        doc.text,
        doc.doc,
        sha256=doc.sha256,
        jurisdiction=jurisdiction or meta.get("jurisdiction"),
        title=title or meta.get("title"),
        directory=directory,
    )


def extract_text(
    source: str,
    doc: str,
    *,
    sha256: str = "",
    jurisdiction: str | None = None,
    title: str | None = None,
    directory: AgencyDirectory | None = None,
) -> Plan:
    """Extract a plan from already-decoded text (`doc` names it in provenance)."""
    clauses.forget_clauses()
    norm = normalize(source)
    text = norm.text
    warnings: list[Warning_] = []
    lines = text.split("\n")

    found_title = title or detect_title(lines)
    if not found_title:
        warnings.append(Warning_(doc, "no-title", "no plan title found; using the file name"))
        found_title = Path(doc).stem
    found_jurisdiction = jurisdiction or detect_jurisdiction(text, found_title)
    if not found_jurisdiction:
        warnings.append(
            Warning_(
                doc,
                "no-jurisdiction",
                f"jurisdiction not detected; agencies filed under {UNKNOWN_JURISDICTION} "
                "(pass --jurisdiction or a .meta.toml sidecar)",
            )
        )
        found_jurisdiction = UNKNOWN_JURISDICTION

    directory = directory or AgencyDirectory.load()
    resolver = directory.resolver(found_jurisdiction)
    plan = Plan(
        doc=doc,
        title=found_title,
        jurisdiction=found_jurisdiction,
        source_text=source,
        sha256=sha256,
        sections=_sections(norm),
        warnings=warnings,
    )
    for block in segment.segment(text):
        _add_block(plan, block, norm, resolver)
    if not plan.tasks:
        plan.warnings.append(
            Warning_(doc, "no-tasks", "no responsibility clauses found: the plan has no tasks")
        )
    return plan


def _sections(norm: NormalizedText) -> list[Section]:
    sections = []
    pos = 0
    for line in norm.text.split("\n"):
        heading = parse_heading(line)
        if heading is not None:
            span = norm.source_span(pos, pos + len(line))
            sections.append(Section(heading.heading, _LEVEL[heading.style], span))
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
    plan: Plan, block: segment.Block, norm: NormalizedText, resolver: AgencyResolver
) -> None:
    text = norm.text[block.start : block.end]
    if block.kind == "task":
        plan.tasks.append(_task(plan, block, norm, resolver))
    elif block.kind == "unparsed":
        clause = norm.text[block.clause_start or block.start : block.clause_end or block.end]
        where = "/".join(block.section) or "(top)"
        plan.warnings.append(
            Warning_(
                plan.doc,
                "unparsed-clause",
                f"{block.problem}: {clause[:80]!r} in section {where}",
                norm.source_span(block.clause_start or block.start, block.clause_end or block.end),
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
    elif block.kind in ("goal", "orphan"):
        for ind in indicators.extract_indicators(text):
            ind.span = _shift(norm, block.start, ind.span)
            plan.goals.append(Goal(plan.doc, block.section, ind, text))


def _task(plan: Plan, block: segment.Block, norm: NormalizedText, resolver: AgencyResolver) -> Task:
    text = norm.text[block.start : block.end]
    assert block.parse is not None and block.clause_start is not None
    body = norm.text[block.start : block.body_end or block.clause_start]

    def mention(raw) -> AgencyMention:
        start = block.mention_offset + raw.start
        return AgencyMention(
            raw.text,
            resolver.resolve(raw.text),
            norm.source_span(start, block.mention_offset + raw.end),
        )

    task = Task(
        doc=plan.doc,
        section=block.section,
        title=block.title,
        text=text,
        span=norm.source_span(block.start, block.end),
        lead=[mention(m) for m in block.parse.lead],
        assist=[mention(m) for m in block.parse.assist],
        clause=norm.text[block.clause_start : block.clause_end],
        clause_span=norm.source_span(block.clause_start, block.clause_end or block.end),
        ordinal=len(plan.tasks) + 1,
    )
    for ind in indicators.extract_indicators(body):
        ind.span = _shift(norm, block.start, ind.span)
        task.indicators.append(ind)
    task.projects = entities.extract_projects(body)
    task.parks = entities.extract_parks(body)
    for loc in entities.locate_projects(body):
        loc.span = _shift(norm, block.start, loc.span)
        plan.project_locations.append(loc)
    return task


def _shift(norm: NormalizedText, base: int, span: Span | None) -> Span | None:
    """A span relative to a block → a span in the original source text."""
    if span is None:
        return None
    return norm.source_span(base + span.start, base + span.end)


__all__ = ["UNKNOWN_JURISDICTION", "extract_plan", "extract_text"]
