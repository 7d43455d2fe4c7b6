"""The embedded store: the RDF graph as a networkx MultiDiGraph plus the indexes questions need.

No server: it loads the triples of a data folder written by `plankg ingest` (its sorted
`plankg.nt`, read with pyoxigraph's parser) and answers from memory; the RDF store
(`graph/rdf_store.py`) stays the truth and answers SPARQL and RDF descriptions.
Nodes carry `type` (Agency, Task, Indicator, Goal, Project, Park, Plan, Section,
Jurisdiction, WorkingGroup) and their literal properties; edges carry `type` (LEADS, ASSISTS,
TARGETS, HAS_GOAL, LOCATED_IN, PART_OF, MENTIONS, MEMBER_OF, OFFICE_OF, IN_JURISDICTION).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx

from plankg.graph.counting import coordination_cells, load_rows
from plankg.graph.embedded_build import (  # noqa: F401 — re-exported for nt_rows and others
    _A_AGENT,
    _A_POSITION,
    _A_ROLE,
    _A_TASK,
    _ASSIGNMENT,
    _NODE_TYPES,
    _UNPLACED,
    EDGE_TYPES,
    NODE_TYPES,
    PROPS,
    IndexBuilder,
    _note_position,
    _str,
)
from plankg.graph.lookup import narrow_by_level
from plankg.graph.rdf_store import NT, RdfStore
from plankg.graph.store import (
    AgencyInfo,
    AgencyRef,
    CoordinationCell,
    DeadlineInfo,
    IndicatorInfo,
    LoadRow,
    ParkInfo,
    PlanInfo,
    ProjectInfo,
    RoleFilter,
    SourceRef,
    TaskInfo,
    WorkingGroupInfo,
)
from plankg.ontology.names import is_exact_key, query_keys
from plankg.ontology.ntriples import (
    lines_blocks,
    read_blocks,
)


def _deadline(d: dict) -> DeadlineInfo | None:
    if "deadline" not in d and "due_date" not in d:
        return None
    return DeadlineInfo(str(d.get("deadline", "")), d.get("due_date"))


class EmbeddedStore(IndexBuilder):
    """Answers the `Store` questions from an in-process networkx graph."""

    in_memory = True  # lookups are pure CPU and sub-millisecond: no I/O to wait for
    repairing: threading.Thread | None = None  # stale graph files being rewritten (see open)
    snapshot_version: int | None = None  # the store version of the snapshot on disk, if known
    replayed = 0  # plans re-applied at open to bring the snapshot up to the store

    def __init__(self, lines: Iterable[str | bytes], rdf: RdfStore | None = None) -> None:
        """A store of N-Triples lines (tests, small graphs: `ingest.rdf.build_lines`). Without
        `rdf`, an in-memory RDF store of the same lines is made when first asked for."""
        self._lines: list[str | bytes] | None = None if rdf is not None else list(lines)
        self._rdf = rdf
        self.g = nx.MultiDiGraph()
        self._build(lines_blocks(self._lines if self._lines is not None else lines))

    # ------------------------------------------------------------------ loading
    @classmethod
    def open(
        cls, data_dir: str | Path, *, snapshot: bool = True, read_only: bool = False
    ) -> EmbeddedStore:
        """The store of a data folder written by `plankg ingest`, with its RDF store behind it
        for SPARQL and RDF descriptions. The RDF store is the truth: files derived from an
        older state of it (a crash between a store write and the files) are rewritten first;
        the index snapshot is loaded and brought up to the store's state by replaying the
        plans written since it (`graph/embedded_replay.py`); without a usable one the store is
        built from the sorted plankg.nt and the snapshot written (`snapshot=False`: built,
        nothing written). `read_only` opens the RDF store read-only (another process holds it
        for writing) and writes nothing."""
        from plankg.graph import embedded_snapshot
        from plankg.graph.embedded_replay import replayed
        from plankg.graph.rdf_store import STORE_DIR, derived_state

        data = Path(data_dir)
        rdf = RdfStore.open(data, read_only=read_only) if (data / STORE_DIR).exists() else None
        if rdf is not None:
            state = rdf.state()
            found = replayed(embedded_snapshot.load(cls, data), rdf) if snapshot else None
            stale = derived_state(data) != state and not read_only
            if found is not None:
                if stale:  # answers come from the snapshot; the files follow meanwhile
                    found.repairing = threading.Thread(
                        target=rdf.write_derived, args=(data,), daemon=True
                    )
                    found.repairing.start()
                return found
            if stale:
                rdf.write_derived(data)
        if not (data / NT).exists():
            raise FileNotFoundError(f"no {NT} in {data}: run `plankg ingest` first")
        store = cls.from_ntriples(data / NT)
        store._rdf = rdf
        if rdf is not None and snapshot and not read_only:
            embedded_snapshot.save(store, data, state)
            store.snapshot_version = state[1]
        return store

    def save_snapshot(self, data_dir: str | Path) -> Path:
        """Persist the indexes as of the RDF store's current state (in this process: the API
        calls it at a clean shutdown only, a pickle holds the interpreter lock throughout)."""
        from plankg.graph import embedded_snapshot

        if self.rdf is None:
            raise RuntimeError("a snapshot records an RDF store state; this store has none")
        state = self.rdf.state()
        path = embedded_snapshot.save(self, data_dir, state)
        self.snapshot_version = state[1]
        return path

    @classmethod
    def from_ntriples(cls, path: str | Path) -> EmbeddedStore:
        """Stream an N-Triples file into the store: parsed by pyoxigraph, subject by subject,
        and only what the questions need is kept."""
        store = cls.__new__(cls)
        store.g = nx.MultiDiGraph()
        store._lines, store._rdf = None, None
        store._build(read_blocks(path))
        return store

    @property
    def rdf(self) -> RdfStore | None:
        """The RDF store behind this one (for a store built from lines: in memory, made now)."""
        if self._rdf is None and self._lines is not None:
            rdf = RdfStore.in_memory()
            rdf.bulk_load([("plan", [_str(x) for x in self._lines])])
            self._rdf = rdf
        return self._rdf

    def apply_plan(self, doc: str, triples: Iterable[str | bytes | Any]) -> None:
        """Bring one plan's part up to date after `RdfStore.replace_plan(doc, triples)`: the
        same triples (N-Triples lines or pyoxigraph Triples). See `graph/embedded_update.py`."""
        from plankg.graph.embedded_update import update_plan

        update_plan(self, doc, triples)

    def remove_plan(self, doc: str) -> None:
        """Drop one plan's part after `RdfStore.remove_plan(doc)`."""
        from plankg.graph.embedded_update import update_plan

        update_plan(self, doc, None)

    # ------------------------------------------------------------------ helpers
    def _ref(self, a: str) -> AgencyRef:
        return AgencyRef(a, self.g.nodes[a].get("name", ""), self.jurisdiction_of.get(a, ""))

    def _agency_info(self, a: str) -> AgencyInfo:
        d = self.g.nodes[a]
        return AgencyInfo(
            a,
            d.get("name", ""),
            self.jurisdiction_of.get(a, ""),
            d.get("kind", "other"),
            tuple(d.get("aliases", ())),
            bool(d.get("collective", False)),
        )

    def _source(self, n: str) -> SourceRef:
        d = self.g.nodes[n]
        plan = self.g.nodes.get(d.get("plan", ""), {})
        section = tuple(s for s in d.get("section", "").split(" / ") if s)
        return SourceRef(
            plan.get("doc", ""), plan.get("title", ""), section, d.get("start", 0), d.get("end", 0)
        )

    def _plan_matches(self, n: str, plan: str | None) -> bool:
        return plan is None or self.g.nodes[n].get("plan") == self.plans_by_doc.get(plan, "∅")

    def _indicator(self, n: str, task_id: str | None) -> IndicatorInfo:
        d = self.g.nodes[n]
        return IndicatorInfo(
            n,
            d.get("subject", ""),
            d.get("value", 0.0),
            d.get("unit", ""),
            d.get("norm_value", 0.0),
            d.get("norm_unit", ""),
            d.get("comparator", "="),
            d.get("year"),
            self._source(n),
            task_id,
        )

    def _targets(self, n: str, kind: str) -> list[str]:
        return sorted(
            (v for _, v, k in self.g.out_edges(n, keys=True) if k == kind),
            key=lambda v: (self.g.nodes[v].get("start", 0), v),
        )

    def _task(self, t: str) -> TaskInfo:
        d = self.g.nodes[t]
        roles = self.roles.get(t, {"lead": [], "assist": []})
        mentions = self._targets(t, "MENTIONS")
        return TaskInfo(
            id=d["task_id"],
            iri=t,
            title=d.get("title", ""),
            text=d.get("text", ""),
            clause=d.get("clause", ""),
            jurisdiction=self.jurisdiction_of.get(d.get("plan", ""), ""),
            source=self._source(t),
            lead=tuple(self._ref(a) for a in roles["lead"]),
            assist=tuple(self._ref(a) for a in roles["assist"]),
            indicators=tuple(self._indicator(i, d["task_id"]) for i in self._targets(t, "TARGETS")),
            projects=tuple(
                sorted(
                    self.g.nodes[m]["name"]
                    for m in mentions
                    if self.g.nodes[m]["type"] == "Project"
                )
            ),
            parks=tuple(
                sorted(
                    self.g.nodes[m]["name"] for m in mentions if self.g.nodes[m]["type"] == "Park"
                )
            ),
            deadline=_deadline(d),
        )

    def _task_order(self, t: str) -> tuple:
        d = self.g.nodes[t]
        return (self.g.nodes.get(d.get("plan", ""), {}).get("doc", ""), d.get("start", 0), t)

    def _task_matches(self, t: str, jurisdiction: str | None, plan: str | None) -> bool:
        d = self.g.nodes[t]
        if jurisdiction and self.jurisdiction_of.get(d.get("plan", "")) != jurisdiction:
            return False
        return self._plan_matches(t, plan)

    def _tasks_in(self, jurisdiction: str | None, plan: str | None) -> Iterable[str]:
        return (t for t in self.by_type["Task"] if self._task_matches(t, jurisdiction, plan))

    # ------------------------------------------------------------------ Store API
    def agencies(self, q: str | None = None, jurisdiction: str | None = None) -> list[AgencyInfo]:
        out = []
        for a in self.by_type["Agency"]:
            info = self._agency_info(a)
            if jurisdiction and info.jurisdiction != jurisdiction:
                continue
            if q and not any(q in n for n in (info.name, *info.aliases)):
                continue
            out.append(info)
        return sorted(out, key=lambda i: (i.jurisdiction, i.name))

    def resolve_agency(self, name: str, jurisdiction: str | None = None) -> list[AgencyInfo]:
        keys = query_keys(name, jurisdiction)
        for tier in ({k for k in keys if is_exact_key(k)}, keys):  # exact spellings first
            found = set()
            for key in tier:
                found |= self.alias_index.get(key, set())
            infos = narrow_by_level(name, jurisdiction, [self._agency_info(a) for a in found])
            if infos:
                return infos
        return []

    def agency(self, iri: str) -> AgencyInfo | None:
        if iri in self.g and self.g.nodes[iri]["type"] == "Agency":
            return self._agency_info(iri)
        return None

    def tasks_of_agency(
        self,
        agency_iri: str,
        role: RoleFilter = "any",
        plan: str | None = None,
        jurisdiction: str | None = None,
    ) -> list[TaskInfo]:
        if agency_iri not in self.g:
            return []
        kinds = {"lead": {"LEADS"}, "assist": {"ASSISTS"}, "any": {"LEADS", "ASSISTS"}}[role]
        tasks = {t for _, t, k in self.g.out_edges(agency_iri, keys=True) if k in kinds}
        if jurisdiction or plan:  # filter the agency's own tasks, never scan the whole graph
            tasks = {t for t in tasks if self._task_matches(t, jurisdiction, plan)}
        return [self._task(t) for t in sorted(tasks, key=self._task_order)]

    def task(self, task_id: str) -> TaskInfo | None:
        t = self.task_by_id.get(task_id)
        return self._task(t) if t else None

    def search_tasks(self, q: str, limit: int = 50) -> list[TaskInfo]:
        hits = [
            t
            for t in self.by_type["Task"]
            if q in self.g.nodes[t].get("text", "") or q in self.g.nodes[t].get("title", "")
        ]
        return [self._task(t) for t in sorted(hits, key=self._task_order)[:limit]]

    def indicators(
        self,
        subject: str | None = None,
        plan: str | None = None,
        agency_iri: str | None = None,
        task_id: str | None = None,
        include_goals: bool = True,
    ) -> list[IndicatorInfo]:
        out: list[IndicatorInfo] = []
        tasks: Iterable[str]
        if task_id is not None:
            tasks = [self.task_by_id[task_id]] if task_id in self.task_by_id else []
        elif agency_iri is not None:
            tasks = [t.iri for t in self.tasks_of_agency(agency_iri)]
        else:
            tasks = self.by_type["Task"]
        for t in tasks:
            if self._plan_matches(t, plan):
                tid = self.g.nodes[t]["task_id"]
                out += [self._indicator(i, tid) for i in self._targets(t, "TARGETS")]
        if include_goals and task_id is None and agency_iri is None:
            for p in self.by_type["Plan"]:
                if self._plan_matches(p, plan) or (plan and self.plans_by_doc.get(plan) == p):
                    out += [self._indicator(i, None) for i in self._targets(p, "HAS_GOAL")]
        if subject:
            out = [i for i in out if subject in i.subject]
        return sorted(out, key=lambda i: (i.source.doc, i.source.start, i.iri))

    def parks(self, jurisdiction: str | None = None) -> list[ParkInfo]:
        out = []
        for p in self.by_type["Park"]:
            j = self.jurisdiction_of.get(p, "")
            if jurisdiction and j != jurisdiction:
                continue
            projects = sum(1 for _, _, k in self.g.in_edges(p, keys=True) if k == "LOCATED_IN")
            tasks = sum(1 for _, _, k in self.g.in_edges(p, keys=True) if k == "MENTIONS")
            out.append(ParkInfo(p, self.g.nodes[p].get("name", ""), j, projects, tasks))
        return sorted(out, key=lambda i: (i.jurisdiction, i.name))

    def park_by_name(self, name: str) -> list[ParkInfo]:
        return [p for p in self.parks() if p.name == name]

    def projects_in_park(self, park_iri: str) -> list[ProjectInfo]:
        if park_iri not in self.g:
            return []
        out = []
        for proj, _, k in self.g.in_edges(park_iri, keys=True):
            if k != "LOCATED_IN":
                continue
            parks = tuple(
                sorted(
                    self.g.nodes[v]["name"]
                    for _, v, kk in self.g.out_edges(proj, keys=True)
                    if kk == "LOCATED_IN"
                )
            )
            evidence = tuple(
                sorted({e for (p, k2), texts in self.evidence.items() if p == proj for e in texts})
            )
            tasks = tuple(
                sorted(
                    self.g.nodes[t]["task_id"]
                    for t, _, kk in self.g.in_edges(proj, keys=True)
                    if kk == "MENTIONS"
                )
            )
            out.append(
                ProjectInfo(
                    proj,
                    self.g.nodes[proj].get("name", ""),
                    self.jurisdiction_of.get(proj, ""),
                    parks,
                    evidence,
                    tasks,
                )
            )
        return sorted(out, key=lambda i: i.name)

    def warm(self) -> None:
        """Build what the first answers did not need: the predecessor dicts a loaded graph
        derives on first use (`graph/pred_on_demand.py`, ≈ 1.5 s at 10,000 plans), so the
        first question that walks edges backwards (parks, working groups, an upload) does
        not wait for them. A method, so `Guarded` holds the read lock (no write meanwhile)."""
        from plankg.ontology.ntriples import collector_paused

        with collector_paused():  # 0.77 M new dicts, no cyclic garbage among them
            _ = self.g.pred

    def plans(self) -> list[PlanInfo]:
        """Every plan, sorted by doc. Kept between writes (`plans_memo`): `/health` asks for
        it every few seconds, and counting the tasks of 1,000 plans took 15-60 ms."""
        memo = self.plans_memo()
        if memo is None:
            memo = self._plans_memo = tuple(self.plan_infos())
        return list(memo)

    def plans_memo(self) -> tuple[PlanInfo, ...] | None:
        """The plan list as of the last completed write, or None: readable without the read
        lock (`Guarded`), since a write replaces it whole at its end."""
        return self.__dict__.get("_plans_memo")

    def plan_infos(self) -> list[PlanInfo]:
        """The plan list computed from the graph (the write path refreshes the memo with it)."""
        per_plan = Counter(self.g.nodes[t].get("plan") for t in self.by_type["Task"])
        out = [self.plan_info(p, per_plan[p]) for p in self.by_type["Plan"]]
        return sorted(out, key=lambda i: i.doc)

    def plan_info(self, p: str, tasks: int) -> PlanInfo:
        """Plan node `p` as listed, given its number of tasks."""
        d = self.g.nodes[p]
        goals = sum(1 for _, _, k in self.g.out_edges(p, keys=True) if k == "HAS_GOAL")
        return PlanInfo(
            p, d.get("doc", ""), d.get("title", ""), self.jurisdiction_of.get(p, ""), tasks, goals
        )

    def working_groups(self, plan: str | None = None) -> list[WorkingGroupInfo]:
        out = []
        for w in self.by_type["WorkingGroup"]:
            if not self._plan_matches(w, plan):
                continue
            d = self.g.nodes[w]
            members = sorted(a for a, _, k in self.g.in_edges(w, keys=True) if k == "MEMBER_OF")
            office = next(
                (v for _, v, k in self.g.out_edges(w, keys=True) if k == "OFFICE_OF"), None
            )
            plan_node = d.get("plan", "")
            out.append(
                WorkingGroupInfo(
                    w,
                    d.get("name", ""),
                    self.g.nodes.get(plan_node, {}).get("doc", ""),
                    self.jurisdiction_of.get(plan_node, ""),
                    d.get("convener"),
                    tuple(sorted(d.get("deputies", []))),
                    self._ref(office) if office else None,
                    tuple(self._ref(a) for a in members),
                )
            )
        return sorted(out, key=lambda i: (i.doc, i.iri))

    def _task_roles(self, jurisdiction: str | None, plan: str | None):
        for t in self._tasks_in(jurisdiction, plan):
            roles = self.roles.get(t)
            if roles:
                yield (
                    {self._ref(a) for a in roles["lead"]},
                    {self._ref(a) for a in roles["assist"]},
                )

    def coordination(
        self,
        jurisdiction: str | None = None,
        plan: str | None = None,
        mode: str = "lead_assist",
    ) -> list[CoordinationCell]:
        return coordination_cells(self._task_roles(jurisdiction, plan), mode)

    def load(self, jurisdiction: str | None = None, plan: str | None = None) -> list[LoadRow]:
        return load_rows(self._task_roles(jurisdiction, plan))

    # ------------------------------------------------------------------ analysis
    def agency_network(self, jurisdiction: str | None = None) -> nx.Graph:
        """Undirected agency graph weighted by shared tasks (lead–assist and co-assignment)."""
        net = nx.Graph()
        for cell in self.coordination(jurisdiction, mode="co"):
            net.add_edge(cell.row.iri, cell.col.iri, weight=cell.count)
        for n in net:
            net.nodes[n]["name"] = self.g.nodes[n].get("name", "")
        return net

    def centrality(self, jurisdiction: str | None = None) -> list[tuple[AgencyRef, float, float]]:
        """(agency, weighted degree centrality, betweenness), most central first."""
        net = self.agency_network(jurisdiction)
        if not net:
            return []
        degree = nx.degree_centrality(net)
        between = nx.betweenness_centrality(net, weight=None)
        rows = [(self._ref(n), degree[n], between[n]) for n in net]
        return sorted(rows, key=lambda r: (-r[1], -r[2], r[0].name))

    def communities(self, jurisdiction: str | None = None) -> list[list[AgencyRef]]:
        """Groups of agencies that work together (greedy modularity), largest first."""
        net = self.agency_network(jurisdiction)
        if net.number_of_edges() == 0:
            return []
        groups = nx.community.greedy_modularity_communities(net, weight="weight")
        out = [sorted((self._ref(n) for n in grp), key=lambda r: r.name) for grp in groups]
        return sorted(out, key=lambda grp: (-len(grp), grp[0].name))
