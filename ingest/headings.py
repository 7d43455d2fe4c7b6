"""Heading numbering used in Chinese official documents, and the nesting it implies.

Official documents number their levels `一、` → `（一）` → `1.` → `（1）` → `①`, but real plans skip
levels or start at `1.` directly; so nesting is decided by the order in which numbering styles
first appear (like a word processor's outline), not by a fixed table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CN = "一二三四五六七八九十百零〇"
# (style, pattern). The pattern matches the marker at the start of a line.
MARKERS: list[tuple[str, re.Pattern[str]]] = [
    ("chapter", re.compile(rf"第[{_CN}\d]+[章篇部](?:分)?\s*")),
    ("part", re.compile(rf"第[{_CN}\d]+节\s*")),
    ("cn", re.compile(rf"[{_CN}]+[、．.](?![{_CN}])\s*")),
    ("paren_cn", re.compile(rf"[（(][{_CN}]+[）)]\s*")),
    ("arabic", re.compile(r"\d{1,2}[．.、](?![\d%])\s*")),
    ("paren_arabic", re.compile(r"[（(]\d{1,2}[）)](?![型号])\s*")),
    ("circled", re.compile(r"[①-⑳]\s*")),
]

# A sentence ends at one of these; the first sentence of a run-in heading is its title.
_TITLE_END = re.compile(r"[。！？]")
_MAX_TITLE = 40


@dataclass(frozen=True)
class HeadingLine:
    """A numbered line: its marker style, the marker as written, its title and any body after it."""

    style: str
    marker: str
    title: str
    body_start: int  # offset in the line where the body (text after the title) starts; len if none

    @property
    def heading(self) -> str:
        """The heading as the gold `section` paths write it: marker + title, no white space."""
        return re.sub(r"\s+", "", self.marker + self.title)


def parse_heading(line: str) -> HeadingLine | None:
    """Recognise a numbered heading at the start of `line`, or return None."""
    for style, pattern in MARKERS:
        m = pattern.match(line)
        if not m:
            continue
        rest = line[m.end() :]
        if not rest or rest[0] in "，,、；;：:%":
            return None
        end = _TITLE_END.search(rest)
        if end is None:
            # a heading-only line: the whole rest is the title unless it is a long paragraph
            if len(rest) > _MAX_TITLE * 2 and "，" in rest:
                return HeadingLine(style, m.group(0).strip(), "", m.end())
            return HeadingLine(style, m.group(0).strip(), rest.strip(), len(line))
        title = rest[: end.start()].strip()
        if len(title) > _MAX_TITLE:
            return HeadingLine(style, m.group(0).strip(), "", m.end())
        return HeadingLine(style, m.group(0).strip(), title, m.end() + end.end())
    return None


_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}


def cn_number(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十 → 20, 二十三 → 23 (up to 99); None for anything else."""
    if not text or any(c not in "零一二三四五六七八九十" for c in text):
        return None
    if "十" not in text:
        return _CN_DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    value = (_CN_DIGITS.get(tens, 0) if tens else 1) * 10
    return value + (_CN_DIGITS.get(ones, 0) if ones else 0)


def parse_marker(text: str) -> tuple[str, int] | None:
    """(style, number) of the heading marker opening `text`: `（二）` → ("paren_cn", 2)."""
    for style, pattern in MARKERS:
        m = pattern.match(text)
        if m is None:
            continue
        digits = re.search(r"\d+", m.group(0))
        if digits:
            return style, int(digits.group())
        cn = re.search(f"[{_CN}]+", m.group(0))
        number = cn_number(cn.group()) if cn else None
        return (style, number) if number is not None else None
    return None


def run_in_title(paragraph: str) -> str:
    """The run-in title of an un-numbered paragraph (`休闲食品。培育…` → `休闲食品`), or ''."""
    end = _TITLE_END.search(paragraph)
    if end is None or end.start() == 0:
        return ""
    title = paragraph[: end.start()]
    if len(title) > 16 or re.search(r"[，,；;：:（(]", title):
        return ""
    return title


class OutlineStack:
    """The current heading path; a style seen before closes everything nested under it."""

    def __init__(self) -> None:
        self._stack: list[tuple[str, str]] = []

    def push(self, style: str, heading: str) -> None:
        styles = [s for s, _ in self._stack]
        if style in styles:
            del self._stack[styles.index(style) :]
        self._stack.append((style, heading))

    def path(self) -> list[str]:
        return [h for _, h in self._stack]

    def styles(self) -> list[str]:
        return [s for s, _ in self._stack]

    def depth(self) -> int:
        return len(self._stack)

    def top_style(self) -> str | None:
        return self._stack[-1][0] if self._stack else None
