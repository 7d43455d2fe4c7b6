"""How the embedded store is built from triples: node types, properties and edges kept, and the
indexes the questions use (`IndexBuilder`, mixed into `EmbeddedStore`). The same steps serve a
full build (every block of the sorted `plankg.nt`) and an incremental update
(`graph/embedded_update.py`: the blocks of one plan and of the shared nodes it names).
"""

from __future__ import annotations

import marshal
import threading
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from sys import intern

import networkx as nx

from plankg.ontology.names import index_keys
from plankg.ontology.namespaces import DCTERMS, ORG, PK, PROV, SKOS
from plankg.ontology.ntriples import RDF_TYPE, Block, Lit, collector_paused

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
# An edge's attributes are only its type, so all edges of one type share one dict (1.9 M fewer
# dicts at 10,000 plans, in memory and in the snapshot: 150 MB, 0.25 s of a start). Nothing
# may write to an edge's dict. A LEADS / ASSISTS edge's place among the task's agencies in
# that role is its index in `roles` (`role_position`).
_EDGE_DATA = {t: {"type": t} for t in (*_EDGE_TYPES.values(), "MEMBER_OF", *_ROLE_EDGES.values())}
_ROLE_OF_EDGE = {"LEADS": "lead", "ASSISTS": "assist"}
_UNPLACED = 1 << 30  # an assignment without pk:position (an older graph file) sorts last


def _str(line: str | bytes) -> str:
    return line.decode("utf-8") if isinstance(line, bytes) else line


def _value(o):
    """A literal's Python value; text interned (see `IndexBuilder._absorb`)."""
    v = o.to_python()
    return intern(v) if type(v) is str else v


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
    slot = (intern(str(d.get(_A_AGENT))), intern(str(d.get(_A_TASK))), key)
    positions[slot] = min(n, positions.get(slot, n))


class IndexBuilder:
    """The building half of `EmbeddedStore`: fills `g` and the indexes from subject blocks."""

    g: nx.MultiDiGraph
    _pending: dict[str, bytes]  # parts of a loaded snapshot not decoded yet (see below)
    _decoding = threading.Lock()

    def __getattr__(self, name: str):
        """A part of the snapshot only updates read (`_positions` …) is decoded when first
        asked for (called only when `name` is not an attribute yet)."""
        pending = self.__dict__.get("_pending")
        if pending is not None:
            with IndexBuilder._decoding:  # two threads asking at once decode it once
                if name in self.__dict__:
                    return self.__dict__[name]
                if name in pending:
                    value = self.__dict__[name] = marshal.loads(pending.pop(name))
                    return value
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

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
        nodes the blocks describe. Edges to nodes not in the graph are dropped.

        Every string kept is interned: an IRI named by many edges, a plan IRI on every node
        of the plan, a section path or a repeated task text is then one object, not one per
        mention (at 10,000 plans 4.5 M edge-end strings and 2.3 M attribute strings were
        copies), which saves memory and makes the snapshot load that many objects less."""
        g = self.g
        aliases: dict[str, set[str]] = {}
        edges: list[tuple[str, str, str]] = []
        unit_refs: list[tuple[str, str, str]] = []
        described: set[str] = set()
        for block in blocks:
            subject, triples = intern(block.subject), block.triples
            types = [o for p, o in triples if p == RDF_TYPE]
            kinds = [_NODE_TYPES[o] for o in types if isinstance(o, str) and o in _NODE_TYPES]
            if not kinds:
                if _UNIT in types:
                    for p, o in triples:
                        if p == _PREF_LABEL and isinstance(o, Lit):
                            self.unit_labels[subject] = o.lexical
                elif _LOCATION in types:
                    d = {p: o for p, o in triples}
                    key = (intern(str(d.get(_LOC_PROJECT))), intern(str(d.get(_LOC_PARK))))
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
                        aliases.setdefault(subject, set()).add(intern(o.lexical))
                    elif p == _DEPUTY:
                        deputies = {*attrs.get("deputies", ()), intern(o.lexical)}
                        attrs["deputies"] = sorted(deputies)
                    elif p in _PROPS:
                        attrs[_PROPS[p]] = _value(o)
                elif p in _EDGE_TYPES:
                    edges.append((subject, intern(o), _EDGE_TYPES[p]))
                elif p == _HAS_MEMBER:
                    edges.append((intern(o), subject, "MEMBER_OF"))
                elif p == _DERIVED:
                    attrs["plan"] = intern(o)
                elif p in _UNITS:
                    unit_refs.append((subject, _UNITS[p], o))
                elif p == _SPATIAL:
                    self.spatial[subject] = intern(o)
        for start, end, key in edges:
            if (key == "MEMBER_OF" and g.has_node(start)) or g.has_node(end):
                g.add_edge(start, end, key=key, type=key)
                g._succ[start][end][key] = _EDGE_DATA[key]  # one dict for every edge of a type
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
        an agency is named in that role)."""
        chosen = self.roles.items() if tasks is None else ((t, self.roles[t]) for t in tasks)
        for t, roles in chosen:
            for role, key in (("lead", "LEADS"), ("assist", "ASSISTS")):
                agencies = roles[role]
                agencies.sort(key=lambda a, k=key: (positions.get((a, t, k), _UNPLACED), a))

    def role_position(self, agency: str, task: str, kind: str) -> int | None:
        """The 1-based place of `agency` among the task's agencies in the role of edge type
        `kind` (LEADS / ASSISTS), in the plan's order; None if it does not hold that role."""
        roles = self.roles.get(task)
        named = roles.get(_ROLE_OF_EDGE[kind], ()) if roles else ()
        return named.index(agency) + 1 if agency in named else None
