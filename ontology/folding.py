"""Traditional → simplified folding for matching, one character for one.

The table is `char_folding.csv`, the same data the normaliser and agency matching use. One
character maps to one, so an index into folded text is an index into the text as written:
matchers search the folded form and cut the original.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent


def table() -> dict[int, str]:
    """The `str.translate` table: traditional code point → simplified character."""
    return _table()[0]


@lru_cache(maxsize=1)
def _table() -> tuple[dict[int, str], re.Pattern[str]]:
    with (HERE / "char_folding.csv").open(encoding="utf-8", newline="") as fh:
        table = {
            ord(r["traditional"]): r["simplified"]
            for r in csv.DictReader(fh)
            if len(r["traditional"]) == 1 and len(r["simplified"]) == 1
        }
    chars = "".join(re.escape(chr(c)) for c in sorted(table))
    return table, re.compile(f"[{chars}]" if chars else r"(?!)")


def fold(text: str) -> str:
    """`text` with traditional characters simplified; same length, same indices."""
    # a set test runs in C and is far cheaper than translating (or a 4,000-character class
    # search), and most text has nothing to fold
    return text if _keys().isdisjoint(text) else text.translate(_table()[0])


@lru_cache(maxsize=1)
def _keys() -> frozenset[str]:
    return frozenset(chr(c) for c in _table()[0])


def variants(simplified: str) -> set[str]:
    """Every spelling of `simplified` that folds to it (`万吨` → 万吨, 萬吨, 万噸, 萬噸)."""
    table, _ = _table()
    back: dict[str, set[str]] = {}
    for trad, simp in table.items():
        back.setdefault(simp, set()).add(chr(trad))
    out = {""}
    for ch in simplified:
        out = {head + c for head in out for c in {ch} | back.get(ch, set())}
    return out
