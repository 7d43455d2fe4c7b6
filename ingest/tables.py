"""Task tables, however they reached plain text, back into rows of cells.

A task table (序号 / 工作任务 / 牵头单位 / 配合单位 / 完成时限) reaches plankg flattened in many
ways: a row per line with `|` or tab separators (`.docx`, `.html`, some web pages), one cell
per line with or without a trailing `|`, a row per line with cells separated by spaces, a
label/value record (`具体任务` / text / `责任单位` / units), or cells run together with no
separator at all (document-preview sites). Header cells may be broken over lines (`建设起` /
`止年限`) or spaced out (`分 管 县领导`), and merged cells leave rows short.

This module recognises the header from the column vocabulary (`ontology/table_columns.csv`),
then reads the rows by column: a row's cells are aligned to the columns by what they look like
(an index, a list of agencies, a person, a date, long text…), so a merged or split cell does
not shift the rest. The result is one layout for everything: rows of cells, which the
normaliser writes as tab-separated lines and the segmenter reads by column.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from plankg.ontology.names import (
    agency_strength,
    fold,
    has_agency_ending,
    is_collective,
    is_person,
    starts_with_verb,
)

ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology"
ROLE_KINDS = frozenset({"lead", "assist", "joint"})
TEXT_KINDS = frozenset({"title", "content", "target"})
_WS = re.compile(r"\s+")
_INDEX = re.compile(r"\d{1,3}")
_HEADING = re.compile(r"(?:[一二三四五六七八九十]+[、．.]|[（(][一二三四五六七八九十]+[）)])\S")
_NUMBERED = re.compile(r"\d{1,3}[.、．]\D")
_DATE = re.compile(
    r"\d{4}[.\-/年]\d{1,2}|\d{1,2}月|[底末]前|季度|上半年|下半年|年[底内]|长期|持续|全年|常态"
)
_NUMBER = re.compile(r"[\d.,，]+")
_PHONE = re.compile(r"\d{3,4}-\d{7,8}|\d{7,8}")
_SENTENCE = re.compile(r"[，,。；;：:]")
_BRACKETED = re.compile(r"[（(][^（()）]*[)）]")
_NAME_SEP = re.compile(r"[、，,；;/／\s]+")


@dataclass
class Line:
    """A piece of source text and, for each character, its index in the source."""

    text: str
    offsets: list[int]

    def __len__(self) -> int:
        return len(self.text)

    def slice(self, start: int, end: int) -> Line:
        return Line(self.text[start:end], self.offsets[start:end])

    def strip(self, chars: str | None = None) -> Line:
        lead = len(self.text) - len(self.text.lstrip(chars))
        trail = len(self.text.rstrip(chars))
        return self.slice(lead, max(lead, trail))


@dataclass
class Row:
    """A table row aligned to its header: one entry per column, each a list of cell pieces
    (a cell broken over lines, or a column holding several one-unit-per-line cells).
    `names_run_together` marks role cells whose names need splitting without separators."""

    cells: list[list[Line]]
    is_header: bool = False
    names_run_together: bool = False


Piece = Line | Row


# ---------------------------------------------------------------- the column vocabulary


@cache
def _columns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    with (ONTOLOGY / "table_columns.csv").open(encoding="utf-8", newline="") as fh:
        return tuple(
            (r["kind"], re.compile(f"(?:{r['pattern']})")) for r in csv.DictReader(fh) if r["kind"]
        )


@lru_cache(maxsize=16384)
def column_kind(header: str) -> str | None:
    """The kind of a column from its header cell (`牵头 单位` → lead), or None."""
    text = fold(_WS.sub("", header)).strip("|:：")
    if not text or len(text) > 24 or _BRACKETED.fullmatch(text):
        return None
    for form in (_BRACKETED.sub("", text), text):
        if not form:
            continue
        for kind, pattern in _columns():
            if pattern.fullmatch(form):
                return kind
    return None


def header_kinds(cells: list[str]) -> list[str | None] | None:
    """Column kinds when `cells` read as a task-table header, else None: every cell is a
    known column (one stranger is forgiven in a wide table) and one column names agencies."""
    cells = [c for c in cells if c.strip()]
    if len(cells) < 2:
        return None
    kinds = [column_kind(c) for c in cells]
    unknown = sum(1 for k in kinds if k is None)
    if unknown > (1 if len(cells) >= 4 else 0):
        return None
    if not ROLE_KINDS.intersection(k for k in kinds if k):
        return None
    return kinds


# ---------------------------------------------------------------- what a cell looks like


def _names(text: str) -> list[str]:
    return [p for p in _NAME_SEP.split(fold(text)) if p]


def cell_type(text: str) -> str:
    """index | heading | numbered | date | number | phone | agencies | person | long | short."""
    t = _WS.sub("", text)
    if not t:
        return "empty"
    if _INDEX.fullmatch(t):
        return "index"
    if _HEADING.match(t) and len(t) <= 30:
        return "heading"
    if _PHONE.search(t) and len(t) <= 30:
        return "phone"
    if _NUMBER.fullmatch(t):
        return "number"
    names = _names(text)
    if (
        names
        and not starts_with_verb(fold(t))
        and all(agency_strength(n) or is_collective(n) for n in names)
    ):
        return "agencies"
    if len(t) <= 40 and _DATE.search(fold(t)):
        return "date"
    if _NUMBERED.match(t) and len(t) <= 40:
        return "numbered"
    parts = text.split()
    if (
        2 <= len(t) <= 4 * max(1, len(parts))
        and len(t) <= 12
        and re.fullmatch(r"[\u4e00-\u9fff]+", t)
        and not agency_strength(t)
    ) or is_person(t):
        return "person"
    if len(t) >= 25 or _SENTENCE.search(t):
        return "long"
    return "short"


_FIT: dict[str, dict[str, float]] = {
    "index": {"index": 3, "number": 1},
    "title": {"short": 2, "numbered": 2.5, "heading": 1, "long": 0.5, "person": 0.5},
    "content": {"long": 3, "short": 1, "numbered": 1, "date": 0.5, "heading": 0.5},
    "target": {"long": 3, "short": 1.5, "numbered": 1, "date": 0.5},
    "lead": {"agencies": 3, "short": -1.0},
    "assist": {"agencies": 3, "short": -1.0},
    "joint": {"agencies": 3, "short": -1.0},
    "person": {"person": 3, "short": 0.5},
    "deadline": {"date": 3, "short": 1, "long": 1},
    "progress": {"long": 2, "short": 1, "date": 0.5, "number": 0.5, "agencies": -1},
    "figure": {"number": 3, "short": 0.2},
    "funding": {"short": 2, "long": 0.5},
    "remark": {"short": 1, "long": 1, "date": 0.5},
    "category": {"heading": 2.5, "short": 1.5, "numbered": 0.5},
    "contact": {"phone": 3, "short": 0.5},
}
_SKIP = -0.4  # a column left empty (a merged cell)
_MERGE = -0.4  # one more piece in the same column
_OVERFLOW = -1.0  # a piece after the last column


def _fit(kind: str | None, typ: str) -> float:
    if kind is None:
        return 0.5 if typ in ("short", "long") else 0.0
    return _FIT.get(kind, {}).get(typ, -2.0)


def align(pieces: list[Line], kinds: list[str | None]) -> tuple[list[list[Line]], list[Line]]:
    """Assign each piece, in order, to a column: the best-scoring monotone alignment, where a
    column may stay empty (merged cell) or take several pieces (a cell broken over lines, one
    unit per line). Pieces left after the last column come back as overflow."""
    n, m = len(pieces), len(kinds)
    types = [cell_type(p.text) for p in pieces]
    neg = float("-inf")
    best = [[neg] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    for j in range(m):
        for i in range(n + 1):
            if best[i][j] == neg:
                continue
            # column j empty
            if best[i][j] + _SKIP > best[i][j + 1]:
                best[i][j + 1] = best[i][j] + _SKIP
                back[i][j + 1] = (i, j)
            score = best[i][j]
            for k in range(i, n):
                score += _fit(kinds[j], types[k]) + (_MERGE if k > i else 0.0)
                if types[k] == "index" and k > i:
                    break  # an index starts a row; it never continues a cell
                if score > best[k + 1][j + 1]:
                    best[k + 1][j + 1] = score
                    back[k + 1][j + 1] = (i, j)
    end = max(range(n + 1), key=lambda i: best[i][m] + _OVERFLOW * (n - i))
    columns: list[list[Line]] = [[] for _ in range(m)]
    i, j = end, m
    while j > 0:
        prev = back[i][j]
        assert prev is not None
        pi, pj = prev
        columns[pj] = pieces[pi:i]
        i, j = pi, pj
    return columns, pieces[end:]


# ---------------------------------------------------------------- layouts


def _split_cells(line: Line, sep: str) -> list[Line]:
    out, start = [], 0
    for i, ch in enumerate(line.text):
        if ch in sep:
            out.append(line.slice(start, i).strip())
            start = i + 1
    out.append(line.slice(start, len(line)).strip())
    return out


def _separated(line: Line) -> tuple[str, list[Line]] | None:
    """Cells of a row written with tabs or vertical bars (`a | b | c |`); the empty cell an
    outer bar makes is not a cell, an empty cell between separators is."""
    for sep in ("\t", "|｜"):
        if any(ch in line.text for ch in sep):
            cells = _split_cells(line, sep)
            text = line.text.strip()
            if sep != "\t" and text[:1] in sep and cells and not cells[0].text:
                cells.pop(0)
            if sep != "\t" and text[-1:] in sep and cells and not cells[-1].text:
                cells.pop()
            if len(cells) >= 2:
                return sep, cells
    return None


_RULE = re.compile(r"[\s|｜:：\-—=+]+")


def _row(columns: list[list[Line]], **kw) -> Row:
    return Row([list(c) for c in columns], **kw)


def _header_row(cells: list[Line]) -> Row:
    return Row([[c] for c in cells], is_header=True)


def unflatten(lines: list[Line]) -> list[Piece]:
    """Lines of a plan → the same lines, with every task table found turned into rows."""
    out: list[Piece] = []
    i = 0
    while i < len(lines):
        for reader in (_read_separated, _read_bar_cells, _read_spaced, _read_cell_lines):
            found = reader(lines, i)
            if found is not None:
                pieces, i = found
                out.extend(pieces)
                break
        else:
            run = _read_run_together(lines[i])
            if run is not None:
                out.extend(run)
            else:
                out.append(lines[i])
            i += 1
    return out


def _read_separated(lines: list[Line], i: int) -> tuple[list[Piece], int] | None:
    """A header row with tab or `|` separators, then rows in the same form."""
    found = _separated(lines[i])
    if found is None:
        return None
    sep, cells = found
    kinds = header_kinds([c.text for c in cells])
    if kinds is None:
        return None
    out: list[Piece] = [_header_row(cells)]
    j = i + 1
    while j < len(lines):
        if _RULE.fullmatch(lines[j].text):
            j += 1  # a markdown rule under the header: |---|---|
            continue
        row = _separated(lines[j])
        if row is None or row[0] != sep:
            break
        if header_kinds([c.text for c in row[1]]) == kinds:
            out.append(_header_row(row[1]))  # the header repeated after a page break
        else:
            out.extend(_aligned(row[1], kinds, sep))
        j += 1
    return out, j


def _aligned(cells: list[Line], kinds: list[str | None], sep: str) -> list[Piece]:
    """A separated row: by position when it has a cell per column (an empty cell is an empty
    column), else aligned by what its cells look like (a merged cell left it short)."""
    if sep == "\t":  # a .docx or .html row: its cells are its columns
        while len(cells) > len(kinds) and not cells[-1].text:
            cells = cells[:-1]
        if len(cells) == len(kinds):
            return [Row([[c] if c.text else [] for c in cells])]
    elif len(cells) == len(kinds) and all(
        not c.text or _fit(k, cell_type(c.text)) > -2 for k, c in zip(kinds, cells, strict=True)
    ):
        return [Row([[c] if c.text else [] for c in cells])]
    columns, overflow = align([c for c in cells if c.text], kinds)
    return [_row(columns), *overflow]


def _read_bar_cells(lines: list[Line], i: int) -> tuple[list[Piece], int] | None:
    """One cell per line, each ending in `|`: the header cells first, then the rows."""
    cells: list[Line] = []
    j = i
    while j < len(lines) and lines[j].text.rstrip().endswith(("|", "｜")):
        text = lines[j].text.rstrip()
        if "|" in text[:-1] or "｜" in text[:-1]:
            break
        cells.append(lines[j].slice(0, len(text) - 1).strip())
        j += 1
    if len(cells) < 3:
        return None
    k = 0
    while k < len(cells) and column_kind(cells[k].text) is not None:
        k += 1
    kinds = header_kinds([c.text for c in cells[:k]])
    if kinds is None:
        return None
    return [_header_row(cells[:k]), *_rows_of(cells[k:], kinds)], j


def _rows_of(cells: list[Line], kinds: list[str | None]) -> list[Piece]:
    """Cells in reading order → rows: a new row at each index cell when the table has an
    index column, else every len(kinds) cells."""
    groups: list[list[Line]] = []
    if kinds and kinds[0] == "index":
        for cell in cells:
            if cell_type(cell.text) == "index" or not groups:
                groups.append([])
            groups[-1].append(cell)
    else:
        groups = [cells[x : x + len(kinds)] for x in range(0, len(cells), len(kinds))]
    out: list[Piece] = []
    for group in groups:
        columns, overflow = align(group, kinds)
        out.append(_row(columns))
        out.extend(overflow)
    return out


def _read_spaced(lines: list[Line], i: int) -> tuple[list[Piece], int] | None:
    """A header whose cells are separated by spaces, then rows that start with their index;
    a row may go on over the next lines (one unit per line), headings may sit between."""
    tokens = lines[i].text.split()
    if len(tokens) < 3:
        return None
    kinds = header_kinds(tokens)
    if kinds is None or kinds[0] != "index":
        return None
    header = [t for t in _tokens(lines[i])]
    out: list[Piece] = [_header_row(header)]
    row: list[Line] = []
    j = i + 1

    def close() -> None:
        if row:
            columns, overflow = align(row, kinds)
            out.append(_row(columns))
            out.extend(overflow)
            row.clear()

    while j < len(lines):
        line = lines[j]
        first = line.text.split(maxsplit=1)
        if first and _INDEX.fullmatch(first[0]) and len(first) > 1:
            close()
            row.extend(_tokens(line))
        elif _HEADING.match(line.text.strip()):
            close()
            out.append(line)
        elif row:
            row.extend(_tokens(line))
        else:
            break
        j += 1
    close()
    return out, j


def _tokens(line: Line) -> list[Line]:
    return [line.slice(m.start(), m.end()) for m in re.finditer(r"\S+", line.text)]


def _read_cell_lines(lines: list[Line], i: int) -> tuple[list[Piece], int] | None:
    """One cell per line without separators: a header of column names (a name may be broken
    over two lines), then rows starting at their index; or a label/value record."""
    first = lines[i].text
    if len(first) > 24 or (
        column_kind(first) is None
        and i + 1 < len(lines)
        and column_kind(first + lines[i + 1].text) is None
    ):
        return None  # neither a column name nor the first half of one: the common case
    header, j = _header_lines(lines, i)
    if header is not None:
        kinds = [column_kind(c.text) for c in header]
        cells: list[Line] = []
        while j < len(lines):
            again, _ = _header_lines(lines, j)
            if again is not None or _separated(lines[j]) is not None:
                break  # the next table begins
            cells.append(lines[j])
            j += 1
        rows = _rows_of(cells, kinds)
        return [_header_row(header), *rows], j
    return _record(lines, i)


def _header_lines(lines: list[Line], i: int) -> tuple[list[Line] | None, int]:
    """Consecutive lines that are column names (joining a broken name: `建设起` + `止年限`)."""
    cells: list[Line] = []
    j = i
    while j < len(lines) and len(cells) < 16:
        line = lines[j].strip()
        text = _WS.sub("", line.text)
        if not text or len(text) > 24:
            break
        nxt = lines[j + 1].strip() if j + 1 < len(lines) else None
        joined = _join(line, nxt) if nxt is not None else None
        if (
            joined is not None
            and nxt is not None
            and column_kind(joined.text)
            and (
                not column_kind(text)
                or not column_kind(nxt.text)
                or _WS.sub("", nxt.text) in _HEADER_TAILS
            )
        ):
            cells.append(joined)
            j += 2
        elif column_kind(text):
            cells.append(line)
            j += 1
        elif cells and re.fullmatch(r"[（(][^（()）]{1,8}[)）]", text):
            cells[-1] = _join(cells[-1], line) or cells[-1]  # `总投资` + `(万元)`
            j += 1
        else:
            break
    if len(cells) < 2 or header_kinds([c.text for c in cells]) is None:
        return None, i
    if sum(1 for c in cells if column_kind(c.text) is not None) < len(cells):
        return None, i
    return cells, j


# the second half of a column name broken over two lines (`牵头` / `单位`, `完成` / `时限`)
_HEADER_TAILS = frozenset(
    "单位 部门 领导 时限 时间 情况 名称 内容 目标 任务 要求 措施 年限 来源 计划 负责人 进展".split()
)


def _join(a: Line, b: Line | None) -> Line | None:
    if b is None:
        return None
    return Line(a.text + b.text, a.offsets + b.offsets)


def _record(lines: list[Line], i: int) -> tuple[list[Piece], int] | None:
    """`具体任务` / text / `责任单位` / units / `完成时限` / date: labels on lines of their own,
    each followed by its value — one row whose header is the labels."""
    labels: list[Line] = []
    values: list[Line] = []
    j = i
    while j + 1 < len(lines):
        kind = column_kind(lines[j].text)
        if kind is None or column_kind(lines[j + 1].text) is not None:
            break
        labels.append(lines[j].strip())
        values.append(lines[j + 1].strip())
        j += 2
    if len(labels) < 2 or header_kinds([c.text for c in labels]) is None:
        return None
    return [_header_row(labels), Row([[v] for v in values])], j


# ---------------------------------------------------------------- cells run together


def _header_tokens(view: str, start: int) -> list[tuple[int, int]]:
    """Column names written one after the other from `start`: the longest name each time."""
    out, i = [], start
    while i < len(view):
        end = next(
            (j for j in range(min(len(view), i + 24), i + 1, -1) if column_kind(view[i:j])),
            None,
        )
        if end is None:
            break
        out.append((i, end))
        i = end
    return out


def _read_run_together(line: Line) -> list[Piece] | None:
    """`…序号工作内容目标任务责任单位备注1将…。2021年2月底前…。市委宣传部、市城管委2完善…`."""
    if "序" not in line.text:
        return None
    view = fold(line.text)
    for m in re.finditer("序号", view):
        tokens = _header_tokens(view, m.start())
        if len(tokens) >= 4:
            cells = [line.slice(s, e) for s, e in tokens]
            kinds = header_kinds([c.text for c in cells])
            if kinds is not None:
                break
    else:
        return None
    out: list[Piece] = []
    if tokens[0][0] > 0:
        out.append(line.slice(0, tokens[0][0]))
    out.append(_header_row(cells))
    rest = line.slice(tokens[-1][1], len(line))
    for row_text in _split_rows(rest, [c.text for c in cells]):
        out.extend(_run_row(row_text, kinds))
    return out


def _split_rows(rest: Line, header: list[str]) -> list[Line]:
    """Rows start at their index, 1, 2, 3…, written right before the first character of the
    row, after the last unit of the row before; a header repeated after a page break ends
    the row it interrupts."""
    view = fold(rest.text)
    starts: list[int] = []
    expected, pos = 1, 0
    while True:
        pattern = re.compile(
            rf"(?<![\d.]){expected}(?=[\u4e00-\u9fff“])(?![年月日个项家人万亿元条所座处])"
        )
        found = pattern.search(view, pos)
        if found is None:
            break
        starts.append(found.start())
        pos = found.end()
        expected += 1
    out = []
    joined = "".join(header)
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(rest)
        again = view.find(joined, start, end)
        out.append(rest.slice(start, again if again > 0 else end))
    return out


def _run_row(row: Line, kinds: list[str | None]) -> list[Piece]:
    """One run-together row → one or more rows: text, then the units (after the person, when
    the table has a person column), then maybe more text with units of its own (a sub-row),
    or text that shares the units before it (a merged cell)."""
    view = fold(row.text)
    index = re.match(r"\d{1,3}", view)
    body_start = index.end() if index else 0
    roles = [i for i, k in enumerate(kinds) if k in ROLE_KINDS]
    person = next((i for i, k in enumerate(kinds) if k == "person"), None)
    text_col = next(
        (i for i, k in enumerate(kinds) if k in ("content", "target")),
        next((i for i, k in enumerate(kinds) if k == "title"), 0),
    )
    out: list[Piece] = []
    text_start = body_start
    for run_start, person_span, names in _unit_runs(view, body_start, person is not None):
        columns: list[list[Line]] = [[] for _ in kinds]
        if index is not None and not out:
            columns[0] = [row.slice(0, index.end())]
        columns[text_col] = [row.slice(text_start, run_start)]
        if person is not None and person_span is not None:
            columns[person] = [row.slice(*person_span)]
        pieces = [row.slice(s, e) for s, e in names]
        if roles:
            columns[roles[0]] = pieces[:1] if len(roles) > 1 else pieces
            if len(roles) > 1:
                columns[roles[1]] = pieces[1:]
        out.append(Row(columns, names_run_together=True))
        text_start = names[-1][1]
    tail = row.slice(text_start, len(row))
    if not out:
        columns = [[] for _ in kinds]
        if index is not None:
            columns[0] = [row.slice(0, index.end())]
        columns[text_col] = [tail]
        return [Row(columns)]
    if tail.text.strip():
        # text after the last units shares them (a merged cell): it belongs to that row
        last = out[-1]
        assert isinstance(last, Row)
        last.cells[text_col].append(tail)
    return out


_LEVEL_LIST = re.compile(r"[（(〔][县区市州乡镇街道特、,，]+[)）〕]")
_JOINERS = re.compile(r"(?:[、，,；;\s]|等(?:相关|有关)?(?:部门|单位)?)+")


def _unit_runs(view: str, start: int, with_person: bool):
    """Runs of agency names right after a sentence ends: (start, person span, name spans)."""
    for m in re.finditer(r"[。；]", view[start:]):
        at = start + m.end()
        found = _names_at(view, at, with_person)
        if found is not None:
            yield at, found[0], found[1]


def _names_at(view: str, at: int, with_person: bool):
    """Agency names written one after the other from `at`, after a person's name when the
    table has a person column; None when the text there does not read as names."""
    person = None
    pos = at
    if with_person:
        best = None
        for size, cost in ((3, 0.0), (2, 0.5), (4, 1.5)):
            cand = view[pos : pos + size]
            if not re.fullmatch(r"[\u4e00-\u9fff]+", cand) or agency_strength(cand):
                continue
            ends = _name_ends(view, pos + size)
            if ends:
                score = ends[0] - (pos + size) + cost  # the shortest first name wins
                if best is None or score < best[0]:
                    best = (score, size)
        if best is None:
            return None
        person = (pos, pos + best[1])
        pos += best[1]
    names: list[tuple[int, int]] = []
    while True:
        if names:
            joiner = _JOINERS.match(view, pos)
            if joiner:
                pos = joiner.end()
        end = _pick_end(view, pos)
        if end is None:
            break
        names.append((pos, end))
        pos = end
    return (person, names) if names else None


def _name_ends(view: str, pos: int) -> list[int]:
    """Every end e such that view[pos:e] reads as one agency name (brackets attached)."""
    if (
        pos >= len(view)
        or starts_with_verb(view, pos)
        or not re.match(r"[\u4e00-\u9fff]", view[pos])
        or _ENDING_WORD.match(view, pos)
    ):
        return []
    out = []
    e = pos + 1
    while e <= len(view) and e - pos <= 24:
        ch = view[e - 1]
        if ch in "（(〔":
            close = re.match(r"[（(〔][^（()）〔〕]{1,10}[)）〕]", view[e - 1 :])
            if close is None:
                break
            bracket = close.group()
            base = view[pos : e - 1]
            e = e - 1 + close.end()
            if not _LEVEL_LIST.fullmatch(bracket) and (
                _is_name(base) or agency_strength(bracket[1:-1])
            ):
                out.append(e)
            e += 1
            continue
        if not re.match(r"[\u4e00-\u9fff]", ch):
            break
        if _is_name(view[pos:e]):
            out.append(e)
        e += 1
    return out


# a name never begins with an ending word: `政府(管委会)` is the tail of `各区(市)县政府(管委会)`
_ENDING_WORD = re.compile(r"(?:人民政府|政府|委员会|管委会|办公室|办事处|街道|公司|集团)")


def _is_name(cand: str) -> bool:
    """An agency name by its ending, long enough to be one, and not a parent body that opens
    longer names (市委 宣传部, 县政府 办公室)."""
    if len(cand) < 3 or re.fullmatch(r"[县区市省州]?(?:委|政府)", cand):
        return False
    if is_collective(cand):
        return has_agency_ending(cand)
    return bool(agency_strength(cand))


def _clean_end(view: str, e: int) -> bool:
    """The text after a name ends a run cleanly: the row's end, a joiner, a verb, a digit."""
    return (
        e >= len(view)
        or view[e] in "、，,；;。 "
        or view.startswith("等", e)
        or starts_with_verb(view, e)
        or not re.match(r"[\u4e00-\u9fff（(〔]", view[e])
    )


def _pick_end(view: str, pos: int) -> int | None:
    """The shortest name at `pos` after which another name follows; else the longest after
    which the run cleanly ends."""
    ends = _name_ends(view, pos)
    for e in ends:
        nxt = _JOINERS.match(view, e)
        after = nxt.end() if nxt else e
        if after < len(view) and _name_ends(view, after):
            return e
    clean = [e for e in ends if _clean_end(view, e)]
    return clean[-1] if clean else None


__all__ = [
    "ROLE_KINDS",
    "TEXT_KINDS",
    "Line",
    "Piece",
    "Row",
    "align",
    "cell_type",
    "column_kind",
    "header_kinds",
    "unflatten",
]
