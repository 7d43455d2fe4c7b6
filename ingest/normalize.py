"""Normalise plan text for parsing while keeping an exact map back to the source.

PDF extraction breaks paragraphs at page ends (`县商务粮\\n\\n食局`), adds page furniture
(`附件 2`, `— 3 —`), markdown emphasis and stray spaces (`增长 8%`); web copies run numbered
items into one line, cut documents into numbered preview chunks (`市` / `2、住建局`) and flatten
task tables (see `tables.py`). Parsers want one paragraph or table row per line and clean CJK
runs; provenance wants spans in the original text. So every character of the normalised
text remembers the source index it came from.

The text keeps the source's script — a traditional-script plan stays traditional, so names
come out as written — and `folded` is the same text converted one character for one to
simplified script, which is what every parser reads (offsets are identical).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from plankg.ingest.headings import parse_marker
from plankg.ingest.metadata import looks_like_title
from plankg.ingest.model import Span
from plankg.ingest.tables import ROLE_KINDS, Line, Row, column_kind, unflatten
from plankg.ontology import folding
from plankg.ontology.names import (
    agency_strength,
    any_char_of,
    fold,
    is_collective,
)

_FURNITURE = re.compile(
    r"^(附件\s*[\d一二三四五六七八九十]*\s*[:：]?|[-—–－]+\s*\d{1,4}\s*[-—–－]+|第\s*\d+\s*页(共\s*\d+\s*页)?|[-*_=]{3,})$"
)
# a bare number on a line of its own is a page number — unless a table reads it as an index
_PAGE_NUMBER = re.compile(r"\d{1,4}")
_MD_PREFIX = re.compile(r"^(#{1,6}\s+|>\s*|[*+-]\s+(?=\S))")
_MD_EMPHASIS = re.compile(r"\*\*|__|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])")
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_PUNCT = "，。、；：？！“”‘’（）《》【】—…·"
# a space is stray when a CJK character or CJK punctuation sits on either side of it
_STRAY_SPACE = re.compile(
    rf"(?<=[{_HAN}{_CJK_PUNCT}])[ \u3000\u00a0]+(?=[^\s])|"
    rf"(?<=[^\s])[ \u3000\u00a0]+(?=[{_HAN}{_CJK_PUNCT}])"
)
_SENTENCE_END = re.compile(r"[。！？；：…]$|[。！？；][" "”’」』）)]$|[）)]$")
_HEADING_START = re.compile(
    r"^([一二三四五六七八九十]+[、．.]|[（(][一二三四五六七八九十]+[）)]|\d{1,2}[．.、](?!\d)|"
    r"[（(]\d{1,2}[）)]|[①-⑳]|第[一二三四五六七八九十\d]+[章节条部])"
)
# `牵头责任单位：…`, `监督方式：…`: a line that opens a field of its own never continues the last
_FIELD_START = re.compile(r"^[（(\[［【〔]?[\u4e00-\u9fff]{2,10}[：:]")
_INNER_PUNCT = re.compile(r"[，,；;。、：:]")
_TITLE_MAX = 40


@dataclass
class NormalizedText:
    """Normalised text plus, for each of its characters, the index of the source character."""

    text: str  # in the source's own script (traditional stays traditional)
    source: str
    offsets: list[int]  # len(text) + 1 entries; the last is len(source)
    folded: str = ""  # the same text, traditional → simplified one for one: parse this

    def __post_init__(self) -> None:
        if not self.folded:
            self.folded = fold(self.text)

    def to_source(self, i: int) -> int:
        return self.offsets[max(0, min(i, len(self.text)))]

    def source_span(self, start: int, end: int) -> Span:
        """The source span covering text[start:end] (end exclusive)."""
        start = max(0, min(start, len(self.text)))
        end = max(start, min(end, len(self.text)))
        if end == start:
            s = self.offsets[start]
            return Span(s, s)
        return Span(self.offsets[start], self.offsets[end - 1] + 1)


@lru_cache(maxsize=2)
def _folding(simplify: bool) -> tuple[dict[int, str], re.Pattern[str]]:
    """The table `normalize` translates the text with: full-width ASCII → half-width always,
    traditional → simplified only when asked (the default keeps the source's script and
    offers the simplified view as `folded`)."""
    table = _fold_table()
    if not simplify:
        table = {k: v for k, v in table.items() if 0xFF01 <= k <= 0xFF5E or k == 0x3000}
    return table, any_char_of(table)


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, str]:
    """Full-width ASCII → half-width, and traditional → simplified characters (1:1 maps)."""
    table: dict[int, str] = {}
    for code in range(0xFF01, 0xFF5F):
        ch = chr(code - 0xFEE0)
        if ch.isalnum() or ch in "%+-/#&":
            table[code] = ch
    table[0x3000] = " "
    table.update(folding.table())
    return table


class _Builder:
    """Accumulates output text pieces with their source offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.offsets: list[int] = []

    def add(self, text: str, source_offsets: list[int]) -> None:
        self.parts.append(text)
        self.offsets.extend(source_offsets)

    def add_line(self, line: Line) -> None:
        self.add(line.text, line.offsets)


def _drop(line: Line, spans: list[tuple[int, int]]) -> Line:
    """`line` without the characters in `spans`."""
    if not spans:
        return line
    parts: list[str] = []
    idx: list[int] = []
    pos = 0
    for start, end in sorted(spans):
        if start > pos:
            parts.append(line.text[pos:start])
            idx.extend(line.offsets[pos:start])
        pos = max(pos, end)
    parts.append(line.text[pos:])
    idx.extend(line.offsets[pos:])
    return Line("".join(parts), idx)


_MARKUP_CHARS = frozenset("#>*_+-")


def _strip_markup(text: str, base: int) -> Line:
    """One source line without markdown markup, trimmed; white space inside is kept (a
    table's cells may be separated by it)."""
    line = Line(text, list(range(base, base + len(text))))
    if _MARKUP_CHARS.isdisjoint(text):
        pass  # the common case: nothing markdown could mark
    elif _MD_PREFIX.search(text) or _MD_EMPHASIS.search(text):
        first = _MD_PREFIX.search(text)
        markup = ([first.span()] if first else []) + [m.span() for m in _MD_EMPHASIS.finditer(text)]
        line = _drop(line, markup)
    return line.strip(" \u3000\u00a0\r\f\v")  # a tab may end a table row: its last cell is empty


def _drop_stray_spaces(line: Line) -> Line:
    """Spaces next to CJK characters are line-break or layout damage: `增长 8%`, `自治 区`."""
    if not _STRAY_SPACE.search(line.text):
        return line
    return _drop(line, [m.span() for m in _STRAY_SPACE.finditer(line.text)]).strip()


# ---------------------------------------------------------------- preview chunk markers


_CHUNK = re.compile(r"(\d{1,2})、")
_CHUNK_MIN = 80  # a preview chunk is long; a short numbered line is a list item


def _repair_preview_chunks(lines: list[Line]) -> list[Line]:
    """Document-preview sites cut a file into chunks and number them `1、` `2、` at the start
    of each line, often inside a word (`市` / `2、住建局`). A run of such markers counting
    1, 2, 3 where each cut line before them is long and ends mid-sentence is removed, and the
    cut is joined."""
    marked = [(i, int(m.group(1))) for i, ln in enumerate(lines) if (m := _CHUNK.match(ln.text))]
    chunks: dict[int, int] = {}
    expected = 2
    first = next((i for i, n in marked if n == 1), None)
    if first is None:
        return lines
    for i, n in marked:
        if i <= first or n != expected:
            continue
        before = lines[i - 1].text
        if len(before) >= _CHUNK_MIN and not _SENTENCE_END.search(before):
            chunks[i] = n
            expected += 1
    if not chunks:
        return lines
    chunks[first] = 1
    out: list[Line] = []
    for i, line in enumerate(lines):
        if i in chunks:
            marker = _CHUNK.match(line.text)
            assert marker is not None
            line = line.slice(marker.end(), len(line))
            if chunks[i] > 1 and out:
                prev = out.pop()
                line = Line(prev.text + line.text, prev.offsets + line.offsets)
        out.append(line)
    return out


# ---------------------------------------------------------------- run-in headings


class _Numbering:
    """The last number seen per heading style: a marker inside a line starts a new item only
    when it is 1 or the next number (`…负责）（二）…` after `（一）`)."""

    def __init__(self) -> None:
        self.last: dict[str, int] = {}

    def accepts(self, style: str, number: int) -> bool:
        return number == 1 or self.last.get(style) == number - 1

    def see(self, style: str, number: int) -> None:
        self.last[style] = number


_RUN_IN = re.compile(
    r"(?:(?<=[。；;！？）)\]】])|(?<=\s))\s*"
    r"(?P<marker>[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)]|\d{1,2}[.．、](?![\d%]))"
)


def _split_run_in(line: Line, numbering: _Numbering) -> list[Line]:
    """A line holding several numbered items (`…（省发改委负责）（二）公共财政收入…`, or items
    separated by spaces in text copied from a document) → one line per item."""
    cuts = []
    head = parse_marker(line.text)
    if head is not None:
        numbering.see(*head)
    for m in _RUN_IN.finditer(line.text):
        marker = parse_marker(m.group("marker"))
        if marker is None or m.start("marker") == 0:
            continue
        if numbering.accepts(*marker):
            numbering.see(*marker)
            cuts.append(m.start("marker"))
    if not cuts:
        return [line]
    bounds = [0, *cuts, len(line)]
    return [line.slice(a, b).strip() for a, b in pairwise(bounds) if line.slice(a, b).strip()]


# ---------------------------------------------------------------- rows


def _row_line(row: Row, kinds: list[str | None]) -> Line:
    """A table row as one line: cells separated by tabs; a role cell holding several units
    (one per line, or run together) gets `、` between them."""
    parts: list[Line] = []
    for col, pieces in enumerate(row.cells):
        role = col < len(kinds) and kinds[col] in ROLE_KINDS
        cleaned = [_clean_cell(p, role) for p in pieces]
        cleaned = [p for p in cleaned if p.text]
        cell = Line("", [])
        for k, piece in enumerate(cleaned):
            if k and role and cell.text[-1:] not in "、，,；;":
                cell = Line(cell.text + "、", [*cell.offsets, piece.offsets[0]])
            cell = Line(cell.text + piece.text, cell.offsets + piece.offsets)
        if col:
            nxt = cell.offsets[0] if cell.offsets else (parts[-1].offsets[-1:] or [0])[0]
            parts.append(Line("\t", [nxt]))
        parts.append(cell)
    text = "".join(p.text for p in parts)
    offsets = [o for p in parts for o in p.offsets]
    return Line(text, offsets)


def _clean_cell(piece: Line, role: bool) -> Line:
    """A cell's text without layout spaces; in a unit column a space between two names is a
    separator (`区农业农村委 区林业局`), elsewhere it is damage (`俞 悦`)."""
    if role:
        tokens = piece.text.split()
        if len(tokens) > 1 and all(agency_strength(t) or is_collective(t) for t in tokens):
            out = Line("", [])
            for m in re.finditer(r"\S+", piece.text):
                if out.text:
                    out = Line(out.text + "、", [*out.offsets, piece.offsets[m.start()]])
                part = piece.slice(m.start(), m.end())
                out = Line(out.text + part.text, out.offsets + part.offsets)
            return out
    return _drop(piece, [m.span() for m in re.finditer(r"\s+", piece.text)])


def _is_title_like(line: str) -> bool:
    """Short and without inner punctuation once any heading number is taken off."""
    m = _HEADING_START.match(line)
    rest = line[m.end() :] if m else line
    return len(rest) <= _TITLE_MAX and not _INNER_PUNCT.search(rest)


def _ends_paragraph(line: str) -> bool:
    """Sentence-final punctuation, or a closing bracket that closes a responsibility clause
    (a bracket closing `中国（平江）` mid-sentence does not end the paragraph)."""
    if not _SENTENCE_END.search(line):
        return False
    if line[-1] not in "）)":
        return True
    open_at = max(line.rfind("（"), line.rfind("("))
    inner = line[open_at + 1 : -1] if open_at >= 0 else line
    before = line[open_at - 1] if open_at > 0 else "。"
    return before in "。；！？" or bool(_CLAUSE_WORDS.search(inner))


_CLAUSE_WORDS = re.compile(r"牵头|负责|配合|参与|协助|落实|分工|单位|部门|[局委办]$|[局委办]、")


def normalize(source: str, *, simplify: bool = False) -> NormalizedText:
    """Normalise `source` to one paragraph (or table row) per line; see the module docstring."""
    width, needs_folding = _folding(simplify)
    text_in = source.translate(width) if needs_folding.search(source) else source
    if text_in.startswith("\ufeff"):
        text_in = " " + text_in[1:]
    raw: list[Line] = []
    pos = 0
    for piece in re.split(r"(?<=\n)", text_in):
        body = piece.rstrip("\r\n")
        line = _strip_markup(body, pos)
        pos += len(piece)
        if line.text and (
            len(line.text) > 40 or not _FURNITURE.match(_STRAY_SPACE.sub("", line.text))
        ):
            raw.append(line)
    raw = _repair_preview_chunks(raw)

    lines: list[Line] = []
    numbering = _Numbering()
    kinds: list[str | None] = []
    for piece in unflatten(raw):
        if isinstance(piece, Row):
            if piece.is_header:
                kinds = [column_kind("".join(p.text for p in c)) for c in piece.cells]
            lines.append(_row_line(piece, kinds))
            continue
        for part in _split_run_in(piece, numbering):
            part = _drop_stray_spaces(part)
            if part.text and not _PAGE_NUMBER.fullmatch(part.text):
                lines.append(part)

    out = _Builder()
    for i, line in enumerate(lines):
        out.add_line(line)
        if i + 1 == len(lines):
            break
        if _should_join(line.text, lines[i + 1].text):
            continue
        out.add("\n", [line.offsets[-1] + 1 if line.offsets else 0])
    text = "".join(out.parts)
    offsets = [*out.offsets, len(source)]
    return NormalizedText(text, source, offsets, fold(text))


def _should_join(line: str, nxt: str) -> bool:
    """A line broken mid-sentence by a page or line break continues on the next line."""
    if "\t" in line or "\t" in nxt or line.startswith("|") or nxt.startswith("|"):
        return False  # rows of a table keep their own lines
    if _ends_paragraph(line):
        return False
    if _HEADING_START.match(line) and _is_title_like(line):
        return False
    if _HEADING_START.match(nxt) or _FIELD_START.match(nxt):
        return False
    if len(nxt) <= 80 and looks_like_title(fold(nxt)):
        return False
    if _is_title_like(line) and not re.search(r"[，、]", line):
        # a short line without punctuation: a title, unless the next line obviously continues
        # a word (starts with a closing mark or a lowercase continuation)
        return bool(re.match(r"^[，、。；：）)”’」]", nxt))
    return True
