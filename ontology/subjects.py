"""Indicator subjects: the clean form a target is shown with, and the key targets match by.

A subject is the noun phrase a target measures (`地区生产总值增长率`). Text around a number
brings noise with it — item numbers (`1.`, `（三）`, a table row number glued to the text),
table separators (`|`, tabs), years and periods (`2024年`, `1-9月份`), words of intent
(`力争`, `确保`), verbs of reaching (`实现`, `达到`) and scope words (`全县`) — none of which
is part of what is measured. `clean_subject` removes them; `subject_key` is the comparison form
built on it, so two plans that write one subject differently still match, while the subject
shown keeps its own wording. The vocabularies are data (`subject_vocabulary.csv`); words
that say *what is counted* (`新增就业人数`, `新培育…企业`) are deliberately not in them.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from plankg.ontology.folding import fold

HERE = Path(__file__).resolve().parent

_SEPARATOR = re.compile(r"[|\t｜]")
# item numbers and table row numbers; a bare number glued to text is a row number unless a
# unit, magnitude or date word follows it (`12个`, `3万`, `2024年` are not item numbers)
_ITEM = re.compile(
    r"^(?:[\s|｜]+"
    r"|\d{1,3}(?:[.．](?!\d)|[、）)]|\s+)"
    r"|[（(][\d一二三四五六七八九十]{1,3}[）)]"
    r"|[一二三四五六七八九十]{1,3}[、.．]"
    r"|[①-⑳]"
    r"|\d{1,3}(?=[\u4e00-\u9fff])(?![\d万亿千百十年月日个家项名座所处条户人次%])"
    r")"
)
_PERIOD = re.compile(
    r"^(?:到|至|截至)?(?:\d{4}(?:[-—–~至]\d{4})?年(?:度|底|末|初|前)?"
    r"|\d{1,2}(?:[-—–~至]\d{1,2})?月(?:份|底|末)?(?:前)?)"
)
_SPACE_OR_MARK = re.compile(r"^[\s、，,；;：:]+|[\s、，,；;：:]+$")


@dataclass(frozen=True)
class Vocabulary:
    """The word lists of `subject_vocabulary.csv` by kind, longest first."""

    hedge: tuple[str, ...]
    verb: tuple[str, ...]
    filler: tuple[str, ...]
    scope: tuple[str, ...]
    tail: tuple[str, ...]
    growth: tuple[str, ...]

    @property
    def leading(self) -> tuple[str, ...]:
        """Words a clean subject never starts with."""
        return tuple(sorted({*self.hedge, *self.verb, *self.filler, *self.scope}, key=len)[::-1])


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    words: dict[str, list[str]] = {}
    with (HERE / "subject_vocabulary.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            words.setdefault(row["kind"], []).append(row["term"])

    def kind(name: str) -> tuple[str, ...]:
        return tuple(sorted(words.get(name, ()), key=len, reverse=True))

    return Vocabulary(
        kind("hedge"), kind("verb"), kind("filler"), kind("scope"), kind("tail"), kind("growth")
    )


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    v = vocabulary()
    # a verb may carry the complement 好 (落实好, 建设好)
    verbs = "|".join(map(re.escape, v.verb))
    others = "|".join(map(re.escape, (w for w in v.leading if w not in v.verb)))
    lead = re.compile(f"^(?:(?:{verbs})好?|{others})")
    tail = re.compile("(?:" + "|".join(map(re.escape, v.tail)) + ")$")
    growth = re.compile("(?:" + "|".join(map(re.escape, v.growth)) + ")$")
    return lead, tail, growth


def clean_subject(subject: str) -> str:
    """`1.努力实现地区生产总值增长率` → `地区生产总值增长率`, `3\\t固定资产投资` →
    `固定资产投资`: noise stripped from both ends (matched in the simplified fold, so
    `力爭` goes too). What remains may be empty (`确保` alone); the caller decides then."""
    lead, tail, _ = _patterns()
    s = _SEPARATOR.split(subject)[-1]
    while True:
        before = s
        s = _SPACE_OR_MARK.sub("", s)
        for pattern in (_ITEM, _PERIOD, lead):
            m = pattern.match(fold(s))
            if m and m.end():
                s = s[m.end() :]
        if s == before:
            break
    while True:
        m = tail.search(fold(s))
        if not m or m.start() < 2:
            break
        s = s[: m.start()]
    return _SPACE_OR_MARK.sub("", s)


def subject_key(subject: str, jurisdiction: str = "") -> str:
    """The form two targets must share to be "the same subject": the clean subject in the
    simplified fold, NFKC (full-width → half-width), without white space, punctuation or
    symbols, Latin lower-cased, without a leading scope word or the jurisdiction's own name,
    and with any growth wording (`增速`, `增幅`, `增长`) read as `增长率`."""
    _, _, growth = _patterns()
    s = unicodedata.normalize("NFKC", fold(subject))
    s = clean_subject(s) or s
    s = "".join(ch for ch in s if unicodedata.category(ch)[0] not in "PSZC").lower()
    for prefix in (jurisdiction, *vocabulary().scope):
        if prefix and s.startswith(prefix) and len(s) > len(prefix):
            s = s[len(prefix) :]
            break
    return growth.sub("增长率", s)


__all__ = ["Vocabulary", "clean_subject", "subject_key", "vocabulary"]
