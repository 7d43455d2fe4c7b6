"""A FAKE `Store` for the view and export tests — a test double, not a store implementation.

It holds a few hand-written tasks shaped like the sample plans (two plans of 平江县, one of
大通湖区) and answers the `Store` questions from them with the documented orderings, so the
view/export tests run without the ingest pipeline. Planted on purpose:
- 规模工业增加值增长率 targeted at 8% (plan 000) and ≥8.5% (plan 001) in 平江县 — a conflict;
  7% in 大通湖区 is another jurisdiction and must not be reported against them;
- 引资总额 ≥300亿元 (000) vs ≥150亿元 (001) — a second conflict;
- 粮食播种面积 102万亩 in both 平江县 plans — equal, not a conflict;
- 自然资源局 exists in both jurisdictions (ambiguous name).
`synthetic_store` builds a large random one for the aggregation tests.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from plankg.graph.store import (
    AgencyInfo,
    AgencyRef,
    CoordinationCell,
    IndicatorInfo,
    LoadRow,
    ParkInfo,
    PlanInfo,
    ProjectInfo,
    SourceRef,
    TaskInfo,
    WorkingGroupInfo,
)

BASE = "https://example.org/fake/"
PLANS = {
    "000_fake_a.txt": ("平江县产业培塑行动实施方案", "平江县"),
    "001_fake_b.txt": ("打好经济增长主动仗工作方案", "平江县"),
    "002_fake_c.txt": ("大通湖区产业发展工作方案", "大通湖区"),
}
AGENCIES = {  # name: (jurisdiction, kind, aliases)
    "平江县科技和工业信息化局": ("平江县", "bureau", ("科工信局", "县科工信局")),
    "平江县发展和改革局": ("平江县", "bureau", ("县发改局", "发改局")),
    "平江县农业农村局": ("平江县", "bureau", ("县农业农村局",)),
    "平江县商务粮食局": ("平江县", "bureau", ("县商务粮食局",)),
    "平江县财政局": ("平江县", "bureau", ("县财政局",)),
    "平江县自然资源局": ("平江县", "bureau", ("县自然资源局", "自然资源局")),
    "平江高新技术产业园区管委会": ("平江县", "park_committee", ("平江高新区管委会",)),
    "大通湖区农业农村局": ("大通湖区", "bureau", ("区农业农村局",)),
    "大通湖区自然资源局": ("大通湖区", "bureau", ("区自然资源局", "自然资源局")),
}


def _iri(kind: str, *parts: str) -> str:
    return BASE + kind + "/" + "/".join(parts)


def _ref(name: str) -> AgencyRef:
    return AgencyRef(_iri("agency", name), name, AGENCIES[name][0])


@dataclass(frozen=True)
class _Target:
    subject: str
    value: float
    unit: str
    norm_value: float
    norm_unit: str
    comparator: str = "="
    year: int | None = None


# (doc, section, title, lead, assist, targets, projects, parks)
_TASKS = [
    (
        "000_fake_a.txt",
        ("二、工作任务", "（一）突出做强支柱产业"),
        "休闲食品",
        ["平江县科技和工业信息化局"],
        ["平江县农业农村局", "平江县商务粮食局"],
        [_Target("培育规模以上食品加工企业", 130, "家", 130, "家", ">=")],
        ["麻辣王子"],
        [],
    ),
    (
        "000_fake_a.txt",
        ("二、工作任务", "（四）强化产业发展支撑"),
        "园区配套",
        ["平江高新技术产业园区管委会"],
        ["平江县发展和改革局", "平江县科技和工业信息化局"],
        [],
        ["污水处理厂"],
        ["余梅工业区"],
    ),
    (
        "000_fake_a.txt",
        ("二、工作任务", "（四）强化产业发展支撑"),
        "项目引进",
        ["平江县发展和改革局"],
        ["平江县商务粮食局", "平江县财政局"],
        [
            _Target("引资总额", 300, "亿元", 3e10, "元", ">="),
            _Target("粮食播种面积", 102, "万亩", 1.02e6, "亩", ">="),
        ],
        [],
        [],
    ),
    (
        "001_fake_b.txt",
        ("二、工作任务", "(一)工业提质"),
        "工业提质",
        ["平江县科技和工业信息化局", "平江县发展和改革局"],
        ["平江县财政局"],
        [_Target("粮食播种面积", 102, "万亩", 1.02e6, "亩", ">=")],
        [],
        [],
    ),
    (
        "001_fake_b.txt",
        ("二、工作任务", "(二)要素保障"),
        "用地保障",
        ["平江县自然资源局"],
        ["平江县发展和改革局", "平江高新技术产业园区管委会"],
        [],
        ["配水站"],
        ["余梅工业区", "安定工业区"],
    ),
    (
        "001_fake_b.txt",
        ("二、工作任务", "(五)增强区域发展动能"),
        "招商引资",
        ["平江县商务粮食局"],
        ["平江县发展和改革局", "平江县科技和工业信息化局"],
        [_Target("引资总额", 150, "亿元", 1.5e10, "元", ">=")],
        [],
        [],
    ),
    (
        "002_fake_c.txt",
        ("二、工作任务", "（二）巩固提升优势产业"),
        "水生植被",
        ["大通湖区农业农村局"],
        ["大通湖区自然资源局"],
        [],
        [],
        ["水生植被产业示范园"],
    ),
]
_GOALS = [
    ("000_fake_a.txt", ("一、工作目标",), _Target("规模工业增加值增长率", 8, "%", 8, "%")),
    (
        "001_fake_b.txt",
        ("一、工作目标",),
        _Target("规模工业增加值增长率", 8.5, "%", 8.5, "%", ">="),
    ),
    ("002_fake_c.txt", ("一、工作目标",), _Target("规模工业增加值增长率", 7, "%", 7, "%")),
]
_PARKS = {  # park: (jurisdiction, located-in projects)
    "余梅工业区": ("平江县", ["污水处理厂", "配水站"]),
    "安定工业区": ("平江县", ["污水处理厂", "配水站"]),
    "水生植被产业示范园": ("大通湖区", []),
}


class FakeStore:
    """Answers the `Store` protocol from in-memory `TaskInfo`s (see the module doc)."""

    def __init__(
        self,
        agencies: dict[str, AgencyInfo],
        tasks: list[TaskInfo],
        goals: list[IndicatorInfo],
        plans: dict[str, tuple[str, str]],
        parks: dict[str, tuple[str, list[str]]] | None = None,
    ) -> None:
        self._agencies = agencies  # iri → info
        self._tasks = sorted(tasks, key=lambda t: (t.source.doc, t.source.start))
        self._goals = goals
        self._plans = plans
        self._parks = parks or {}

    # -- helpers
    def _plan_ok(self, doc: str, plan: str | None) -> bool:
        return plan is None or plan in (doc, Path(doc).stem)

    def _in(self, t: TaskInfo, plan: str | None, jurisdiction: str | None) -> bool:
        return self._plan_ok(t.source.doc, plan) and jurisdiction in (None, t.jurisdiction)

    # -- Store protocol
    def agencies(self, q: str | None = None, jurisdiction: str | None = None) -> list[AgencyInfo]:
        out = [
            a
            for a in self._agencies.values()
            if jurisdiction in (None, a.jurisdiction)
            and (q is None or any(q in n for n in (a.name, *a.aliases)))
        ]
        return sorted(out, key=lambda a: (a.jurisdiction, a.name))

    def resolve_agency(self, name: str, jurisdiction: str | None = None) -> list[AgencyInfo]:
        out = [
            a
            for a in self._agencies.values()
            if name in (a.name, *a.aliases) and jurisdiction in (None, a.jurisdiction)
        ]
        return sorted(out, key=lambda a: (a.jurisdiction, a.name))

    def agency(self, iri: str) -> AgencyInfo | None:
        return self._agencies.get(iri)

    def tasks_of_agency(self, agency_iri, role="any", plan=None, jurisdiction=None):
        def has(t: TaskInfo) -> bool:
            lead = any(a.iri == agency_iri for a in t.lead)
            assist = any(a.iri == agency_iri for a in t.assist)
            return {"lead": lead, "assist": assist, "any": lead or assist}[role]

        return [t for t in self._tasks if self._in(t, plan, jurisdiction) and has(t)]

    def task(self, task_id: str) -> TaskInfo | None:
        return next((t for t in self._tasks if t.id == task_id), None)

    def search_tasks(self, q: str, limit: int = 50) -> list[TaskInfo]:
        return [t for t in self._tasks if q in t.text or q in t.title][:limit]

    def indicators(
        self, subject=None, plan=None, agency_iri=None, task_id=None, include_goals=True
    ):
        tasks = self._tasks
        if task_id is not None:
            tasks = [t for t in tasks if t.id == task_id]
        elif agency_iri is not None:
            tasks = self.tasks_of_agency(agency_iri)
        out = [i for t in tasks if self._plan_ok(t.source.doc, plan) for i in t.indicators]
        if include_goals and task_id is None and agency_iri is None:
            out += [g for g in self._goals if self._plan_ok(g.source.doc, plan)]
        if subject:
            out = [i for i in out if subject in i.subject]
        return sorted(out, key=lambda i: (i.source.doc, i.source.start, i.iri))

    def parks(self, jurisdiction: str | None = None) -> list[ParkInfo]:
        out = []
        for name, (j, projects) in self._parks.items():
            if jurisdiction in (None, j):
                tasks = sum(name in t.parks for t in self._tasks)
                out.append(ParkInfo(_iri("park", j, name), name, j, len(projects), tasks))
        return sorted(out, key=lambda p: (p.jurisdiction, p.name))

    def projects_in_park(self, park_iri: str) -> list[ProjectInfo]:
        park = next((p for p in self.parks() if p.iri == park_iri), None)
        if park is None:
            return []
        out = []
        for proj in self._parks[park.name][1]:
            parks = tuple(sorted(n for n, (_, ps) in self._parks.items() if proj in ps))
            ids = tuple(sorted(t.id for t in self._tasks if proj in t.projects))
            out.append(
                ProjectInfo(
                    _iri("project", park.jurisdiction, proj),
                    proj,
                    park.jurisdiction,
                    parks,
                    (f"加快{'、'.join(parks)}{proj}等配套项目建设。",),
                    ids,
                )
            )
        return sorted(out, key=lambda p: p.name)

    def park_by_name(self, name: str) -> list[ParkInfo]:
        return [p for p in self.parks() if p.name == name]

    def plans(self) -> list[PlanInfo]:
        return [
            PlanInfo(
                _iri("plan", Path(doc).stem),
                doc,
                title,
                j,
                sum(t.source.doc == doc for t in self._tasks),
                sum(g.source.doc == doc for g in self._goals),
            )
            for doc, (title, j) in sorted(self._plans.items())
        ]

    def working_groups(self, plan: str | None = None) -> list[WorkingGroupInfo]:
        return []

    def coordination(self, jurisdiction=None, plan=None, mode="lead_assist"):
        counts: Counter[tuple[AgencyRef, AgencyRef]] = Counter()
        for t in self._tasks:
            if not self._in(t, plan, jurisdiction):
                continue
            if mode == "co":
                named = sorted(set(t.lead) | set(t.assist), key=lambda a: (a.name, a.iri))
                counts.update(combinations(named, 2))
            else:
                counts.update((a, b) for a in set(t.lead) for b in set(t.assist))
        cells = [CoordinationCell(a, b, n) for (a, b), n in counts.items()]
        return sorted(cells, key=lambda c: (-c.count, c.row.name, c.col.name))

    def load(self, jurisdiction=None, plan=None) -> list[LoadRow]:
        lead: Counter[AgencyRef] = Counter()
        assist: Counter[AgencyRef] = Counter()
        for t in self._tasks:
            if self._in(t, plan, jurisdiction):
                lead.update(set(t.lead))
                assist.update(set(t.assist))
        rows = [LoadRow(a, lead[a], assist[a]) for a in set(lead) | set(assist)]
        return sorted(rows, key=lambda r: (-r.total, r.agency.name))


def _indicator(
    target: _Target, doc: str, section: tuple[str, ...], start: int, owner: str, task_id=None
) -> IndicatorInfo:
    title, _ = PLANS.get(doc, (doc, ""))
    return IndicatorInfo(
        owner + f"/indicator/{start}",
        target.subject,
        float(target.value),
        target.unit,
        float(target.norm_value),
        target.norm_unit,
        target.comparator,
        target.year,
        SourceRef(doc, title, section, start, start + 6),
        task_id,
    )


def _task_text(title: str, lead: list[str], assist: list[str], targets, projects, parks) -> str:
    body = f"{title}。推进{'、'.join(parks + projects) or '相关工作'}。"
    body += "".join(f"{t.subject}达到{t.value:g}{t.unit}。" for t in targets)
    who = "、".join(lead) + "牵头"
    if assist:
        who += "，" + "、".join(assist) + "配合"
    return body + f"（{who}）"


def sample_store() -> FakeStore:
    """The small hand-written fake (see the module doc)."""
    agencies = {
        _iri("agency", n): AgencyInfo(_iri("agency", n), n, j, kind, tuple(sorted(aliases)))
        for n, (j, kind, aliases) in AGENCIES.items()
    }
    tasks: list[TaskInfo] = []
    per_doc: Counter[str] = Counter()
    for doc, section, title, lead, assist, targets, projects, parks in _TASKS:
        per_doc[doc] += 1
        tid = f"{Path(doc).stem}-t{per_doc[doc]:03d}"
        start = 200 * per_doc[doc]
        text = _task_text(title, lead, assist, targets, projects, parks)
        iri = _iri("task", tid)
        source = SourceRef(doc, PLANS[doc][0], section, start, start + len(text))
        tasks.append(
            TaskInfo(
                tid,
                iri,
                title,
                text,
                PLANS[doc][1],
                source,
                tuple(_ref(a) for a in lead),
                tuple(_ref(a) for a in assist),
                tuple(
                    _indicator(t, doc, section, start + 10 + k, iri, tid)
                    for k, t in enumerate(targets)
                ),
                tuple(sorted(projects)),
                tuple(sorted(parks)),
            )
        )
    goals = [
        _indicator(t, doc, section, 50, _iri("plan", Path(doc).stem)) for doc, section, t in _GOALS
    ]
    return FakeStore(agencies, tasks, goals, PLANS, _PARKS)


def synthetic_store(
    n_agencies: int = 400, n_tasks: int = 900, n_parks: int = 0, seed: int = 1
) -> FakeStore:
    """A big random fake in one jurisdiction (测试县) for the node-budget tests."""
    rng = random.Random(seed)
    names = [f"测试县第{i:03d}局" for i in range(n_agencies)]
    agencies = {
        _iri("agency", n): AgencyInfo(_iri("agency", n), n, "测试县", "bureau") for n in names
    }
    refs = [AgencyRef(_iri("agency", n), n, "测试县") for n in names]
    weights = [1 / (i + 1) for i in range(n_agencies)]  # a few busy agencies, a long tail
    doc = "900_synthetic.txt"
    parks = {
        f"测试园区{k:02d}": ("测试县", [f"项目{k:02d}-{m}" for m in range(3)])
        for k in range(n_parks)
    }
    tasks = []
    for k in range(n_tasks):
        chosen = list(dict.fromkeys(rng.choices(refs, weights, k=4)))
        lead, assist = tuple(chosen[:1]), tuple(chosen[1:])
        park = f"测试园区{k % n_parks:02d}" if n_parks else None
        tasks.append(
            TaskInfo(
                f"900_synthetic-t{k:04d}",
                _iri("task", f"900_synthetic-t{k:04d}"),
                f"任务{k:04d}",
                f"任务{k:04d}的内容。",
                "测试县",
                SourceRef(doc, "测试方案", ("二、工作任务",), k * 100, k * 100 + 50),
                lead,
                assist,
                projects=(f"项目{k % n_parks:02d}-0",) if park else (),
                parks=(park,) if park else (),
            )
        )
    return FakeStore(agencies, tasks, [], {doc: ("测试方案", "测试县")}, parks)


class WithExtraIndicators:
    """Wraps ANY store (fake or real) and adds plan-level targets — to plant a case in a test
    without depending on what the sample plans happen to contain."""

    def __init__(self, store, extra: list[IndicatorInfo]) -> None:
        self._store = store
        self._extra = extra

    def __getattr__(self, name: str):
        return getattr(self._store, name)

    def indicators(
        self, subject=None, plan=None, agency_iri=None, task_id=None, include_goals=True
    ):
        out = self._store.indicators(subject, plan, agency_iri, task_id, include_goals)
        if include_goals and agency_iri is None and task_id is None:
            out += [
                i
                for i in self._extra
                if (plan is None or plan in (i.source.doc, Path(i.source.doc).stem))
                and (subject is None or subject in i.subject)
            ]
        return sorted(out, key=lambda i: (i.source.doc, i.source.start, i.iri))


def planted_goal(
    doc: str, plan_title: str, subject: str, value: float, unit: str = "%", start: int = 99_000
) -> IndicatorInfo:
    """A plan goal to plant with `WithExtraIndicators`."""
    return IndicatorInfo(
        _iri("planted", Path(doc).stem, str(start)),
        subject,
        value,
        unit,
        value,
        unit,
        "=",
        None,
        SourceRef(doc, plan_title, ("一、工作目标",), start, start + 4),
        None,
    )


def embedded_store():
    """NOT a fake: the real EmbeddedStore over data/plans — switch a test module's `store`
    fixture to this to run the same tests on real extraction."""
    from plankg.graph.embedded import EmbeddedStore
    from plankg.ingest.agencies import AgencyDirectory
    from plankg.ingest.extract import extract_plan
    from plankg.ingest.rdf import build_lines

    plans_dir = Path(__file__).resolve().parent.parent / "data" / "plans"
    directory = AgencyDirectory.load()
    plans = [extract_plan(p, directory=directory) for p in sorted(plans_dir.glob("*.txt"))]
    return EmbeddedStore(build_lines(plans))
