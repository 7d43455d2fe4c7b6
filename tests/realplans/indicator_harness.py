"""Measure `extract_indicators` on the real plans without depending on task segmentation.

For each gold task of `tasks.jsonl` the harness finds its anchor in the document text (white
space removed, traditional = simplified), takes the item around it — from the last item
boundary before the anchor (line start, a `|` cell separator, a sentence end followed by white
space as between table cells, the end of an earlier responsibility clause; the anchor itself
when an earlier anchor shares the line) to the first one after it (line end, `|`, sentence end
plus white space, the end of the task's own responsibility clause, the next gold anchor) —
normalises that text as the pipeline does (or, with `--raw`, only removes its white space, so
traditional script reaches the extractor unfolded) and runs `extract_indicators` on it. Found
and gold `(norm_value, norm_unit)` multisets are compared per task.

This approximates the real evaluation, which runs on the extractor's task text.
Run: `.venv/bin/python tests/realplans/indicator_harness.py [-v] [--raw]`.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from plankg.ingest.agencies import fold
from plankg.ingest.indicators import extract_indicators
from plankg.ingest.normalize import normalize

HERE = Path(__file__).resolve().parent
_CLAUSE = re.compile(
    r"[（(\[【][^（(\[【）)\]】]*(?:牵头|责任|负责|配合|主办|协办)[^（(\[【）)\]】]*[）)\]】]"
)
_START_BOUNDARY = re.compile(r"\||。\s|\n")
_END_BOUNDARY = re.compile(r"\||。(?=\s)|\n")


@dataclass
class TaskResult:
    doc: str
    anchor: str
    window: str
    gold: Counter
    found: Counter


def _compact(text: str) -> tuple[str, list[int]]:
    """`text` without white space, folded, and the index in `text` of each kept character."""
    kept = [(fold(ch), i) for i, ch in enumerate(text) if not ch.isspace()]
    return "".join(c for c, _ in kept), [i for _, i in kept]


def _key(value: float, unit: str) -> tuple[float, str]:
    return (round(float(value), 6), fold(unit))


def windows(doc_text: str, anchors: list[str]) -> list[tuple[int, int] | None]:
    """The (start, end) item window of each anchor in `doc_text`."""
    compact, index = _compact(doc_text)
    starts: list[tuple[int, int] | None] = []
    for anchor in anchors:
        at = compact.find(fold(re.sub(r"\s+", "", anchor)))
        if at < 0:
            starts.append(None)
            continue
        starts.append((index[at], index[at + len(fold(re.sub(r"\s+", "", anchor))) - 1] + 1))
    out: list[tuple[int, int] | None] = []
    clauses = [m.span() for m in _CLAUSE.finditer(doc_text)]
    for span in starts:
        if span is None:
            out.append(None)
            continue
        s, e = span
        start = max([0] + [m.end() for m in _START_BOUNDARY.finditer(doc_text, 0, s)])
        start = max([start] + [ce for _, ce in clauses if ce <= s])
        if any(o is not None and start <= o[0] < s for o in starts):
            start = s  # an earlier task shares the line: this one starts at its anchor
        ends = [len(doc_text)]
        boundary = _END_BOUNDARY.search(doc_text, e)
        if boundary:
            ends.append(boundary.end())
        ends += [ce for cs, ce in clauses if cs >= e][:1]
        ends += [o[0] for o in starts if o is not None and o[0] >= e]
        out.append((start, min(ends)))
    return out


def run(root: Path = HERE, raw: bool = False) -> list[TaskResult]:
    """Every gold task of the real plans with its window and found/gold indicator multisets."""
    gold = [json.loads(line) for line in (root / "tasks.jsonl").open(encoding="utf-8") if line]
    by_doc: dict[str, list[dict]] = {}
    for g in gold:
        by_doc.setdefault(g["doc"], []).append(g)
    results = []
    for doc, tasks in sorted(by_doc.items()):
        text = (root / "docs" / doc).read_text(encoding="utf-8")
        for g, span in zip(tasks, windows(text, [t["anchor"] for t in tasks]), strict=True):
            window = text[span[0] : span[1]] if span else ""
            window = re.sub(r"\s+", "", window) if raw else normalize(window).text
            found = Counter(_key(i.norm_value, i.norm_unit) for i in extract_indicators(window))
            want = Counter(_key(i["norm_value"], i["norm_unit"]) for i in g["indicators"])
            results.append(TaskResult(doc, g["anchor"], window, want, found))
    return results


def score(results: list[TaskResult]) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives) over all tasks."""
    tp = sum(sum((r.gold & r.found).values()) for r in results)
    fp = sum(sum((r.found - r.gold).values()) for r in results)
    fn = sum(sum((r.gold - r.found).values()) for r in results)
    return tp, fp, fn


def f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def main(argv: list[str]) -> None:
    results = run(raw="--raw" in argv)
    for r in results:
        if "-v" in argv or r.gold != r.found:
            extra, missing = r.found - r.gold, r.gold - r.found
            print(f"{r.doc} {r.anchor}: +{dict(extra)} -{dict(missing)}")
            if "-v" in argv:
                print("   ", r.window.replace("\n", " ⏎ "))
    tp, fp, fn = score(results)
    p = tp / (tp + fp) if tp + fp else 1.0
    r_ = tp / (tp + fn) if tp + fn else 1.0
    print(f"tp {tp} fp {fp} fn {fn}  P {p:.3f} R {r_:.3f} F1 {f1(tp, fp, fn):.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
