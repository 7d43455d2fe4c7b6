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
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx

from plankg.graph.counting import coordination_cells, load_rows
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
from plankg.ontology.names import index_keys, is_exact_key, query_keys
from plankg.ontology.namespaces import DCTERMS, ORG, PK, PROV, SKOS
from plankg.ontology.ntriples import (
    RDF_TYPE,
    Block,
    Lit,
    collector_paused,
    lines_blocks,
    read_blocks,
)

NODE_TYPES = {
    PK.Agency: "Agency",
    PK.Task: "Task",
    PK.Goal: "Goal",
    PK.Indicator: "Indicator",
    PK.Project: "Project",
    PK.Park: "Park",
    PK.Plan: "Plan",
    PK.Section: "Section",
    PK.Jurisdiction: "Jurisdiction",
    PK.WorkingGroup: "WorkingGroup",
}
EDGE_TYPES = {
    PK.leads: "LEADS",
    PK.assists: "ASSISTS",
    PK.targets: "TARGETS",
    PK.hasGoal: "HAS_GOAL",
    PK.locatedIn: "LOCATED_IN",
    PK.partOf: "PART_OF",
    PK.mentions: "MENTIONS",
    PK.jurisdiction: "IN_JURISDICTION",
    PK.officeAgency: "OFFICE_OF",
    PK.withinJurisdiction: "WITHIN",
}
# literal properties kept on nodes, by their local name
PROPS = {
    SKOS.prefLabel: "name",
    DCTERMS.title: "title",
    DCTERMS.source: "doc",
    PK.title: "title",
    PK.text: "text",
    PK.clause: "clause",
    PK.taskId: "task_id",
    PK.ordinal: "ordinal",
    PK.kind: "kind",
    PK.collective: "collective",
    PK.sectionPath: "section",
    PK.sourceStart: "start",
    PK.divisionCode: "division_code",
    PK.divisionLevel: "division_level",
    PK.sourceEnd: "end",
    PK.subject: "subject",
    PK.value: "value",
    PK.normValue: "norm_value",
    PK.comparator: "comparator",
    PK.targetYear: "year",
    PK.convener: "convener",
    PK.level: "level",
    PK.deadline: "deadline",
    PK.dueDate: "due_date",
}


_NODE_TYPES = {str(k): v for k, v in NODE_TYPES.items()}
_EDGE_TYPES = {str(k): v for k, v in EDGE_TYPES.items()}
_PROPS = {str(k): v for k, v in PROPS.items()}
_ALT_LABEL, _PREF_LABEL = str(SKOS.altLabel), str(SKOS.prefLabel)
_DEPUTY, _HAS_MEMBER, _DERIVED = (
    str(PK.deputyConvener),
    str(ORG.hasMember),
    str(PROV.wasDerivedFrom),
)
_UNITS = {str(PK.unit): "unit", str(PK.normUnit): "norm_unit"}
_SPATIAL = str(DCTERMS.spatial)
_UNIT, _LOCATION = str(PK.Unit), str(PK.LocationStatement)
_LOC_PROJECT, _LOC_PARK, _LOC_EVIDENCE = str(PK.project), str(PK.park), str(PK.evidence)
_ASSIGNMENT = str(PK.Assignment)
_A_TASK, _A_AGENT, _A_ROLE, _A_POSITION = (
    str(PK.task),
    str(PK.agent),
    str(PK.role),
    str(PK.position),
)
_ROLE_EDGES = {str(PK.LeadRole): "LEADS", str(PK.AssistRole): "ASSISTS"}
_UNPLACED = 1 << 30  # an assignment without pk:position (an older graph file) sorts last


def _str(line: str | bytes) -> str:
    return line.decode("utf-8") if isinstance(line, bytes) else line


def _note_position(positions: dict[tuple[str, str, str], int], triples) -> None:
    """Keep the first position at which an assignment's agency is named in its role."""
    d = {p: o for p, o in triples}
    key = _ROLE_EDGES.get(str(d.get(_A_ROLE)))
    position = d.get(_A_POSITION)
    if key is None or not isinstance(position, Lit):
        return
    n = position.to_python()
    if not isinstance(n, int):
        return
    slot = (str(d.get(_A_AGENT)), str(d.get(_A_TASK)), key)
    positions[slot] = min(n, positions.get(slot, n))


def _deadline(d: dict) -> DeadlineInfo | None:
    if "deadline" not in d and "due_date" not in d:
        return None
    return DeadlineInfo(str(d.get("deadline", "")), d.get("due_date"))


class EmbeddedStore:
    """Answers the `Store` questions from an in-process networkx graph."""

    in_memory = True  # lookups are pure CPU and sub-millisecond: no I/O to wait for
    repairing: threading.Thread | None = None  # stale graph files being rewritten (see open)

    def __init__(self, lines: Iterable[str | bytes], rdf: RdfStore | None = None) -> None:
        """A store of N-Triples lines (tests, small graphs: `ingest.rdf.build_lines`). Without
        `rdf`, an in-memory RDF store of the same lines is made when first asked for."""
        self._lines: list[str | bytes] | None = None if rdf is not None else list(lines)
        self._rdf = rdf
        self.g = nx.MultiDiGraph()
        self._build(lines_blocks(self._lines if self._lines is not None else lines))

    # ------------------------------------------------------------------ loading
    @classmethod
    def open(cls, data_dir: str | Path, *, snapshot: bool = True) -> EmbeddedStore:
        """The store of a data folder written by `plankg ingest`, with its RDF store behind it
        for SPARQL and RDF descriptions. The RDF store is the truth: files derived from an
        older state of it (a crash between a store write and the files) are rewritten first;
        the index snapshot is loaded when it reflects the store's state, else the store is
        built from the sorted plankg.nt and the snapshot rewritten (`snapshot=False`: built,
        nothing written)."""
        from plankg.graph import embedded_snapshot
        from plankg.graph.rdf_store import STORE_DIR, derived_state

        data = Path(data_dir)
        rdf = RdfStore.open(data) if (data / STORE_DIR).exists() else None
        if rdf is not None:
            state = rdf.state()
            found = embedded_snapshot.load(cls, data, state) if snapshot else None
            stale = derived_state(data) != state
            if found is not None:
                found._rdf = rdf
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
        if rdf is not None and snapshot:
            embedded_snapshot.save(store, data, state)
        return store

    def save_snapshot(self, data_dir: str | Path) -> Path:
        """Persist the indexes as of the RDF store's current state (after `apply_plan` /
        `remove_plan`, so a restart loads them instead of rebuilding)."""
        from plankg.graph import embedded_snapshot

        if self.rdf is None:
            raise RuntimeError("a snapshot records an RDF store state; this store has none")
        return embedded_snapshot.save(self, data_dir, self.rdf.state())

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

    def _build(self, blocks: Iterable[Block]) -> None:
        with collector_paused():  # millions of node dicts; no cyclic garbage among them
            self.unit_labels: dict[str, str] = {}
            self._positions: dict[tuple[str, str, str], int] = {}  # (agency, task, role) → 1st
            self._locations: dict[str, tuple[tuple[str, str], str]] = {}  # statement → key, text
            self.evidence: dict[tuple[str, str], tuple[str, ...]] = defaultdict(tuple)
            self.spatial: dict[str, str] = {}
            self._absorb(blocks)
            self._evidence_for(k for k, _ in self._locations.values())
            self._index()

    def _absorb(self, blocks: Iterable[Block]) -> set[str]:
        """Add the nodes, attributes and edges the blocks state to the graph (and the unit
        labels, assignment positions and location statements to their tables); returns the
        nodes the blocks describe. Edges to nodes not in the graph are dropped."""
        g = self.g
        aliases: dict[str, set[str]] = {}
        edges: list[tuple[str, str, str]] = []
        unit_refs: list[tuple[str, str, str]] = []
        described: set[str] = set()
        for block in blocks:
            subject, triples = block.subject, block.triples
            types = [o for p, o in triples if p == RDF_TYPE]
            kinds = [_NODE_TYPES[o] for o in types if isinstance(o, str) and o in _NODE_TYPES]
            if not kinds:
                if _UNIT in types:
                    for p, o in triples:
                        if p == _PREF_LABEL and isinstance(o, Lit):
                            self.unit_labels[subject] = o.lexical
                elif _LOCATION in types:
                    d = {p: o for p, o in triples}
                    key = (str(d.get(_LOC_PROJECT)), str(d.get(_LOC_PARK)))
                    evidence = d.get(_LOC_EVIDENCE)
                    text = evidence.lexical if isinstance(evidence, Lit) else str(evidence)
                    self._locations[subject] = (key, text)
                elif _ASSIGNMENT in types:
                    _note_position(self._positions, triples)
                continue
            kind = "Goal" if "Goal" in kinds else kinds[0]
            described.add(subject)
            if g.has_node(subject):  # an unsorted file may split a subject into blocks
                attrs = g.nodes[subject]
            else:
                g.add_node(subject, type=kind, iri=subject)
                attrs = g.nodes[subject]
            for p, o in triples:
                if isinstance(o, Lit):
                    if p == _ALT_LABEL:
                        aliases.setdefault(subject, set()).add(o.lexical)
                    elif p == _DEPUTY:
                        attrs["deputies"] = sorted({*attrs.get("deputies", ()), o.lexical})
                    elif p in _PROPS:
                        attrs[_PROPS[p]] = o.to_python()
                elif p in _EDGE_TYPES:
                    edges.append((subject, o, _EDGE_TYPES[p]))
                elif p == _HAS_MEMBER:
                    edges.append((o, subject, "MEMBER_OF"))
                elif p == _DERIVED:
                    attrs["plan"] = o
                elif p in _UNITS:
                    unit_refs.append((subject, _UNITS[p], o))
                elif p == _SPATIAL:
                    self.spatial[subject] = o
        for start, end, key in edges:
            if (key == "MEMBER_OF" and g.has_node(start)) or g.has_node(end):
                g.add_edge(start, end, key=key, type=key)
        for subject, attr, unit in unit_refs:
            g.nodes[subject][attr] = self.unit_labels.get(unit, "")
        for subject, names in aliases.items():
            g.nodes[subject]["aliases"] = tuple(
                sorted({*g.nodes[subject].get("aliases", ()), *names})
            )
        return described

    def _evidence_for(self, keys: Iterable[tuple[str, str]]) -> None:
        """Recompute the evidence of (project, park) pairs from the location statements."""
        wanted = set(keys)
        texts: dict[tuple[str, str], set[str]] = {k: set() for k in wanted}
        for key, text in self._locations.values():
            if key in wanted:
                texts[key].add(text)
        for key, found in texts.items():
            if found:
                self.evidence[key] = tuple(sorted(found))
            else:
                self.evidence.pop(key, None)

    def _jurisdiction_of(self, n: str) -> str | None:
        g = self.g
        if n in self.spatial:
            j = self.spatial[n]
            return g.nodes[j].get("name", "") if j in g else ""
        for _, j, k in g.out_edges(n, keys=True):
            if k == "IN_JURISDICTION":
                return g.nodes[j].get("name", "")
        return None

    def _roles_of(self, t: str) -> dict[str, list[str]]:
        lead = [a for a, _, k in self.g.in_edges(t, keys=True) if k == "LEADS"]
        assist = [a for a, _, k in self.g.in_edges(t, keys=True) if k == "ASSISTS"]
        return {"lead": lead, "assist": assist}

    def _index(self) -> None:
        g = self.g
        self.by_type: dict[str, list[str]] = defaultdict(list)
        for n, d in g.nodes(data=True):
            self.by_type[d["type"]].append(n)
        for nodes in self.by_type.values():
            nodes.sort()
        self.jurisdiction_of: dict[str, str] = {}
        for n in g:
            for _, j, k in g.out_edges(n, keys=True):
                if k == "IN_JURISDICTION":
                    self.jurisdiction_of[n] = g.nodes[j].get("name", "")
        self.plans_by_doc: dict[str, str] = {}
        for p in self.by_type["Plan"]:
            self._index_plan(p)
        # plan → jurisdiction through dcterms:spatial
        for plan, jurisdiction in self.spatial.items():
            self.jurisdiction_of[plan] = (
                g.nodes[jurisdiction].get("name", "") if jurisdiction in g else ""
            )
        self.task_by_id = {g.nodes[t]["task_id"]: t for t in self.by_type["Task"]}
        self.alias_index: dict[str, set[str]] = defaultdict(set)
        for a in self.by_type["Agency"]:
            self._index_agency(a)
        self.roles: dict[str, dict[str, list[str]]] = defaultdict(
            lambda: {"lead": [], "assist": []}
        )
        for a in self.by_type["Agency"]:
            for _, t, k in g.out_edges(a, keys=True):
                if k == "LEADS":
                    self.roles[t]["lead"].append(a)
                elif k == "ASSISTS":
                    self.roles[t]["assist"].append(a)
        self._order_roles(self._positions)

    def _index_plan(self, p: str) -> None:
        doc = self.g.nodes[p].get("doc", "")
        self.plans_by_doc[doc] = p
        self.plans_by_doc[Path(doc).stem] = p
        self.plans_by_doc[p] = p

    def _agency_keys(self, a: str) -> set[str]:
        d = self.g.nodes[a]
        name, aliases = d.get("name", ""), d.get("aliases", ())
        return set(index_keys(name, self.jurisdiction_of.get(a, ""), aliases))

    def _index_agency(self, a: str) -> None:
        for key in self._agency_keys(a):
            self.alias_index[key].add(a)

    def _order_roles(
        self, positions: dict[tuple[str, str, str], int], tasks: Iterable[str] | None = None
    ) -> None:
        """Leads and assists of every task (or of `tasks`) in the plan's order (the first place
        an agency is named in that role); each LEADS/ASSISTS edge gets its 1-based `position`
        among them."""
        edges = self.g.edges
        chosen = self.roles.items() if tasks is None else ((t, self.roles[t]) for t in tasks)
        for t, roles in chosen:
            for role, key in (("lead", "LEADS"), ("assist", "ASSISTS")):
                agencies = roles[role]
                agencies.sort(key=lambda a, k=key: (positions.get((a, t, k), _UNPLACED), a))
                for n, a in enumerate(agencies, start=1):
                    edges[a, t, key]["position"] = n

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

    def plans(self) -> list[PlanInfo]:
        out = []
        per_plan = Counter(self.g.nodes[t].get("plan") for t in self.by_type["Task"])
        for p in self.by_type["Plan"]:
            d = self.g.nodes[p]
            tasks = per_plan[p]
            goals = sum(1 for _, _, k in self.g.out_edges(p, keys=True) if k == "HAS_GOAL")
            out.append(
                PlanInfo(
                    p,
                    d.get("doc", ""),
                    d.get("title", ""),
                    self.jurisdiction_of.get(p, ""),
                    tasks,
                    goals,
                )
            )
        return sorted(out, key=lambda i: i.doc)

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
