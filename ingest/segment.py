"""Cut a normalised plan into blocks: tasks (text + responsibility clause), goal text,
working-group text and orphan text, each with its heading path.

A task is the run of paragraphs since the last heading or the last task that ends in a
responsibility clause — a trailing `（A牵头，B负责）`, a labelled `牵头单位：…` line or a row of a
task table. Everything else is kept as a block too, so nothing is silently dropped: orphan
text feeds plan goals and clause-like text that did not parse becomes a warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from plankg.ingest import clauses
from plankg.ingest.headings import OutlineStack, parse_heading, run_in_title

GOAL_SECTION = re.compile(
    r"(工作目标|主要指标|主要目标|发展目标|总体目标|预期目标|目标任务$|^目标$)"
)
WORKING_GROUP_SECTION = re.compile(
    r"(推进机制|保障措施|组织保障|组织领导|工作机制|保障机制|组织实施)"
)
_LABEL_LINE = re.compile(
    r"^[（(]?(牵头单位|牵头部门|责任单位|责任部门|配合单位|配合部门|主责单位)[：:]"
)
_TABLE_SPLIT = re.compile(r"\t|\s*\|\s*")
_TABLE_RULE = re.compile(r"^[\s|:\-]+$")


@dataclass
class Block:
    """A run of normalised text [start, end) with its heading path."""

    kind: str  # "task" | "goal" | "orphan" | "working_group" | "unparsed"
    start: int
    end: int
    section: list[str]
    title: str = ""
    clause_start: int | None = None  # absolute offsets of the clause (brackets included)
    clause_end: int | None = None
    parse: clauses.ClauseParse | None = None
    mention_offset: int = 0  # add to the parse's mention offsets to get absolute offsets
    problem: str = ""
    body_end: int | None = None  # where the task's own text ends (default: at the clause)


@dataclass
class _Pending:
    start: int | None = None
    end: int = 0
    title: str = ""
    own_heading: bool = False  # the run began with a numbered heading that carries a body

    def add(self, start: int, end: int, title: str = "") -> None:
        if self.start is None:
            self.start, self.title = start, title
        self.end = end


@dataclass
class _Table:
    header: list[str] = field(default_factory=list)


def _lines(text: str) -> Iterator[tuple[int, str]]:
    pos = 0
    for line in text.split("\n"):
        yield pos, line
        pos += len(line) + 1


def _section_mode(path: list[str]) -> str:
    for heading in reversed(path):
        if WORKING_GROUP_SECTION.search(heading):
            return "working_group"
        if GOAL_SECTION.search(heading):
            return "goal"
    return "task"


def segment(text: str) -> list[Block]:
    """Split normalised text (one paragraph per line) into blocks."""
    first_is_lead = clauses.detect_first_is_lead_convention(text)
    outline = OutlineStack()
    blocks: list[Block] = []
    pending = _Pending()
    table = _Table()

    def section_for(p: _Pending) -> list[str]:
        path = outline.path()
        return path[:-1] if p.own_heading and path else path

    def flush(kind_if_text: str | None = None) -> None:
        nonlocal pending
        if pending.start is not None:
            mode = _section_mode(outline.path())
            kind = kind_if_text or ("orphan" if mode == "task" else mode)
            blocks.append(
                Block(kind, pending.start, pending.end, section_for(pending), pending.title)
            )
        pending = _Pending()

    def emit_task(
        clause_start: int, clause_end: int, parse: clauses.ClauseParse, mention_offset: int
    ) -> None:
        nonlocal pending
        kind = "task" if parse.ok and parse.lead else "unparsed"
        blocks.append(
            Block(
                kind,
                pending.start if pending.start is not None else clause_start,
                pending.end,
                section_for(pending),
                pending.title,
                clause_start,
                clause_end,
                parse,
                mention_offset,
                parse.problem or ("" if parse.lead else "no leading agency found"),
            )
        )
        pending = _Pending()

    last_heading: tuple[int, int, str] | None = None
    for pos, line in _lines(text):
        if not line:
            continue
        end = pos + len(line)
        if parse_heading(line) is None and not _LABEL_LINE.match(line):
            last_heading = None

        # task tables flattened to rows of cells
        cells = [c.strip() for c in _TABLE_SPLIT.split(line.strip().strip("|"))]
        if len(cells) >= 3:
            if _TABLE_RULE.match(line):
                continue
            if any(re.search(r"牵头|责任|配合|主责", c) for c in cells) and not any(
                len(c) > 30 for c in cells
            ):
                flush()
                table.header = cells
                continue
            if table.header:
                flush()
                parse = clauses.parse_table_row(
                    cells, table.header, line=line, first_is_lead=first_is_lead
                )
                if parse is not None:
                    pending.add(pos, end, _table_title(cells, table.header))
                    emit_task(pos, end, parse, pos)
                    blocks[-1].body_end = end  # the whole row describes the task
                    continue
        else:
            table.header = []

        heading = parse_heading(line)
        if heading is not None:
            flush()
            outline.push(heading.style, heading.heading)
            last_heading = (pos, end, heading.title)
            if heading.body_start >= len(line):
                continue
            pending.add(pos, end, heading.title)
            pending.own_heading = True
        elif _LABEL_LINE.match(line) and pending.start is None and last_heading is not None:
            # `1.推进园区标准化建设。` then `牵头单位：…`: the numbered item is the task
            labelled = clauses.parse_labelled(line, first_is_lead=first_is_lead)
            if labelled:
                pending.add(last_heading[0], end, last_heading[2])
                pending.own_heading = True
                emit_task(pos, end, clauses.merge_labelled(labelled), pos)
                last_heading = None
                continue
            pending.add(pos, end)
        elif _LABEL_LINE.match(line) and pending.start is not None:
            labelled = clauses.parse_labelled(line, first_is_lead=first_is_lead)
            if labelled:
                pending.end = end
                emit_task(pos, end, clauses.merge_labelled(labelled), pos)
                continue
            pending.add(pos, end)
        else:
            pending.add(pos, end, run_in_title(line))

        _close_on_clause(line, pos, end, pending, emit_task, blocks, outline, first_is_lead)
    flush()
    return blocks


def _close_on_clause(line, pos, end, pending, emit_task, blocks, outline, first_is_lead) -> None:
    """If `line` ends with a responsibility clause, the pending run becomes a task."""
    found = clauses.find_responsibility_clause(line)
    if found is not None:
        c_start, c_end = found
        inner_start, inner_end = c_start + 1, c_end - 1
        inner = line[inner_start:inner_end]
        parse = clauses.parse_clause(inner, first_is_lead=first_is_lead)
        emit_task(pos + c_start, pos + c_end, parse, pos + inner_start)
        return
    labelled_at = _LABEL_INLINE.search(line)
    if labelled_at:
        labelled = clauses.parse_labelled(line[labelled_at.start() :], first_is_lead=first_is_lead)
        if labelled:
            offset = pos + labelled_at.start()
            emit_task(offset, end, clauses.merge_labelled(labelled), offset)
            return
    tail = _TAIL_BRACKET.search(line)
    if tail and clauses.looks_like_assignment(tail.group(0)):
        blocks.append(
            Block(
                "unparsed",
                pos + tail.start(),
                end,
                outline.path(),
                problem="bracketed text looks like a responsibility clause but was not parsed",
            )
        )


_LABEL_INLINE = re.compile(r"[。；;]\s*(牵头单位|牵头部门|责任单位|责任部门)[：:]")
_TAIL_BRACKET = re.compile(r"[（(][^（()）]*$|[（(][^（()）]*[）)][。；;]?$")


def _table_title(cells: list[str], header: list[str]) -> str:
    for name, cell in zip(header, cells, strict=False):
        if re.search(r"任务|内容|事项|措施", name):
            return run_in_title(cell) or cell[:20]
    return ""
