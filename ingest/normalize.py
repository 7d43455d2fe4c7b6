"""Normalise plan text for parsing while keeping an exact map back to the source.

PDF extraction breaks paragraphs at page ends (`县商务粮\\n\\n食局`), adds page furniture
(`附件 2`, `— 3 —`), markdown emphasis and stray spaces (`增长 8%`). Parsers want one paragraph
per line and clean CJK runs; provenance wants spans in the original text. So every character
of the normalised text remembers the source index it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from plankg.ingest.model import Span

_FURNITURE = re.compile(
    r"^(附件\s*[\d一二三四五六七八九十]*\s*[:：]?|[-—–－]*\s*\d{1,4}\s*[-—–－]*|第\s*\d+\s*页(共\s*\d+\s*页)?|[-*_=]{3,})$"
)
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
_INNER_PUNCT = re.compile(r"[，,；;。、：:]")
_TITLE_MAX = 40


@dataclass
class NormalizedText:
    """Normalised text plus, for each of its characters, the index of the source character."""

    text: str
    source: str
    offsets: list[int]  # len(text) + 1 entries; the last is len(source)

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
    """The table `normalize` translates with, and a pattern finding any character it maps
    (searching is ~15x cheaper than translating text that has nothing to fold)."""
    table = _fold_table()
    if not simplify:
        table = {k: v for k, v in table.items() if 0xFF01 <= k <= 0xFF5E or k == 0x3000}
    return table, any_char_of(table)


def any_char_of(table: dict[int, str]) -> re.Pattern[str]:
    """A pattern matching any character a `str.translate` table maps (never matches for an
    empty table): searching for one is far cheaper than translating text with none."""
    if not table:
        return re.compile(r"(?!)")
    return re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(table)) + "]")


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, str]:
    """Full-width ASCII → half-width, and traditional → simplified characters (1:1 maps)."""
    table: dict[int, str] = {}
    for code in range(0xFF01, 0xFF5F):
        ch = chr(code - 0xFEE0)
        if ch.isalnum() or ch in "%+-/#&":
            table[code] = ch
    table[0x3000] = " "
    folding = Path(__file__).resolve().parent.parent / "ontology" / "char_folding.csv"
    if folding.exists():
        for line in folding.read_text(encoding="utf-8").splitlines()[1:]:
            parts = line.split(",")
            if len(parts) >= 2 and len(parts[0]) == 1 and len(parts[1]) == 1:
                table.setdefault(ord(parts[0]), parts[1])
    return table


def fold_punct(s: str) -> str:
    """Half-width `(),;:` → full-width, same length; for parsers that want one form."""
    return s.translate(_PUNCT_FOLD)


_PUNCT_FOLD = str.maketrans({"(": "（", ")": "）", ",": "，", ";": "；", ":": "："})


class _Builder:
    """Accumulates output text pieces with their source offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.offsets: list[int] = []

    def add(self, text: str, source_offsets: list[int]) -> None:
        self.parts.append(text)
        self.offsets.extend(source_offsets)


def _drop_spans(
    text: str, offsets: list[int], spans: list[tuple[int, int]]
) -> tuple[str, list[int]]:
    """`text` without the characters in `spans`, and the offsets of the characters kept."""
    if not spans:
        return text, offsets
    parts: list[str] = []
    idx: list[int] = []
    pos = 0
    for start, end in sorted(spans):
        if start > pos:
            parts.append(text[pos:start])
            idx.extend(offsets[pos:start])
        pos = max(pos, end)
    parts.append(text[pos:])
    idx.extend(offsets[pos:])
    return "".join(parts), idx


def _clean_line(line: str, base: int) -> tuple[str, list[int]]:
    """Strip markup and stray spaces from one source line; return text and source offsets."""
    if not (_MD_PREFIX.search(line) or _MD_EMPHASIS.search(line) or _STRAY_SPACE.search(line)):
        # the common case, a line with nothing to strip: offsets are a plain range
        lead = len(line) - len(line.lstrip())
        trail = len(line.rstrip())
        return line[lead:trail], list(range(base + lead, base + max(lead, trail)))
    offsets = list(range(base, base + len(line)))
    first = _MD_PREFIX.search(line)
    markup = ([first.span()] if first else []) + [m.span() for m in _MD_EMPHASIS.finditer(line)]
    kept, idx = _drop_spans(line, offsets, markup)
    # stray spaces: computed on the kept text so `** 8 **` style gaps close too
    text, idx = _drop_spans(kept, idx, [m.span() for m in _STRAY_SPACE.finditer(kept)])
    # trim
    lead = len(text) - len(text.lstrip())
    trail = len(text.rstrip())
    return text[lead:trail], idx[lead:trail]


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


def normalize(source: str, *, simplify: bool = True) -> NormalizedText:
    """Normalise `source` to one paragraph per line; see the module docstring."""
    fold, needs_folding = _folding(simplify)
    folded = source.translate(fold) if needs_folding.search(source) else source
    if folded.startswith("\ufeff"):
        folded = " " + folded[1:]
    lines: list[tuple[str, list[int]]] = []
    pos = 0
    for raw in re.split(r"(?<=\n)", folded):
        body = raw.rstrip("\r\n")
        text, idx = _clean_line(body, pos)
        pos += len(raw)
        if not text or _FURNITURE.match(text):
            continue
        lines.append((text, idx))

    out = _Builder()
    for i, (text, idx) in enumerate(lines):
        out.add(text, idx)
        if i + 1 == len(lines):
            break
        nxt = lines[i + 1][0]
        if _should_join(text, nxt):
            continue
        out.add("\n", [idx[-1] + 1])
    text = "".join(out.parts)
    offsets = [*out.offsets, len(source)]
    return NormalizedText(text, source, offsets)


def _should_join(line: str, nxt: str) -> bool:
    """A line broken mid-sentence by a page or line break continues on the next line."""
    if "\t" in line or "\t" in nxt or line.startswith("|") or nxt.startswith("|"):
        return False  # rows of a table keep their own lines
    if _ends_paragraph(line):
        return False
    if _HEADING_START.match(line) and _is_title_like(line):
        return False
    if _HEADING_START.match(nxt):
        return False
    if _is_title_like(line) and not re.search(r"[，、]", line):
        # a short line without punctuation: a title, unless the next line obviously continues
        # a word (starts with a closing mark or a lowercase continuation)
        return bool(re.match(r"^[，、。；：）)”’」]", nxt))
    return True
