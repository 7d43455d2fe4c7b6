"""Synthetic plan corpus with known answers, for benchmarks at scale.

`generate(n, out_dir, seed)` writes `n` plans under invented jurisdictions, recombined from the
five sample plans (`data/plans/`), with gold answers in exactly the format of `tests/gold/`::

    out_dir/plans/00000_<sha>.txt ...      the plans (UTF-8)
    out_dir/gold/tasks.jsonl               one task per line (doc, anchor, section, lead, ...)
    out_dir/gold/goals.jsonl               plan-level targets
    out_dir/gold/taskforces.jsonl          the 推进机制 working groups
    out_dir/gold/agencies.csv              the sample alias rows, rewritten for every jurisdiction
    out_dir/gold/jurisdictions.csv         the invented places (name, parent, short, note)
    out_dir/gold/docs.jsonl                manifest: doc → jurisdiction, skeleton, sections used
    out_dir/plans/<doc>.meta.toml          with `sidecars=True` only: the jurisdiction, for the
                                           extractor (`read_sidecar`), bypassing detection

How a plan is made. Each sample plan is cut into a *skeleton* (title, preamble, goals, the
推进机制 section — everything that is not a task section, byte for byte) with one *slot* per
run of task sections, and a pool of *task sections* (a heading, its intro, its tasks). A
synthetic plan takes the skeleton of one sample and fills each slot with task sections drawn
without replacement from all samples of the same level (县 plans 000-003 write `县发改局`, the 区
plan 004 writes `区科技工信局`, so the two never mix), keeping a random subset of each section's
tasks in order. Section and task numbers are rewritten to the new positions (in the skeleton's
numbering style); every other byte of a paragraph — page-break damage included — is copied.
Finally the source place name is replaced everywhere, in the text and in the gold records alike:
`平江县`/`平江` → `X县`/`X`, `大通湖区`/`大通湖` → `Y区`/`Y` (so `平江高新区` → `X高新区`,
`国网平江供电公司` → `国网X供电公司`, `平江县科技和工业信息化局` → `X县科技和工业信息化局`).

The sample structure is checked against the sample gold when it is first read (every task
block holds exactly one gold anchor, every computed section path equals the gold one), so the
synthetic gold is right by construction. Everything is a pure function of the seed, and plan
`i` depends only on `(seed, i)`: the first 100 plans of a 1,000-plan corpus are the 100-plan
corpus (up to the last, partly filled jurisdiction of the smaller one).

Invented names are two-character stems from `bench/places.py` plus 县/区, unique, never a stem
found in the samples, the gold or a real county/district/city (`bench/real_place_stems.txt`).

Run from the repo root: `python -m bench.corpus 1000 build/corpus1k [--seed 0] [--sidecars]`.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import Path

from bench import places

ROOT = Path(__file__).resolve().parent.parent
SAMPLES_DIR = ROOT / "data" / "plans"
GOLD_DIR = ROOT / "tests" / "gold"

# The sample jurisdictions: level → (full name, short form used in the text).
SOURCE_PLACES = {"县": ("平江县", "平江"), "区": ("大通湖区", "大通湖")}
DISTRICT_SHARE = 0.2  # share of invented jurisdictions that are 区 (the samples: 1 of 5 plans)
KEEP_TASK = 0.85  # chance that a task of a chosen section is kept

_CN = "一二三四五六七八九十百零〇"
_MARKERS = {
    "cn": rf"[{_CN}]+[、．.](?![{_CN}])",
    "paren_cn": rf"[（(][{_CN}]+[）)]",
    "arabic": r"\d{1,2}[．.、](?![\d%])",
    "paren_arabic": r"[（(]\d{1,2}[）)](?![型号])",
}
_STYLE_ORDER = tuple(_MARKERS)
_DEFAULT_MARKER = {"cn": "一、", "paren_cn": "（一）", "arabic": "1.", "paren_arabic": "（1）"}
_HEAD = re.compile(
    r"(?P<pre>[ \t\u3000]*(?:#{1,6}[ \t]*)?(?:\*\*)?)(?P<marker>"
    + "|".join(f"(?P<{style}>{pattern})" for style, pattern in _MARKERS.items())
    + ")"
)
_WS = re.compile(r"\s+")
_HEADING_JUNK = re.compile(r"[\s*]+")
# what the last parenthesis of a responsibility clause contains (`（县发改局牵头…负责）`)
_CLAUSE_WORDS = re.compile(r"负责|牵头|配合|[局委办部会镇]|中心|公司|单位")
_CN_DIGITS = "零一二三四五六七八九"


def _strip(text: str) -> str:
    return _WS.sub("", text)


def _cn_number(n: int) -> str:
    if not 0 < n < 100:
        raise ValueError(f"no Chinese numeral for {n}")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN_DIGITS[tens] + "十")
    return head + (_CN_DIGITS[ones] if ones else "")


def renumber(marker: str, n: int) -> str:
    """`（三）` → `（n）` in Chinese numerals, `3.` → `n.`: the marker's own brackets and dots."""
    if re.search(f"[{_CN}]", marker):
        return re.sub(f"[{_CN}]+", _cn_number(n), marker, count=1)
    return re.sub(r"\d+", str(n), marker, count=1)


# ---------------------------------------------------------------- reading the samples


@dataclass
class Block:
    """A paragraph as the source lays it out: a heading, a task (ends with its clause) or text.

    `start`/`end` are offsets in the source text; the block may span page-break fragments.
    """

    start: int
    end: int
    style: str | None = None  # numbering style when the block starts with a marker
    marker: tuple[int, int] | None = None  # offsets of the marker (no white space)
    heading: str = ""  # marker + title, as the gold `section` paths write it
    closed: bool = False  # ends with a responsibility clause: a task
    heading_only: bool = False  # a heading line without body text


@dataclass
class Child:
    """A block inside a task section, ready to re-render."""

    sep: str  # the white space before it in the source
    text: str
    marker: tuple[int, int] | None  # relative to `text`
    style: str | None
    task: dict | None  # the gold task record, for task blocks
    goals: list[dict]


@dataclass
class Section:
    """A task section: heading, intro text and tasks, movable into any slot of its level."""

    id: int
    doc: str
    level: str
    sep: str
    text: str  # the heading block
    marker: tuple[int, int]
    style: str
    heading: str
    goals: list[dict]  # goals stated in the heading block
    children: list[Child]
    stripped: str  # all its text without white space (for anchor conflicts)
    anchors: tuple[str, ...]


@dataclass
class Slot:
    """Where a skeleton holds a run of task sections."""

    container: tuple[str, ...]  # section path of the parent heading
    n_sections: int  # how many the source had
    section_style: str
    section_marker: str  # template for sections placed here in another style
    task_style: str
    task_marker: str


@dataclass
class Skeleton:
    doc: str
    level: str
    parts: list[str | Slot]  # source text between slots, and the slots
    goals: list[dict]  # goals outside the task sections
    taskforces: list[dict]
    conflicts: set[int] = field(default_factory=set)  # sections whose anchors occur in it


@dataclass
class Sources:
    skeletons: dict[str, list[Skeleton]]  # level → skeletons
    sections: dict[str, list[Section]]  # level → sections
    conflicts: dict[int, set[int]]  # section id → sections it cannot share a plan with
    agencies: dict[str, list[dict[str, str]]]  # level → agency rows of the sample jurisdiction
    parents: dict[str, tuple[str, ...]]  # level → divisions above the sample jurisdiction
    banned: frozenset[str]  # every two characters in a row of the samples, gold and places


def _jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _is_closed(line: str) -> bool:
    t = line.rstrip().rstrip("*").rstrip()
    if not t.endswith(("）", ")")):
        return False
    k = max(t.rfind("（"), t.rfind("("))
    return bool(_CLAUSE_WORDS.search(t[k + 1 : -1] if k >= 0 else t))


def split_blocks(text: str) -> list[Block]:
    """Paragraph blocks: a new one starts at a numbered heading, after a responsibility clause or
    after a heading-only line; any other line (a page-break fragment) continues the block."""
    blocks: list[Block] = []
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if not line.strip():
            continue
        m = _HEAD.match(line)
        if m is not None:
            rest = line[m.end() :].lstrip()
            if not rest or rest[0] in "，,、；;：:%":
                m = None
        closed = _is_closed(line)
        cur = blocks[-1] if blocks else None
        if m is None and cur is not None and not cur.closed and not cur.heading_only:
            cur.end = end
            cur.closed = closed
            continue
        block = Block(start, end, closed=closed)
        if m is not None:
            block.style = next(style for style in _MARKERS if m.group(style))
            block.marker = (start + m.start("marker"), start + m.end("marker"))
            title = line[m.end() :].split("。")[0]
            block.heading = _HEADING_JUNK.sub("", m.group("marker") + title)
            block.heading_only = "。" not in line and not closed
        blocks.append(block)
    return blocks


def _locate(stripped: list[str], anchor: str, doc: str) -> int:
    hits = [i for i, s in enumerate(stripped) if _strip(anchor) in s]
    if len(hits) != 1:
        raise ValueError(f"{doc}: anchor {anchor!r} found in {len(hits)} blocks")
    return hits[0]


def _read_agencies() -> dict[str, list[dict[str, str]]]:
    with (GOLD_DIR / "agencies.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    by_place = {full: level for level, (full, _) in SOURCE_PLACES.items()}
    out: dict[str, list[dict[str, str]]] = {level: [] for level in SOURCE_PLACES}
    for row in rows:
        if row["jurisdiction"] in by_place:
            out[by_place[row["jurisdiction"]]].append(row)
    return out


def _read_parents() -> dict[str, tuple[str, ...]]:
    """The divisions above each sample jurisdiction, province first: from the gazetteer, or
    from the sample's sidecar for a place the table does not list (大通湖区)."""
    from plankg.ingest.jurisdiction import given
    from plankg.ingest.metadata import read_sidecar

    written = {}
    for path in sorted(SAMPLES_DIR.glob("*.txt")):
        name = read_sidecar(path).get("jurisdiction")
        if name:
            found = given(name)
            written[found.division.name if found.division else found.name] = found
    out = {}
    for level, (full, _) in SOURCE_PLACES.items():
        found = written.get(full) or given(full)
        out[level] = tuple(d.name for d in found.parents)
    return out


@cache
def load_sources() -> Sources:
    """Cut the samples into skeletons and task sections, checked against the sample gold."""
    tasks_by_doc: dict[str, list[dict]] = {}
    for rec in _jsonl(GOLD_DIR / "tasks.jsonl"):
        tasks_by_doc.setdefault(rec["doc"], []).append(rec)
    goals_by_doc: dict[str, list[dict]] = {}
    for rec in _jsonl(GOLD_DIR / "goals.jsonl"):
        goals_by_doc.setdefault(rec["doc"], []).append(rec)
    forces_by_doc: dict[str, list[dict]] = {}
    for rec in _jsonl(GOLD_DIR / "taskforces.jsonl"):
        forces_by_doc.setdefault(rec["doc"], []).append(rec)

    skeletons: dict[str, list[Skeleton]] = {level: [] for level in SOURCE_PLACES}
    sections: dict[str, list[Section]] = {level: [] for level in SOURCE_PLACES}
    all_sections: list[Section] = []
    texts: list[str] = []
    for path in sorted(SAMPLES_DIR.glob("*.txt")):
        text = path.read_bytes().decode("utf-8")
        texts.append(text)
        levels = [lv for lv, (_, short) in SOURCE_PLACES.items() if short in text]
        if len(levels) != 1:
            raise ValueError(f"{path.name}: cannot tell the sample jurisdiction")
        skeleton, doc_sections = _cut(
            path.name,
            levels[0],
            text,
            tasks_by_doc.get(path.name, []),
            goals_by_doc.get(path.name, []),
            forces_by_doc.get(path.name, []),
            first_id=len(all_sections),
        )
        skeletons[levels[0]].append(skeleton)
        sections[levels[0]].extend(doc_sections)
        all_sections.extend(doc_sections)

    # anchors must stay unique in a plan: sections whose anchors occur in each other never meet
    conflicts: dict[int, set[int]] = {s.id: set() for s in all_sections}
    for a in all_sections:
        for b in all_sections:
            if a.id != b.id and a.level == b.level and any(x in b.stripped for x in a.anchors):
                conflicts[a.id].add(b.id)
                conflicts[b.id].add(a.id)
    for level, skels in skeletons.items():
        for skel in skels:
            fixed = _strip("".join(p for p in skel.parts if isinstance(p, str)))
            skel.conflicts = {s.id for s in sections[level] if any(x in fixed for x in s.anchors)}
    for name in ("tasks.jsonl", "goals.jsonl", "taskforces.jsonl", "agencies.csv"):
        texts.append((GOLD_DIR / name).read_text(encoding="utf-8"))
    return Sources(
        skeletons=skeletons,
        sections=sections,
        conflicts=conflicts,
        agencies=_read_agencies(),
        parents=_read_parents(),
        banned=frozenset(t[i : i + 2] for t in texts for i in range(len(t) - 1)),
    )


def _cut(
    doc: str,
    level: str,
    text: str,
    tasks: list[dict],
    goals: list[dict],
    forces: list[dict],
    first_id: int,
) -> tuple[Skeleton, list[Section]]:
    blocks = split_blocks(text)
    stripped = [_strip(text[b.start : b.end]) for b in blocks]

    # outline: section headings nest by the order their numbering styles first appear
    rank: dict[str, int] = {}
    for b in blocks:
        if b.style and not b.closed:
            rank.setdefault(b.style, len(rank))
    parent: list[int | None] = []
    path: list[tuple[str, ...]] = []
    stack: list[int] = []
    for i, b in enumerate(blocks):
        if b.style and not b.closed:
            while stack and rank[blocks[stack[-1]].style] >= rank[b.style]:
                stack.pop()
            parent.append(stack[-1] if stack else None)
            stack.append(i)
        else:
            parent.append(stack[-1] if stack else None)
        path.append(tuple(blocks[j].heading for j in stack))

    # gold: every task block holds exactly one gold task, at the gold section path
    task_of: dict[int, dict] = {}
    for rec in tasks:
        i = _locate(stripped, rec["anchor"], doc)
        if not blocks[i].closed or i in task_of:
            raise ValueError(f"{doc}: anchor {rec['anchor']!r} is not alone in a task block")
        if list(path[i]) != rec["section"]:
            raise ValueError(f"{doc}: {rec['anchor']!r} under {path[i]}, gold {rec['section']}")
        task_of[i] = rec
    untagged = [i for i, b in enumerate(blocks) if b.closed and i not in task_of]
    if untagged:
        raise ValueError(f"{doc}: task blocks without gold: {[stripped[i][:20] for i in untagged]}")
    goals_of: dict[int, list[dict]] = {}
    for rec in goals:
        i = _locate(stripped, rec["anchor"], doc)
        if list(path[i]) != rec["section"]:
            raise ValueError(
                f"{doc}: goal {rec['anchor']!r} under {path[i]}, gold {rec['section']}"
            )
        goals_of.setdefault(i, []).append(rec)

    # task sections: headings whose own children include tasks (and no sub-headings)
    children: dict[int, list[int]] = {}
    for i, p in enumerate(parent):
        if p is not None:
            children.setdefault(p, []).append(i)
    portable = [h for h, kids in children.items() if any(blocks[k].closed for k in kids)]
    for h in portable:
        if any(blocks[k].style and not blocks[k].closed for k in children[h]):
            raise ValueError(f"{doc}: section {blocks[h].heading} mixes tasks and sub-sections")
    if any(parent[i] not in portable for i in task_of):
        raise ValueError(f"{doc}: a task outside any section")

    def sep(i: int) -> str:
        return text[blocks[i - 1].end : blocks[i].start] if i else text[: blocks[0].start]

    def rel(i: int) -> tuple[int, int] | None:
        m = blocks[i].marker
        return None if m is None else (m[0] - blocks[i].start, m[1] - blocks[i].start)

    doc_sections: list[Section] = []
    by_container: dict[int | None, list[int]] = {}
    extent: dict[int, tuple[int, int]] = {}
    for h in sorted(portable):
        kids = children[h]
        if kids != list(range(h + 1, h + 1 + len(kids))):
            raise ValueError(f"{doc}: section {blocks[h].heading} is not contiguous")
        extent[h] = (h, kids[-1])
        section = Section(
            id=first_id + len(doc_sections),
            doc=doc,
            level=level,
            sep=sep(h),
            text=text[blocks[h].start : blocks[h].end],
            marker=rel(h),  # type: ignore[arg-type]
            style=blocks[h].style,  # type: ignore[arg-type]
            heading=blocks[h].heading,
            goals=goals_of.get(h, []),
            children=[
                Child(
                    sep=sep(k),
                    text=text[blocks[k].start : blocks[k].end],
                    marker=rel(k),
                    style=blocks[k].style,
                    task=task_of.get(k),
                    goals=goals_of.get(k, []),
                )
                for k in kids
            ],
            stripped="".join(stripped[h : kids[-1] + 1]),
            anchors=tuple(_strip(task_of[k]["anchor"]) for k in kids if k in task_of),
        )
        doc_sections.append(section)
        by_container.setdefault(parent[h], []).append(h)

    # the skeleton: the text around each run of sections that share a parent
    parts: list[str | Slot] = []
    pos = 0
    section_at = {h: s for h, s in zip(sorted(portable), doc_sections, strict=True)}
    for container, run in by_container.items():
        secs = [section_at[h] for h in run]
        for a, b in pairwise(run):
            if extent[a][1] + 1 != b:
                raise ValueError(f"{doc}: task sections of one parent are not adjacent")
        start, end = blocks[run[0]].start, blocks[extent[run[-1]][1]].end
        styles = Counter(c.style for s in secs for c in s.children if c.task and c.style)
        task_style = styles.most_common(1)[0][0] if styles else _deeper(secs[0].style)
        task_marker = next(
            (
                c.text[c.marker[0] : c.marker[1]]
                for s in secs
                for c in s.children
                if c.task and c.style == task_style and c.marker
            ),
            _DEFAULT_MARKER[task_style],
        )
        parts.append(text[pos:start])
        parts.append(
            Slot(
                container=path[container] if container is not None else (),
                n_sections=len(secs),
                section_style=secs[0].style,
                section_marker=secs[0].text[secs[0].marker[0] : secs[0].marker[1]],
                task_style=task_style,
                task_marker=task_marker,
            )
        )
        pos = end
    parts.append(text[pos:])

    in_sections = {i for h in portable for i in range(extent[h][0], extent[h][1] + 1)}
    skeleton = Skeleton(
        doc=doc,
        level=level,
        parts=parts,
        goals=[g for i, gs in sorted(goals_of.items()) if i not in in_sections for g in gs],
        taskforces=forces,
    )
    return skeleton, doc_sections


def _deeper(style: str) -> str:
    i = _STYLE_ORDER.index(style)
    return _STYLE_ORDER[min(i + 1, len(_STYLE_ORDER) - 1)]


# ---------------------------------------------------------------- invented jurisdictions


def iter_stems(seed: int = 0) -> Iterator[str]:
    """Unique invented place stems, in a seed-determined order: two characters, then three."""
    banned = load_sources().banned
    real = places.real_stems()
    ok_first = [c for c in dict.fromkeys(places.FIRST) if c not in places.FORBIDDEN]
    ok_last = [
        c
        for c in dict.fromkeys(places.SECOND)
        if c not in places.FORBIDDEN and c not in places.FORBIDDEN_LAST
    ]
    rng = random.Random(f"plankg-corpus:{seed}:stems")
    two = [
        a + b
        for a in ok_first
        for b in ok_last
        if a != b and a + b not in banned and a + b not in real
    ]
    rng.shuffle(two)
    yield from two
    three = [
        a + b + c
        for a in ok_first
        for b in ok_first
        for c in ok_last
        if len({a, b, c}) == 3
        and a + b not in banned
        and b + c not in banned
        and a + b + c not in real
    ]
    rng.shuffle(three)
    yield from three


@dataclass(frozen=True)
class Jurisdiction:
    name: str  # 盛仪县
    stem: str  # 盛仪
    level: str  # 县 or 区
    source: str  # the sample jurisdiction it stands in for: 平江县


# ---------------------------------------------------------------- generating


@dataclass(frozen=True)
class CorpusInfo:
    plans: int
    tasks: int
    goals: int
    taskforces: int
    bytes: int  # total size of the plan files
    jurisdictions: int
    out_dir: Path


@dataclass
class _Plan:
    text: str
    tasks: list[dict]
    goals: list[dict]
    sections: list[list[str]]


def _build_plan(src: Sources, skel: Skeleton, rng: random.Random) -> _Plan:
    pool = src.sections[skel.level]
    used: set[int] = set()
    out: list[str] = []
    tasks: list[dict] = []
    goals = [dict(g) for g in skel.goals]
    sections: list[list[str]] = []
    for part in skel.parts:
        if isinstance(part, str):
            out.append(part)
            continue
        want = max(1, part.n_sections + rng.choice((-1, 0, 0, 1)))
        order = list(pool)
        rng.shuffle(order)
        picked: list[Section] = []
        for s in order:
            if s.id in used or s.id in skel.conflicts or src.conflicts[s.id] & used:
                continue
            picked.append(s)
            used.add(s.id)
            if len(picked) == want:
                break
        if not picked:
            raise RuntimeError(f"{skel.doc}: no task section fits a slot")
        for n, s in enumerate(picked, 1):
            # the section's own marker style if the slot uses it, else the slot's (`1.` → `（二）`)
            own = s.text[s.marker[0] : s.marker[1]]
            marker = renumber(own if s.style == part.section_style else part.section_marker, n)
            if n > 1:  # the first one's separator is part of the skeleton text
                out.append(s.sep)
            out.append(s.text[: s.marker[0]] + marker + s.text[s.marker[1] :])
            heading = _HEADING_JUNK.sub("", marker) + s.heading[len(_strip(own)) :]
            section_path = [*part.container, heading]
            sections.append([s.doc, s.heading])
            goals.extend({**g, "section": section_path} for g in s.goals)

            task_idx = [i for i, c in enumerate(s.children) if c.task]
            keep = {i for i in task_idx if rng.random() < KEEP_TASK} or {rng.choice(task_idx)}
            numbered = 0
            for i, c in enumerate(s.children):
                if c.task and i not in keep:
                    continue
                body = c.text
                if c.task and c.marker is not None:
                    numbered += 1
                    own = c.text[c.marker[0] : c.marker[1]]
                    t = own if c.style == part.task_style else part.task_marker
                    body = c.text[: c.marker[0]] + renumber(t, numbered) + c.text[c.marker[1] :]
                out.append(c.sep)
                out.append(body)
                if c.task:
                    tasks.append({**c.task, "section": section_path})
                goals.extend({**g, "section": section_path} for g in c.goals)
    return _Plan("".join(out), tasks, goals, sections)


def _jurisdictions(seed: int) -> Iterator[Jurisdiction]:
    """The invented jurisdictions in order: unique stems, about one in five a 区."""
    for j, stem in enumerate(iter_stems(seed)):
        rng = random.Random(f"plankg-corpus:{seed}:jurisdiction:{j}")
        level = "区" if rng.random() < DISTRICT_SHARE else "县"
        yield Jurisdiction(stem + level, stem, level, SOURCE_PLACES[level][0])


def _dump(rec: dict, doc: str, short: str, stem: str) -> str:
    line = json.dumps({**rec, "doc": doc}, ensure_ascii=False)
    return line.replace(short, stem) + "\n"


def generate(
    n_plans: int,
    out_dir: Path,
    seed: int = 0,
    plans_per_jurisdiction: int = 5,
    *,
    sidecars: bool = False,
) -> CorpusInfo:
    """Write `n_plans` synthetic plans and their gold under `out_dir` (see the module doc).

    Plans are streamed out one at a time. Jurisdiction `j` gets plans `j*K … j*K+K-1`
    (K = `plans_per_jurisdiction`). With `sidecars`, each plan also gets a `<doc>.meta.toml`
    naming its jurisdiction (for runs that should not depend on jurisdiction detection).
    Existing `plans/*.txt` and `plans/*.meta.toml` in `out_dir` are removed first.
    """
    if n_plans < 0 or plans_per_jurisdiction < 1:
        raise ValueError("n_plans must be >= 0 and plans_per_jurisdiction >= 1")
    src = load_sources()
    out_dir = Path(out_dir)
    plans_dir, gold_dir = out_dir / "plans", out_dir / "gold"
    plans_dir.mkdir(parents=True, exist_ok=True)
    gold_dir.mkdir(parents=True, exist_ok=True)
    for pattern in ("*.txt", "*.meta.toml"):
        for old in plans_dir.glob(pattern):
            old.unlink()
    width = max(5, len(str(max(n_plans - 1, 0))))
    counts: Counter[str] = Counter()
    names = (
        "tasks.jsonl",
        "goals.jsonl",
        "taskforces.jsonl",
        "docs.jsonl",
        "agencies.csv",
        "jurisdictions.csv",
    )
    files = {name: (gold_dir / name).open("w", encoding="utf-8", newline="") for name in names}
    try:
        agencies = csv.writer(files["agencies.csv"], lineterminator="\n")
        agencies.writerow(["canonical", "jurisdiction", "kind", "aliases"])
        places_csv = csv.writer(files["jurisdictions.csv"], lineterminator="\n")
        places_csv.writerow(["name", "parent", "short", "note"])
        juris = _jurisdictions(seed)
        place: Jurisdiction | None = None
        order: list[Skeleton] = []
        seen_texts: set[str] = set()
        for i in range(n_plans):
            j, k = divmod(i, plans_per_jurisdiction)
            if place is None or k == 0:
                place = next(juris)
                counts["jurisdictions"] += 1
                short = SOURCE_PLACES[place.level][1]
                parents = src.parents[place.level]
                places_csv.writerow([place.name, parents[-1], place.stem, "synthetic"])
                for row in src.agencies[place.level]:
                    canonical, aliases = row["canonical"], row["aliases"]
                    agencies.writerow(
                        [
                            canonical.replace(short, place.stem),
                            place.name,
                            row["kind"],
                            aliases.replace(short, place.stem),
                        ]
                    )
                order = list(src.skeletons[place.level])
                random.Random(f"plankg-corpus:{seed}:skeletons:{j}").shuffle(order)
            skel = order[k % len(order)]
            # A district has one skeleton and few sections to draw from, so two of its plans can
            # come out identical; `plankg ingest` would rightly skip the second as a duplicate.
            # Draw again (deterministically) until the text is new.
            for attempt in range(50):
                rng = random.Random(
                    f"plankg-corpus:{seed}:plan:{i}" + f":{attempt}" * (attempt > 0)
                )
                plan = _build_plan(src, skel, rng)
                data = plan.text.replace(short, place.stem).encode("utf-8")
                digest = hashlib.sha256(data).hexdigest()
                if digest not in seen_texts:
                    break
            else:
                raise RuntimeError(f"plan {i}: no distinct text after 50 draws ({place.name})")
            seen_texts.add(digest)
            doc = f"{i:0{width}d}_{digest[:16]}.txt"
            (plans_dir / doc).write_bytes(data)
            if sidecars:
                sidecar = plans_dir / f"{doc}.meta.toml"
                # written out with its parents: the gazetteer does not list an invented place
                written = "".join(src.parents[place.level]) + place.name
                sidecar.write_text(f"jurisdiction = {json.dumps(written, ensure_ascii=False)}\n")
            manifest = {
                "doc": doc,
                "jurisdiction": place.name,
                "level": place.level,
                "skeleton": skel.doc,
                "sections": plan.sections,
                "tasks": len(plan.tasks),
                "goals": len(plan.goals),
            }
            for name, records in (
                ("tasks.jsonl", plan.tasks),
                ("goals.jsonl", plan.goals),
                ("taskforces.jsonl", skel.taskforces),
                ("docs.jsonl", [manifest]),
            ):
                fh = files[name]
                for rec in records:
                    fh.write(_dump(rec, doc, short, place.stem))
                counts[name] += len(records)
            counts["bytes"] += len(data)
    finally:
        for fh in files.values():
            fh.close()
    return CorpusInfo(
        plans=n_plans,
        tasks=counts["tasks.jsonl"],
        goals=counts["goals.jsonl"],
        taskforces=counts["taskforces.jsonl"],
        bytes=counts["bytes"],
        jurisdictions=counts["jurisdictions"],
        out_dir=out_dir,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.corpus", description="Generate a synthetic plan corpus with gold."
    )
    parser.add_argument("n_plans", type=int, help="number of plans (e.g. 10, 100, 1000, 10000)")
    parser.add_argument("out_dir", type=Path, help="writes OUT_DIR/plans and OUT_DIR/gold")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--per-jurisdiction", type=int, default=5, metavar="K", help="plans per jurisdiction"
    )
    parser.add_argument(
        "--sidecars", action="store_true", help="write <doc>.meta.toml naming the jurisdiction"
    )
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    info = generate(
        args.n_plans, args.out_dir, args.seed, args.per_jurisdiction, sidecars=args.sidecars
    )
    secs = time.perf_counter() - t0
    print(
        f"{info.plans} plans, {info.tasks} tasks, {info.goals} goals, "
        f"{info.jurisdictions} jurisdictions, {info.bytes / 1e6:.1f} MB "
        f"in {secs:.1f} s → {info.out_dir}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
