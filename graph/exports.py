"""What the exports are made of: the coordination matrix, the tasks and indicators in scope,
the indicator-consistency check and the agency–task graph (`graph/sheets.py` lays the ledger,
indicator and consistency sheets out as rows).

Graph-level logic only, asked through the `Store` protocol so both stores export the same
thing; `viz/files.py` turns these into CSV / XLSX / PNG / GraphML / GEXF.

Matching indicator subjects across plans (the consistency report): two targets are "the same
subject" when their keys under the one subject normaliser, `ontology.subjects.subject_key`, are
equal — the subject cleaned of item numbers, hedges and verbs of reaching, traditional script
folded, NFKC, white space, punctuation and symbols removed, Latin lower-cased, a leading scope
word or the jurisdiction's own name dropped (全县规模工业增加值增长率 = 规模工业增加值增长率) and
growth wordings read alike (增速 = 增长率). Words that say what is counted stay: 新增X and X are
different subjects. The key is for matching only; the report shows each subject as written.
They must also share the normalised unit (亿元 and 万元 both normalise to 元; % never matches
个), and target years must agree when both plans give one.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from typing import Literal

import networkx as nx

from plankg.graph.errors import Ambiguous, Unknown
from plankg.graph.lookup import resolve_agency
from plankg.graph.store import (
    AgencyInfo,
    AgencyRef,
    IndicatorInfo,
    Store,
    TaskInfo,
)
from plankg.ontology.subjects import subject_key

Mode = Literal["lead_assist", "co"]
Cell = str | int | float | None

COMPARATOR_SYMBOLS = {">=": "≥", "<=": "≤", "~": "约", "=": ""}
ROLE_NAMES = {"lead": "牵头", "assist": "配合"}


@dataclass(frozen=True)
class Table:
    """A titled table of plain cells — the one thing every file writer consumes.

    `scope` says what the table covers (辖区、方案、单位, counts) for the line under the title;
    `printed` is how many leading columns make the page an office prints — the columns after
    them (ids, file names, raw numbers) are for lookups and analysis (None: all of them)."""

    kind: Literal["matrix", "ledger", "indicators", "conflicts"]
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    scope: str = ""
    printed: int | None = None

    @property
    def printed_columns(self) -> int:
        return len(self.headers) if self.printed is None else self.printed


# ---------------------------------------------------------------- formatting helpers
def number(value: float) -> str:
    """8.0 → 8, 8.5 → 8.5, 390.0 → 390: no float noise and no exponent in a spreadsheet."""
    if math.isfinite(value) and float(value).is_integer():
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


def value_text(ind: IndicatorInfo) -> str:
    """`≥8.5%`: the target value as a plan writes it, without subject or year."""
    return f"{COMPARATOR_SYMBOLS.get(ind.comparator, ind.comparator)}{number(ind.value)}{ind.unit}"


def target_text(ind: IndicatorInfo, with_subject: bool = True) -> str:
    """`规模工业增加值增长率≥8.5%（2024年）` — how a target reads in a plan."""
    text = value_text(ind)
    if with_subject:
        text = ind.subject + text
    return f"{text}（{ind.year}年）" if ind.year else text


def section_text(section: Iterable[str]) -> str:
    return " / ".join(section)


def agency_labels(refs: Iterable[AgencyRef]) -> dict[str, str]:
    """iri → display name; a name shared by two jurisdictions gets `（jurisdiction）` added."""
    refs = list(refs)
    seen: dict[str, set[str]] = defaultdict(set)
    for r in refs:
        seen[r.name].add(r.iri)
    return {
        r.iri: (f"{r.name}（{r.jurisdiction}）" if len(seen[r.name]) > 1 else r.name) for r in refs
    }


def agency_names(refs: Iterable[AgencyRef]) -> str:
    """`A、B、C` in the order given — the plan's order for a task's leads and assists."""
    return "、".join(r.name for r in refs)


# ---------------------------------------------------------------- coordination matrix
@dataclass(frozen=True)
class Matrix:
    """Agency × agency counts. Mode "lead_assist": tasks in which the row agency leads and the
    column agency assists. Mode "co": tasks naming both (either role), symmetric, diagonal 0."""

    mode: Mode
    rows: tuple[AgencyRef, ...]
    cols: tuple[AgencyRef, ...]
    counts: tuple[tuple[int, ...], ...]

    def cell(self, row_iri: str, col_iri: str) -> int:
        r = next((i for i, a in enumerate(self.rows) if a.iri == row_iri), None)
        c = next((j for j, a in enumerate(self.cols) if a.iri == col_iri), None)
        return 0 if r is None or c is None else self.counts[r][c]

    def table(self, scope: str = "") -> Table:
        labels = agency_labels((*self.rows, *self.cols))
        corner = "牵头单位＼配合单位" if self.mode == "lead_assist" else "单位＼单位"
        title = "牵头-配合协同矩阵" if self.mode == "lead_assist" else "共同承担任务矩阵"
        return Table(
            "matrix",
            title,
            (corner, *(labels[c.iri] for c in self.cols)),
            tuple(
                (labels[r.iri], *counts) for r, counts in zip(self.rows, self.counts, strict=True)
            ),
            scope,
        )


def coordination_matrix(
    store: Store,
    jurisdiction: str | None = None,
    plan: str | None = None,
    mode: Mode = "lead_assist",
    min_count: int = 1,
    agency_iri: str | None = None,
) -> Matrix:
    """The matrix from `store.coordination`: cells below `min_count` are dropped, then rows and
    columns left empty; with `agency_iri` only that agency's row and column survive. Axes are
    ordered by the agencies' task load (busiest first), then name."""
    cells = [(c.row, c.col, c.count) for c in store.coordination(jurisdiction, plan, mode)]
    if mode == "co":
        cells += [(b, a, n) for a, b, n in cells]
    cells = [
        (a, b, n)
        for a, b, n in cells
        if n >= min_count and (agency_iri is None or agency_iri in (a.iri, b.iri))
    ]
    rank = {r.agency.iri: i for i, r in enumerate(store.load(jurisdiction, plan))}

    def order(refs: Iterable[AgencyRef]) -> tuple[AgencyRef, ...]:
        unique = {r.iri: r for r in refs}.values()
        return tuple(sorted(unique, key=lambda r: (rank.get(r.iri, len(rank)), r.name, r.iri)))

    if mode == "co":
        rows = cols = order(r for a, b, _ in cells for r in (a, b))
    else:
        rows, cols = order(a for a, _, _ in cells), order(b for _, b, _ in cells)
    index = {(a.iri, b.iri): n for a, b, n in cells}
    counts = tuple(tuple(index.get((r.iri, c.iri), 0) for c in cols) for r in rows)
    return Matrix(mode, rows, cols, counts)


# ---------------------------------------------------------------- tasks and indicators in scope
def all_tasks(
    store: Store, jurisdiction: str | None = None, plan: str | None = None
) -> list[TaskInfo]:
    """Every task in scope that names at least one agency (the protocol has no "all tasks"
    question; a task with no responsible agency has nothing to put in a ledger anyway).
    Sorted by (doc, source start, id)."""
    found: dict[str, TaskInfo] = {}
    for agency in store.agencies(jurisdiction=jurisdiction):
        for t in store.tasks_of_agency(agency.iri, "any", plan, jurisdiction):
            found.setdefault(t.id, t)
    return sorted(found.values(), key=lambda t: (t.source.doc, t.source.start, t.id))


def _jurisdiction_of_doc(store: Store) -> dict[str, str]:
    return {p.doc: p.jurisdiction for p in store.plans()}


def scoped_indicators(
    store: Store,
    jurisdiction: str | None = None,
    plan: str | None = None,
    subject: str | None = None,
) -> list[tuple[str, IndicatorInfo]]:
    """(jurisdiction, indicator) for every task target and plan goal in scope."""
    where = _jurisdiction_of_doc(store)
    out = []
    for ind in store.indicators(subject=subject, plan=plan):
        j = where.get(ind.source.doc, "")
        if jurisdiction is None or j == jurisdiction:
            out.append((j, ind))
    return out


def normalise_subject(subject: str, jurisdiction: str = "") -> str:
    """The key two targets must share to count as the same subject (see the module doc)."""
    return subject_key(subject, jurisdiction)


@dataclass(frozen=True)
class IndicatorConflict:
    """The same subject targeted with different values in two plans of one jurisdiction."""

    jurisdiction: str
    subject: str  # the normalised subject both share
    a: IndicatorInfo
    b: IndicatorInfo


def _differ(a: IndicatorInfo, b: IndicatorInfo) -> bool:
    return not math.isclose(a.norm_value, b.norm_value, rel_tol=1e-9, abs_tol=1e-12)


def find_conflicts(
    store: Store,
    jurisdiction: str | None = None,
    subject: str | None = None,
    plan: str | None = None,
) -> list[IndicatorConflict]:
    """Pairs of targets from different plans of one jurisdiction with the same normalised
    subject and unit, compatible years, and different values; with `plan`, only pairs with
    one side in that plan. Sorted by jurisdiction, subject, then the two sources."""
    groups: dict[tuple[str, str, str], list[IndicatorInfo]] = defaultdict(list)
    for j, ind in scoped_indicators(store, jurisdiction, subject=subject):
        groups[(j, normalise_subject(ind.subject, j), ind.norm_unit)].append(ind)
    out = []
    for (j, key, _unit), inds in sorted(groups.items()):
        inds.sort(key=lambda i: (i.source.doc, i.source.start, i.iri))
        for a, b in combinations(inds, 2):
            if a.source.doc == b.source.doc or not _differ(a, b):
                continue
            if a.year and b.year and a.year != b.year:
                continue
            if plan and not ({plan, plan + ".txt"} & {a.source.doc, b.source.doc}):
                continue
            out.append(IndicatorConflict(j, key, a, b))
    return out


# ---------------------------------------------------------------- agency–task graph
def agency_task_graph(
    store: Store, jurisdiction: str | None = None, plan: str | None = None
) -> nx.MultiDiGraph:
    """Agencies and tasks as nodes (attributes `type`, `label`, …), one edge agency → task per
    role (`role` = lead | assist, keyed by role so an agency that both leads and assists a task
    keeps both). Only string/int attributes, so GraphML and GEXF writers accept every node."""
    g = nx.MultiDiGraph(name="plankg agency–task graph")
    for t in all_tasks(store, jurisdiction, plan):
        g.add_node(
            t.iri,
            type="Task",
            label=t.title or t.id,
            task_id=t.id,
            doc=t.source.doc,
            section=section_text(t.source.section),
            jurisdiction=t.jurisdiction,
        )
        for role, refs in (("lead", t.lead), ("assist", t.assist)):
            for a in refs:
                g.add_node(a.iri, type="Agency", label=a.name, jurisdiction=a.jurisdiction)
                g.add_edge(a.iri, t.iri, key=role, role=role, label=ROLE_NAMES[role])
    return g


# ---------------------------------------------------------------- naming an agency
class AgencyNotFound(Unknown):
    """`Unknown("agency", …)` under the name the views and exports have always caught."""

    def __init__(self, name: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__("agency", name, suggestions)

    @property
    def suggestions(self) -> tuple[str, ...]:
        return self.closest


class AmbiguousAgency(Ambiguous):
    """`Ambiguous("agency", …)` whose candidates are the agencies themselves."""

    def __init__(self, name: str, candidates: tuple[AgencyInfo, ...]) -> None:
        super().__init__("agency", name, candidates)  # type: ignore[arg-type]


def resolve_one(store: Store, name: str, jurisdiction: str | None = None) -> AgencyInfo:
    """The one agency a user means by `name` — an IRI, or any alias resolved exactly as the API
    and `plankg query` do (`graph.lookup`); raises `AgencyNotFound` (with the closest names) or
    `AmbiguousAgency` (with the candidates)."""
    exact = store.agency(name)
    if exact is not None:
        return exact
    try:
        return resolve_agency(store, name, jurisdiction)
    except Ambiguous as exc:
        raise AmbiguousAgency(name, exc.candidates) from exc
    except Unknown as exc:
        raise AgencyNotFound(name, exc.closest) from exc
