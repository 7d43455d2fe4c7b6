"""Cut a normalised plan into blocks: tasks (text + responsibility assignment), goal text,
working-group text and orphan text, each with its heading path.

A task is an item of the plan that carries its own assignment, in any of the shapes plans
use: a closing clause `（A牵头，B负责）` or `[牵头单位：A；责任单位：B]`, labelled lines under the
item (`牵头责任单位：…` / `主要协作单位：…` / `时限要求：…`), a run-in label (`…。责任单位：…`), a
row of a task table (read by column: see `tables.py`), or, for the items of a section
without one, the assignment the section heading states (`一、…政策（由县发改局牵头实施）`).
`列第一位者为牵头单位` conventions hold where they are written, and from there on when they
say `下同` or stand outside any assignment.

Everything else is kept as a block too, so nothing is silently dropped: orphan text feeds the
warnings (an item with targets but no assignment), goal sections give plan goals, and an item
cut off at the end of the text is reported as truncated.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from plankg.ingest import clauses
from plankg.ingest.headings import OutlineStack, parse_heading, run_in_title
from plankg.ingest.tables import TEXT_KINDS, header_kinds

GOAL_SECTION = re.compile(
    r"(工作目标|主要指标|主要目标|发展目标|总体目标|预期目标|目标任务$|^目标$)"
)
WORKING_GROUP_SECTION = re.compile(
    r"(推进机制|保障措施|组织保障|组织领导|工作机制|保障机制|组织实施)"
)
_SENTENCE_END = re.compile(r"[。！？；;…）)\]】”]$")
_HEADING_ASSIGNMENT = re.compile(
    r"^(?:由)?(?P<who>.+?)(?:牵头|负责)(?:实施|推进|落实|负责)?(?:的)?(?:工作|事项|任务)?"
    r"(?:[（(]\d+项[)）])?$"
)


@dataclass
class Block:
    """A run of normalised text [start, end) with its heading path."""

    kind: str  # task | goal | orphan | working_group | unparsed | truncated | unreadable
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
    body: list[tuple[int, int]] = field(default_factory=list)  # table rows: the text cells
    deadline: tuple[int, int] | None = None  # absolute span of the stated time limit
    inherited: str | None = None  # the heading whose assignment the task takes


@dataclass
class _Pending:
    start: int | None = None
    end: int = 0
    title: str = ""
    own_heading: bool = False  # the run began with a numbered heading that carries a body
    labels_start: int | None = None  # labelled lines under the item
    labels_end: int = 0

    def add(self, start: int, end: int, title: str = "") -> None:
        if self.start is None:
            self.start, self.title = start, title
        self.end = end


@dataclass
class _Table:
    kinds: list[str | None] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    units: tuple[clauses.ClauseParse, int] | None = None  # the last row's own units
    waiting: list[Block] = field(default_factory=list)  # rows under a merged unit cell


@dataclass
class _Heading:
    style: str
    heading: str
    parse: clauses.ClauseParse | None  # an assignment stated in the heading
    offset: int
    line: tuple[int, int] = (0, 0)  # the heading's line
    path: list[str] = field(default_factory=list)  # the sections it is in


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


_LABEL_LINE: re.Pattern[str] | None = None


def _label_line() -> re.Pattern[str]:
    """A line that opens with a label of the vocabulary: `牵头单位：`, `（责任单位：`…"""
    global _LABEL_LINE
    if _LABEL_LINE is None:
        terms = sorted(clauses._vocab().label_role, key=len, reverse=True)
        alternation = "|".join(re.escape(t) for t in terms)
        _LABEL_LINE = re.compile(rf"^[（(\[［【〔]?\s*(?:{alternation})\s*[：:]")
    return _LABEL_LINE


_LABEL_INLINE: re.Pattern[str] | None = None


def _label_inline() -> re.Pattern[str]:
    """A label that starts after a sentence: `…完成扩区。牵头单位：…`, `…；协办单位：…`."""
    global _LABEL_INLINE
    if _LABEL_INLINE is None:
        vocab = clauses._vocab()
        terms = sorted(
            (t for t, r in vocab.label_role.items() if r in ("lead", "assist", "joint", "clause")),
            key=len,
            reverse=True,
        )
        _LABEL_INLINE = re.compile(
            r"[。；;]\s*(?:" + "|".join(re.escape(t) for t in terms) + r")\s*[：:]"
        )
    return _LABEL_INLINE


_TAIL_BRACKET = re.compile(r"[（(][^（()）]*$|[（(][^（()）]*[）)][。；;]?$")


class _Segmenter:
    def __init__(self, text: str) -> None:
        self.text = text
        self.outline = OutlineStack()
        self.headings: list[_Heading] = []
        self.blocks: list[Block] = []
        self.pending = _Pending()
        self.table = _Table()
        self.first_is_lead = False  # a convention that holds from here on
        self.last_heading: tuple[int, int, str] | None = None
        self.heading_item: tuple[int, int, str, bool] | None = None  # a title-only heading

    # -- conventions

    def note_conventions(self, line: str, assignment: bool) -> None:
        """A convention outside any assignment, or one that says 下同, holds from here on."""
        for c in clauses.find_conventions(line):
            if c.carries or not assignment:
                self.first_is_lead = True

    def took(self, parse: clauses.ClauseParse) -> clauses.ClauseParse:
        if parse.convention == "carry":
            self.first_is_lead = True
        return parse

    # -- paths

    def section_for(self, p: _Pending) -> list[str]:
        path = self.outline.path()
        return path[:-1] if p.own_heading and path else path

    def heading_assignment(self) -> _Heading | None:
        path = self.outline.path()
        for h in reversed(self.headings):
            if h.heading in path and h.parse is not None:
                return h
        return None

    # -- emitting

    def flush(self, *, at_end: bool = False, next_style: str | None = None) -> None:
        """Close the pending run. With no assignment of its own or from its heading, text
        that opens a section (a deeper heading follows) states the section's goals; a leaf
        item is reported as a task without an assignment."""
        p = self.pending
        if p.start is None:
            self.pending = _Pending()
            return
        if p.labels_start is not None:
            self.emit_labelled()
            return
        section = self.section_for(p)
        mode = _section_mode(self.outline.path())
        owner = self.heading_assignment() if mode == "task" else None
        body = self.text[p.start : p.end]
        if at_end and not _SENTENCE_END.search(body.rstrip()):
            self.blocks.append(
                Block("truncated", p.start, p.end, section, p.title, problem="text cut off")
            )
        elif owner is not None and owner.parse is not None:
            self.blocks.append(
                Block(
                    "task",
                    p.start,
                    p.end,
                    section,
                    p.title,
                    None,
                    None,
                    owner.parse,
                    owner.offset,
                    body_end=p.end,
                    inherited=owner.heading,
                )
            )
        else:
            kind = "orphan" if mode == "task" else mode
            opens_section = (
                next_style is not None
                and self.outline.depth() > 0
                and next_style not in self.outline.styles()
            )
            if kind == "orphan" and opens_section:
                kind = "goal"
            block = Block(
                kind, p.start, p.end, section if kind != "goal" else self.outline.path(), p.title
            )
            block.problem = "item" if p.own_heading else ""
            self.blocks.append(block)
        self.pending = _Pending()

    def emit(
        self,
        clause_start: int,
        clause_end: int,
        parse: clauses.ClauseParse,
        mention_offset: int,
        body_end: int | None = None,
    ) -> None:
        p = self.pending
        kind = "task" if parse.ok and parse.lead else "unparsed"
        deadline = None
        if parse.deadline is not None:
            deadline = (mention_offset + parse.deadline[0], mention_offset + parse.deadline[1])
        self.blocks.append(
            Block(
                kind,
                p.start if p.start is not None else clause_start,
                max(p.end, clause_end),
                self.section_for(p),
                p.title,
                clause_start,
                clause_end,
                parse,
                mention_offset,
                parse.problem or ("" if parse.lead else "no leading agency found"),
                body_end=body_end,
                deadline=deadline,
            )
        )
        self.pending = _Pending()

    def emit_labelled(self) -> None:
        p = self.pending
        assert p.labels_start is not None
        start, end = p.labels_start, p.labels_end
        view = self.text[start:end]
        labelled = clauses.parse_labelled(view, first_is_lead=self.first_is_lead)
        parse = self.took(clauses.merge_labelled(labelled))
        body_end = p.labels_start - 1 if p.start is not None and p.start < start else None
        self.emit(start, end, parse, start, body_end=body_end)

    # -- lines

    def run(self) -> list[Block]:
        for pos, line in _lines(self.text):
            if line:
                self.line(pos, line)
        self.close_heading_item(None)
        self.flush(at_end=True)
        self.end_table()
        self.blocks += self.unread_groups() + self.unused_headings()
        return self.blocks

    def unused_headings(self) -> list[Block]:
        """A heading that states an assignment no task took (`1.扩大储备（A牵头）` read as a
        section whose items all have their own, or none): reported, not dropped."""
        used = {id(b.parse) for b in self.blocks if b.parse is not None}
        return [
            Block(
                "unreadable",
                *h.line,
                h.path,
                problem="a heading's assignment that no task takes",
            )
            for h in self.headings
            if h.parse is not None and id(h.parse) not in used
        ]

    # -- nothing dropped silently

    def unread_groups(self) -> list[Block]:
        """Bracketed assignments in item text that no task took as its clause — doubly
        nested, unbalanced, mid-sentence or a second clause in one item — as `unreadable`
        blocks, one per group (groups already reported as unparsed are not repeated)."""
        taken = [
            (b.clause_start, b.clause_end)
            for b in self.blocks
            if b.clause_start is not None and b.clause_end is not None
        ]
        taken += [(b.start, b.end) for b in self.blocks if b.kind == "unparsed"]
        out: list[Block] = []
        seen: set[tuple[int, int]] = set()
        for block in self.blocks:
            if block.kind not in ("task", "orphan", "truncated") or block.body:
                continue
            for line_at, line in _lines(self.text[block.start : block.end]):
                if "\t" in line:
                    continue  # a table row: its cells are read by column
                base = block.start + line_at
                for g in clauses.assignment_groups(line):
                    span = (base + g.start, base + g.end)
                    if span in seen or any(s < span[1] and span[0] < e for s, e in taken):
                        continue
                    seen.add(span)
                    out.append(Block("unreadable", *span, block.section, problem=g.problem))
        return out

    def line(self, pos: int, line: str) -> None:
        end = pos + len(line)
        if "\t" in line:
            self.table_line(pos, line)
            return
        heading = parse_heading(line)
        label = _label_line().match(line)
        if heading is None and label is None:
            self.last_heading = None
        if label is None and self.pending.labels_start is not None:
            self.flush()  # the labelled lines of the item are over
        if heading is not None:
            self.heading(pos, line, heading)
            return
        self.heading_item = None  # text under it: the heading was a section
        if self.table.kinds and not self.pending.start:
            self.end_table()  # prose after a table ends it
        if label is not None:
            self.labelled_line(pos, end, line)
            return
        self.note_conventions(line, assignment=False)
        self.pending.add(pos, end, run_in_title(line))
        self.close_on_clause(pos, end, line)

    def heading(self, pos: int, line: str, heading) -> None:
        self.close_heading_item(heading.style)
        self.flush(next_style=heading.style)
        parse = _heading_assignment(heading.title)
        if parse is not None:
            parse = self.took(parse)
        self.outline.push(heading.style, heading.heading)
        at, span, path = pos + _title_at(line), (pos, pos + len(line)), self.outline.path()[:-1]
        self.headings.append(_Heading(heading.style, heading.heading, parse, at, span, path))
        self.last_heading = (pos, pos + len(line), heading.title)
        if heading.body_start >= len(line):
            # `2.加快项目建设〔牵头单位：…〕`, `1.完成园区道路建设。` under an assigned section:
            # an item, unless what follows shows it is a section heading
            own = parse is not None and clauses.find_responsibility_clause(heading.title)
            self.heading_item = (pos, pos + len(line), heading.style, bool(own))
            return
        self.pending.add(pos, pos + len(line), heading.title)
        self.pending.own_heading = True
        self.close_on_clause(pos, pos + len(line), line)

    def close_heading_item(self, next_style: str | None) -> None:
        """A heading that carries its own clause and is followed by a sibling or a higher
        heading (or the end) is an item: a task of its own. Followed by text or deeper
        headings it is a section, and its clause assigns the section's items instead."""
        item, self.heading_item = self.heading_item, None
        if item is None:
            return
        start, end, style, own = item
        styles = self.outline.styles()
        if next_style is not None and (next_style not in styles or style not in styles):
            return
        if next_style is not None and styles.index(next_style) > styles.index(style):
            return
        owner = self.headings[-1] if own else self.heading_assignment()
        if _section_mode(self.outline.path()) != "task":
            return
        path = self.outline.path()
        if owner is None or owner.parse is None:
            text = self.text[start:end]
            kind = (
                "truncated" if next_style is None and not _SENTENCE_END.search(text) else "orphan"
            )
            self.blocks.append(
                Block(kind, start, end, path[:-1], _title_text(text), problem="item")
            )
            return
        self.blocks.append(
            Block(
                "task",
                start,
                end,
                path[:-1],
                _title_text(self.text[start:end]),
                start,
                end,
                owner.parse,
                owner.offset,
                body_end=end,
            )
        )

    def labelled_line(self, pos: int, end: int, line: str) -> None:
        p = self.pending
        if p.start is None and self.last_heading is not None:
            # `1.推进园区标准化建设。` then `牵头单位：…`: the numbered item is the task
            p.add(self.last_heading[0], self.last_heading[1], self.last_heading[2])
            p.own_heading = True
        if p.labels_start is None:
            p.labels_start = pos
        p.labels_end = end
        p.end = end
        if p.start is None:
            p.start = pos

    def close_on_clause(self, pos: int, end: int, line: str) -> None:
        """If `line` ends with a responsibility clause, the pending run becomes a task."""
        found = clauses.find_responsibility_clause(line)
        if found is not None:
            c_start, c_end = found
            inner = line[c_start + 1 : c_end - 1]
            parse = self.took(clauses.parse_clause(inner, first_is_lead=self.first_is_lead))
            self.emit(pos + c_start, pos + c_end, parse, pos + c_start + 1)
            return
        labelled_at = _label_inline().search(line)
        if labelled_at:
            offset = pos + labelled_at.start()
            labelled = clauses.parse_labelled(
                line[labelled_at.start() :], first_is_lead=self.first_is_lead
            )
            if labelled:
                self.emit(offset, end, self.took(clauses.merge_labelled(labelled)), offset)
                return
        tail = _TAIL_BRACKET.search(line)
        if tail and any(
            c.start <= 1 and c.end >= len(tail.group(0).rstrip("。；;")) - 1
            for c in clauses.find_conventions(tail.group(0))
        ):
            return  # `（排在第一位的为牵头单位）`: a convention, noted above, not an assignment
        if tail and clauses.looks_like_assignment(tail.group(0)):
            self.blocks.append(
                Block(
                    "unparsed",
                    pos + tail.start(),
                    end,
                    self.outline.path(),
                    problem="bracketed text looks like a responsibility clause but was not parsed",
                )
            )

    # -- tables

    def end_table(self) -> None:
        """Rows still waiting for a later row with units are cut off with the table: a
        merged cell cannot be told from a missing one there."""
        for block in self.table.waiting:
            block.kind, block.parse = "unparsed", None
            block.problem = "table row names no unit in its responsibility columns"
            self.blocks.append(block)
        self.table = _Table()

    def table_line(self, pos: int, line: str) -> None:
        cells = line.split("\t")
        kinds = header_kinds(cells)
        if kinds is not None and len(kinds) == len(cells):
            self.flush()
            self.end_table()
            self.table = _Table(kinds, cells)
            return
        if not self.table.kinds:
            self.pending.add(pos, pos + len(line), "")
            return
        self.flush()
        self.table_row(pos, line, cells)

    def table_row(self, pos: int, line: str, cells: list[str]) -> None:
        kinds = self.table.kinds
        starts, at = [], 0
        for cell in cells:
            starts.append(at)
            at += len(cell) + 1
        texts = [i for i, k in enumerate(kinds) if k in TEXT_KINDS and i < len(cells)]
        filled = [i for i in range(len(cells)) if cells[i].strip()]
        if not filled:
            return
        if len(filled) == 1 and parse_heading(cells[filled[0]].strip()) is not None:
            heading = parse_heading(cells[filled[0]].strip())
            assert heading is not None
            self.outline.push(heading.style, heading.heading)
            return
        for i in filled:  # a category cell that is a heading (四、教育文化) opens a section
            if kinds[i] == "category":
                heading = parse_heading(cells[i].strip())
                if heading is not None:
                    self.outline.push(heading.style, heading.heading)
        parse = clauses.parse_table_row(
            cells, self.table.header, line=line, first_is_lead=self.first_is_lead, kinds=kinds
        )
        body = [
            (pos + starts[i], pos + starts[i] + len(cells[i])) for i in texts if cells[i].strip()
        ]
        content = [i for i in texts if kinds[i] != "title" and cells[i].strip()]
        if content:  # the title cell is the task's title; its text is the content cells
            body = [(pos + starts[i], pos + starts[i] + len(cells[i])) for i in content]
        title = next(
            (cells[i].strip() for i in texts if kinds[i] == "title" and cells[i].strip()), ""
        )
        deadline = next(
            (
                (pos + starts[i], pos + starts[i] + len(cells[i]))
                for i, k in enumerate(kinds)
                if k == "deadline" and i < len(cells) and cells[i].strip()
            ),
            None,
        )
        if not body and parse is not None and (parse.lead or parse.assist):
            self.blocks.append(
                Block(
                    "unparsed",
                    pos,
                    pos + len(line),
                    self.outline.path(),
                    problem="table row names units but no task",
                )
            )
            return
        if (parse is None or (not parse.lead and not parse.assist)) and body and self.table.units:
            # a row without units of its own under a unit cell merged over several rows: it
            # shares the units above once a later row shows the table goes on
            units, offset = self.table.units
            self.table.waiting.append(
                Block(
                    "task",
                    pos,
                    pos + len(line),
                    self.outline.path(),
                    _clean_title(title),
                    pos,
                    pos + len(line),
                    units,
                    offset,
                    body_end=pos + len(line),
                    body=body,
                    deadline=deadline,
                    inherited="merged cell",
                )
            )
            return
        if parse is None or (not parse.lead and not parse.assist):
            if body:
                self.blocks.append(
                    Block(
                        "unparsed",
                        pos,
                        pos + len(line),
                        self.outline.path(),
                        _clean_title(title),
                        problem="table row names no unit in its responsibility columns",
                        body=body,
                    )
                )
            return
        kind = "task" if parse.ok and parse.lead else "unparsed"
        self.blocks.extend(self.table.waiting)
        self.table.waiting.clear()
        self.table.units = (parse, pos)
        self.blocks.append(
            Block(
                kind,
                pos,
                pos + len(line),
                self.outline.path(),
                _clean_title(title) or run_in_title(self.text[body[0][0] : body[0][1]])
                if body
                else _clean_title(title),
                pos,
                pos + len(line),
                parse,
                pos,
                parse.problem or "",
                body_end=pos + len(line),
                body=body,
                deadline=deadline,
            )
        )


def _clean_title(title: str) -> str:
    return re.sub(r"^\d{1,3}[.、．]\s*", "", title)


def _title_text(line: str) -> str:
    heading = parse_heading(line)
    title = heading.title if heading is not None else line
    found = clauses.find_responsibility_clause(title)
    return title[: found[0]] if found else title


def _title_at(line: str) -> int:
    heading = parse_heading(line)
    if heading is None or not heading.title:
        return 0
    return line.find(heading.title)


def _heading_assignment(title: str) -> clauses.ClauseParse | None:
    """`扩大有效投资政策（由县发改局牵头实施）`, `县示范区管委会牵头工作（8项）`: a heading that
    assigns its section. Offsets index into the title."""
    found = clauses.find_responsibility_clause(title)
    if found is not None:
        parse = clauses.parse_clause(title[found[0] + 1 : found[1] - 1])
        if parse.ok and parse.lead:
            return _shifted(parse, found[0] + 1)
    m = _HEADING_ASSIGNMENT.match(title)
    if m and clauses.is_agency_like(m.group("who")):
        parse = clauses.parse_clause(title[: m.end("who") + 2])
        if parse.ok and parse.lead:
            return parse
    return None


def _shifted(parse: clauses.ClauseParse, by: int) -> clauses.ClauseParse:
    move = lambda m: clauses.RawMention(m.text, m.start + by, m.end + by)  # noqa: E731
    return clauses.ClauseParse(
        [move(m) for m in parse.lead],
        [move(m) for m in parse.assist],
        parse.style,
        parse.ok,
        parse.problem,
        parse.convention,
        None,
    )


def segment(text: str) -> list[Block]:
    """Split normalised (folded) text, one paragraph or table row per line, into blocks."""
    return _Segmenter(text).run()
