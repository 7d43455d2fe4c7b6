"""Accuracy of extraction against hand-checked gold files (`tests/gold/`).

Gold tasks are matched to extracted tasks by anchor: a short run of the task's own text that
an extracted task's text (white space removed) must contain. Every other figure is counted
over matched pairs, and an extracted task that matches no gold task counts its facts as
false positives — so over-segmentation is punished, not hidden.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from plankg.ingest.agencies import fold

_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class Score:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _score(gold: Counter, found: Counter) -> Score:
    tp = sum((gold & found).values())
    return Score(tp, sum(found.values()) - tp, sum(gold.values()) - tp)


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _num(v: float) -> float:
    return round(float(v), 6)


def evaluate(
    records: Iterable[dict[str, Any]], gold_dir: Path, docs: set[str] | None = None
) -> dict[str, Score]:
    """Score extracted records (the `plankg extract --format jsonl` objects) against gold.

    `docs` restricts the gold to documents that were extracted (default: those in `records`).
    """
    records = list(records)
    tasks = [r for r in records if r.get("kind") == "task"]
    goals = [  # a goal record holds its targets; the gold lists targets
        {"doc": r["doc"], **i}
        for r in records
        if r.get("kind") == "goal"
        for i in r.get("indicators", [])
    ]
    docs = docs if docs is not None else {r["doc"] for r in records if "doc" in r}
    gold_tasks = [g for g in load_jsonl(gold_dir / "tasks.jsonl") if g["doc"] in docs]
    goals_file = gold_dir / "goals.jsonl"
    gold_goals = (
        [g for g in load_jsonl(goals_file) if g["doc"] in docs] if goals_file.exists() else None
    )

    # match each gold task to the first extracted task of its document containing the anchor
    by_doc: dict[str, list[tuple[int, str]]] = {}
    for i, t in enumerate(tasks):
        by_doc.setdefault(t["doc"], []).append((i, _comparable(t.get("text", ""))))
    key_of: dict[int, str] = {}  # extracted task index → gold key
    matched_gold = 0
    for g in gold_tasks:
        anchor = _comparable(g["anchor"])
        for i, text in by_doc.get(g["doc"], []):
            if anchor in text and i not in key_of:
                key_of[i] = f"{g['doc']}#{g['anchor']}"
                matched_gold += 1
                break
    task_score = Score(len(key_of), len(tasks) - len(key_of), len(gold_tasks) - matched_gold)

    def pairs(items: Iterable[dict], field: str, keyed: bool) -> Counter:
        out: Counter = Counter()
        for i, item in items:
            key = item["_key"] if keyed else key_of.get(i, f"{item['doc']}#extracted-{i}")
            for value in item.get(field, []):
                out[(key, _value_key(field, value))] += 1
        return out

    gold_keyed = [(None, {**g, "_key": f"{g['doc']}#{g['anchor']}"}) for g in gold_tasks]
    found = list(enumerate(tasks))
    scores = {"tasks": task_score}
    for field in ("lead", "assist", "lead_raw", "assist_raw", "indicators", "projects", "parks"):
        if gold_tasks and not all(field in g for g in gold_tasks):
            continue  # a gold set that does not annotate this field (canonical names…)
        scores[field] = _score(pairs(gold_keyed, field, True), pairs(found, field, False))
    if gold_goals is not None:
        scores["goals"] = _score(
            Counter((g["doc"], _num(g["norm_value"]), g["norm_unit"]) for g in gold_goals),
            Counter((g["doc"], _num(g["norm_value"]), g["norm_unit"]) for g in goals),
        )
    return scores


def _comparable(text: str) -> str:
    """The form anchors and names are compared in: no white space, traditional = simplified."""
    return fold(_WS.sub("", text))


def _value_key(field: str, value: Any) -> Any:
    if field == "indicators":
        return (_num(value["norm_value"]), fold(value["norm_unit"]))
    return _comparable(value)


def _sources(gold_dir: Path) -> list[dict[str, str]]:
    path = gold_dir / "sources.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh) if r.get("file")]


def jurisdiction_truth(gold_dir: Path) -> dict[str, str]:
    """`sources.csv` (file, jurisdiction: the full path such as 浙江省嘉兴市桐乡市), if any."""
    return {r["file"]: r["jurisdiction"] for r in _sources(gold_dir) if r.get("jurisdiction")}


def source_urls(gold_dir: Path) -> dict[str, str]:
    """The web address each document was saved from, by file name (`sources.csv`)."""
    return {r["file"]: r["url"] for r in _sources(gold_dir) if r.get("url")}


def jurisdiction_score(plans: Iterable[dict[str, Any]], truth: dict[str, str]) -> Score:
    """Plans whose detected jurisdiction is the true one (tp) or another place (fp) or none.

    A detection is right when its path from the province down (`jurisdiction_path`) joined is
    the truth, or the truth ends with the detected name and the path is unknown.
    """
    tp = fp = fn = 0
    for plan in plans:
        want = truth.get(plan["doc"])
        if want is None:
            continue
        path = "".join(plan.get("jurisdiction_path") or [])
        name = plan.get("jurisdiction") or ""
        if path == want or (not path and name and want.endswith(name)):
            tp += 1
        elif name:
            fp += 1
        else:
            fn += 1
    return Score(tp, fp, fn)


def format_scores(scores: dict[str, Score]) -> str:
    rows = [f"{'metric':<12} {'P':>6} {'R':>6} {'F1':>6} {'tp':>5} {'fp':>5} {'fn':>5}"]
    for name, s in scores.items():
        prf = f"{s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f}"
        rows.append(f"{name:<12} {prf} {s.tp:5d} {s.fp:5d} {s.fn:5d}")
    return "\n".join(rows)


@dataclass
class GoldRun:
    """One evaluation run: the plans extracted, their records and the scores."""

    plans: list[Any]
    records: list[dict[str, Any]]
    scores: dict[str, Score]
    errors: list[str]
    truth: dict[str, str]


def run_gold_set(gold_dir: Path, paths: list[str] | None = None) -> GoldRun:
    """Extract a gold set's documents (default: its `docs/` folder, else `data/plans/`), with
    the web address `sources.csv` gives each, and score them — what `plankg eval` prints."""
    from plankg.ingest.agencies import AgencyDirectory
    from plankg.ingest.discover import discover_plans
    from plankg.ingest.extract import extract_plan
    from plankg.ingest.reading import PlanReadError

    default = gold_dir / "docs" if (gold_dir / "docs").is_dir() else Path("data/plans")
    found = discover_plans(paths or [str(default)])
    urls = source_urls(gold_dir)
    directory = AgencyDirectory.load()
    plans, errors = [], list(found.errors)
    for path in found.files:
        try:
            plans.append(extract_plan(path, source_url=urls.get(path.name), directory=directory))
        except PlanReadError as exc:
            errors.append(str(exc))
    records = [r for p in plans for r in p.to_records()]
    scores = evaluate(records, gold_dir, {p.doc for p in plans})
    truth = jurisdiction_truth(gold_dir)
    if truth:
        scores["jurisdiction"] = jurisdiction_score([p.to_record() for p in plans], truth)
    return GoldRun(plans, records, scores, errors, truth)
