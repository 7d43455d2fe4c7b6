"""When a task is due: the text as written (`12月底前`, `2023年6月底前完成`, `长期坚持`) and,
where it states one, the date — the last day of the stated period, in the plan's year when
the text names only a month. Open-ended wording (`持续推进`) has no date.

A deadline comes from a 完成时限 column, a 时限要求 label, a limit written inside the clause
(`…管委会，6月底完成）`), or a deadline phrase in the task's own text; when the text states
several (`1月底前完成；其它事项12月底前…`) the task is due at the last of them.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter

from plankg.ingest.model import Deadline, Span

_CN = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_DATE = re.compile(
    r"(?:(?P<y>20\d{2})\s*[年.\-/])?\s*(?P<m>1[0-2]|0?[1-9])\s*(?:月|(?=[-—至~～]))"
    r"(?:\s*(?P<d>[12]\d|3[01]|0?[1-9])\s*日|(?P<part>底|末|份|中旬|上旬|下旬))?"
)
_RANGE_END = re.compile(
    r"20\d{2}[.\-/年]\d{1,2}\s*[-—至~～]\s*(?P<y>20\d{2})[.\-/年](?P<m>\d{1,2})"
)
_YEAR_END = re.compile(r"(?P<y>20\d{2})?\s*年\s*(?:底|末|内)")
_HALF = re.compile(r"(?P<y>20\d{2})?\s*年?(?P<h>上|下)半年")
_QUARTER = re.compile(r"(?P<y>20\d{2})?\s*年?第?(?P<q>[一二三四1-4])季度")
_YEAR_ONLY = re.compile(r"(?<!\d)(?P<y>20\d{2})\s*年(?!\s*\d)")
# a deadline phrase inside a task's text: the time limit and what must be done by then
_PHRASE = re.compile(
    r"(?:20\d{2}年)?(?:(?:1[0-2]|[1-9])月(?:底|末|份|中旬|上旬|下旬)?|年[底末内]|[上下]半年)"
    r"(?:前|以前)(?:完成|建成|实现|到位|落实|办结|出台|制定)?"
    r"|(?:20\d{2}年)?(?:1[0-2]|[1-9])月(?:底|末|份)?(?:完成|建成|投入使用|投用|开工|竣工|实现|开业|开放)"
    r"|20\d{2}年(?:底|末)前?"
)
_TITLE_YEAR = re.compile(r"(?<!\d)(20\d{2})\s*年")


def plan_year(text: str) -> int | None:
    """The year a plan is for: the first year its title names, else the one its text names
    most often."""
    title = text.split("\n", 1)[0]
    found = _TITLE_YEAR.search(title)
    if found:
        return int(found.group(1))
    counts = Counter(int(m.group(1)) for m in _TITLE_YEAR.finditer(text))
    return counts.most_common(1)[0][0] if counts else None


def find(folded: str) -> tuple[int, int] | None:
    """The first deadline phrase in a task's (folded) text, as offsets, or None."""
    m = _PHRASE.search(folded)
    return (m.start(), m.end()) if m else None


def _month_end(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


def dates(folded: str, year: int | None) -> list[str]:
    """Every date a deadline text states, as ISO strings (the end of each stated period)."""
    out: list[str] = []
    taken: list[tuple[int, int]] = []

    def free(m: re.Match[str]) -> bool:
        return not any(s < m.end() and m.start() < e for s, e in taken)

    for m in _RANGE_END.finditer(folded):
        out.append(_month_end(int(m.group("y")), int(m.group("m"))))
        taken.append(m.span())
    for m in _DATE.finditer(folded):
        if not free(m):
            continue
        y = int(m.group("y")) if m.group("y") else year
        if y is None:
            continue
        month = int(m.group("m"))
        if m.group("d"):
            day = min(int(m.group("d")), calendar.monthrange(y, month)[1])
            out.append(f"{y:04d}-{month:02d}-{day:02d}")
        elif m.group("part") == "上旬":
            out.append(f"{y:04d}-{month:02d}-10")
        elif m.group("part") == "中旬":
            out.append(f"{y:04d}-{month:02d}-20")
        else:
            out.append(_month_end(y, month))
        taken.append(m.span())
    for pattern, build in (
        (_HALF, lambda m, y: f"{y:04d}-06-30" if m.group("h") == "上" else f"{y:04d}-12-31"),
        (_QUARTER, lambda m, y: _month_end(y, 3 * _CN[m.group("q")])),
        (_YEAR_END, lambda m, y: f"{y:04d}-12-31"),
        (_YEAR_ONLY, lambda m, y: f"{y:04d}-12-31"),
    ):
        for m in pattern.finditer(folded):
            if not free(m):
                continue
            y = int(m.group("y")) if m.group("y") else year
            if y is not None:
                out.append(build(m, y))
                taken.append(m.span())
    return out


def parse(written: str, folded: str, year: int | None, span: Span | None = None) -> Deadline:
    """A deadline from its text as written and its folded form (same length)."""
    text = re.sub(r"\s+", "", written).strip("，,。；;：:")
    found = dates(folded, year)
    return Deadline(text, max(found) if found else None, span)


__all__ = ["dates", "find", "parse", "plan_year"]
