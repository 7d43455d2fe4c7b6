"""View models of the web app's pages: plain dataclasses built from the `Store`, so templates
only lay out what is here and the page tests can check the content without HTML.

What a person types (an agency name, a jurisdiction, a plan filter) goes through
`graph.lookup`: it resolves, or raises the domain error (`graph.errors`) with the closest
names, which the API renders as a 404/409 page — never an empty page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from plankg.graph.errors import Ambiguous, BadFilter, Unknown
from plankg.graph.exports import agency_labels, section_text, target_text
from plankg.graph.lookup import check_jurisdiction, check_plan, resolve_agency
from plankg.graph.sheets import deadline_text
from plankg.graph.store import AgencyInfo, AgencyRef, LoadRow, PlanInfo, Store, TaskInfo


# ---------------------------------------------------------------- home
@dataclass(frozen=True)
class PlanRow:
    plan: PlanInfo
    added: str | None  # when the plan was first added (UTC, ISO 8601), if the store records it

    @property
    def added_day(self) -> str:
        """The date part (`2026-12-03`), what the home page's column shows."""
        return (self.added or "")[:10]


@dataclass(frozen=True)
class AgencyRow:
    agency: AgencyInfo
    lead: int
    assist: int


AGENCY_ROWS = 300  # the home page lists the busiest; the search box finds every other


@dataclass(frozen=True)
class HomeModel:
    plans: list[PlanRow]
    agencies: list[AgencyRow]  # busiest first (the store's load order); idle ones by name
    agency_count: int  # all agencies; those past AGENCY_ROWS are left to the search box
    jurisdictions: list[str]
    task_count: int


def home_model(
    store: Store, added: Mapping[str, str] | None = None, agency_rows: int = AGENCY_ROWS
) -> HomeModel:
    plans = store.plans()
    load: list[LoadRow] = store.load()  # busiest first, as the load view ranks them
    rank = {r.agency.iri: (n, r) for n, r in enumerate(load)}
    rows = []
    for a in store.agencies():
        n, r = rank.get(a.iri, (len(load), None))
        rows.append((n, AgencyRow(a, r.lead if r else 0, r.assist if r else 0)))
    rows.sort(key=lambda nr: (nr[0], nr[1].agency.jurisdiction, nr[1].agency.name))
    return HomeModel(
        plans=[PlanRow(p, (added or {}).get(p.doc)) for p in plans],
        agencies=[r for _, r in rows[:agency_rows]],
        agency_count=len(rows),
        jurisdictions=sorted({p.jurisdiction for p in plans if p.jurisdiction}),
        task_count=sum(p.task_count for p in plans),
    )


@dataclass(frozen=True)
class SearchResult:
    """What a search box query found: one agency (the page redirects), several, or none."""

    query: str
    hits: list[AgencyInfo] = field(default_factory=list)

    @property
    def unique(self) -> AgencyInfo | None:
        return self.hits[0] if len(self.hits) == 1 else None


def search_agencies(store: Store, q: str, jurisdiction: str | None = None) -> SearchResult:
    """Exact names and aliases first (`科工信局` is one agency even if other names contain
    it); else every agency with a name or alias containing `q`. Nothing found raises
    `BadFilter` on `q` with the closest names (the page links each to the same search)."""
    q = q.strip()
    check_jurisdiction(store, jurisdiction)
    try:
        return SearchResult(q, [resolve_agency(store, q, jurisdiction)])
    except Ambiguous as exc:
        return SearchResult(q, list(exc.candidates))
    except Unknown as exc:
        hits = store.agencies(q, jurisdiction) if q else []
        if not hits:
            raise BadFilter("q", q, exc.closest, kind="agency") from exc
        return SearchResult(q, hits)


# ---------------------------------------------------------------- agency
@dataclass(frozen=True)
class TaskRow:
    task: TaskInfo
    roles: tuple[str, ...]  # 牵头 / 配合 for this agency
    deadline: str
    targets: tuple[str, ...]
    section: str


@dataclass(frozen=True)
class Partner:
    agency: AgencyRef
    label: str  # name, with the jurisdiction when two partners share it
    shared: int


@dataclass(frozen=True)
class AgencyModel:
    agency: AgencyInfo
    rows: list[TaskRow]  # in plan order: by document, then position in the plan
    lead_count: int
    assist_count: int
    partners: list[Partner]  # most shared tasks first
    plan: PlanInfo | None
    plans: list[PlanInfo]  # the plans of its jurisdiction, for the page's plan filter


def _roles(t: TaskInfo, iri: str) -> tuple[str, ...]:
    return tuple(
        label
        for label, refs in (("牵头", t.lead), ("配合", t.assist))
        if any(a.iri == iri for a in refs)
    )


def agency_model(store: Store, agency: AgencyInfo, plan: str | None = None) -> AgencyModel:
    """`plan` must name a plan (`BadFilter` otherwise)."""
    chosen = check_plan(store, plan)
    tasks = store.tasks_of_agency(agency.iri, "any", chosen.doc if chosen else None)
    rows = [
        TaskRow(
            t,
            _roles(t, agency.iri),
            deadline_text(t),
            tuple(target_text(i) for i in t.indicators),
            section_text(t.source.section),
        )
        for t in tasks
    ]
    shared: Counter[str] = Counter()
    refs: dict[str, AgencyRef] = {}
    for t in tasks:
        for a in {*t.lead, *t.assist}:
            if a.iri != agency.iri:
                shared[a.iri] += 1
                refs[a.iri] = a
    labels = agency_labels(refs.values())
    partners = sorted(
        (Partner(refs[i], labels[i], n) for i, n in shared.items()),
        key=lambda p: (-p.shared, p.label, p.agency.iri),
    )
    return AgencyModel(
        agency=agency,
        rows=rows,
        lead_count=sum("牵头" in r.roles for r in rows),
        assist_count=sum("配合" in r.roles for r in rows),
        partners=partners,
        plan=chosen,
        plans=[p for p in store.plans() if p.jurisdiction == agency.jurisdiction],
    )


# ---------------------------------------------------------------- task
@dataclass(frozen=True)
class TaskModel:
    task: TaskInfo
    before: str  # task text up to the responsibility clause
    clause: str  # the clause, highlighted; "" when it is not found in the text
    after: str
    clause_note: str  # how the highlight was placed (said on the page)
    deadline: str
    targets: tuple[str, ...]
    section: str


def task_model(task: TaskInfo, clause: str = "") -> TaskModel:
    """The store keeps the task's span on the whole plan text (source.start/end) and the
    clause's wording, not the clause's own offsets: the clause is located in the task text
    (its last occurrence, where plans put 牵头/配合 clauses)."""
    text = task.text
    at = text.rfind(clause) if clause else -1
    span = f"方案原文第 {task.source.start}–{task.source.end} 字"
    if at < 0:
        note = f"任务位于{span}；未在任务文本中找到责任分工语句，未标出。"
        before, found, after = text, "", ""
    else:
        note = f"任务位于{span}；高亮的责任分工语句按其文字在任务文本中定位。"
        before, found, after = text[:at], clause, text[at + len(clause) :]
    return TaskModel(
        task=task,
        before=before,
        clause=found,
        after=after,
        clause_note=note,
        deadline=deadline_text(task),
        targets=tuple(target_text(i) for i in task.indicators),
        section=section_text(task.source.section),
    )
