"""The RDF graph as a property graph: labelled nodes with flat properties and typed
relationships — the shape Neo4j stores, the admin-import CSVs hold and the `.cypher` script
creates.

Properties are denormalised where a query would otherwise need a join for every row: tasks and
indicators carry their plan's document name and title, agencies their jurisdiction and the
lookup keys of all their names. Plan-owned nodes carry `plan_doc`, so reloading a changed plan
can replace exactly that plan's subgraph; shared nodes (agencies, parks, projects,
jurisdictions) have no `plan_doc` and are merged. LEADS and ASSISTS carry `position`, the
agency's 1-based place among the task's agencies of that role in the plan's wording.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from plankg.graph.embedded import EmbeddedStore
from plankg.ontology.names import index_keys

LABELS = (
    "Agency",
    "Task",
    "Indicator",
    "Project",
    "Park",
    "Plan",
    "Section",
    "Jurisdiction",
    "WorkingGroup",
)
REL_TYPES = (
    "LEADS",
    "ASSISTS",
    "TARGETS",
    "HAS_GOAL",
    "LOCATED_IN",
    "PART_OF",
    "MENTIONS",
    "MEMBER_OF",
    "IN_JURISDICTION",
    "OFFICE_OF",
    "WITHIN",
)
PLAN_OWNED = {"Task", "Indicator", "Section", "WorkingGroup", "Plan"}
_KEEP = (
    "name",
    "division_code",
    "division_level",
    "title",
    "doc",
    "text",
    "clause",
    "task_id",
    "ordinal",
    "kind",
    "collective",
    "section",
    "start",
    "end",
    "subject",
    "value",
    "norm_value",
    "unit",
    "norm_unit",
    "comparator",
    "year",
    "convener",
    "deputies",
    "aliases",
    "level",
    "deadline",
    "due_date",  # ISO text, not a temporal value: the same string in every store and file
)


@dataclass
class PropertyGraph:
    nodes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # label → rows
    rels: dict[tuple[str, str, str], list[dict[str, str]]] = field(default_factory=dict)
    # (type, start label, end label) → rows {start, end}

    def node_count(self) -> int:
        return sum(len(v) for v in self.nodes.values())

    def rel_count(self) -> int:
        return sum(len(v) for v in self.rels.values())

    def node_rows(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """(label, row) pairs, the shape the loader streams (see `graph/nt_rows.py`)."""
        return ((label, row) for label, rows in sorted(self.nodes.items()) for row in rows)

    def rel_rows(self) -> Iterator[tuple[tuple[str, str, str], dict[str, str]]]:
        return ((key, row) for key, rows in sorted(self.rels.items()) for row in rows)

    def for_plan(self, doc: str) -> PropertyGraph:
        """The part of the graph one plan owns, plus the shared nodes it touches."""
        own = {r["iri"] for rows in self.nodes.values() for r in rows if r.get("plan_doc") == doc}
        rels = {
            key: [r for r in rows if r["start"] in own or r["end"] in own]
            for key, rows in self.rels.items()
        }
        touched = own | {r[e] for rows in rels.values() for r in rows for e in ("start", "end")}
        nodes = {
            label: [r for r in rows if r["iri"] in touched] for label, rows in self.nodes.items()
        }
        return PropertyGraph(
            {k: v for k, v in nodes.items() if v}, {k: v for k, v in rels.items() if v}
        )


def to_property_graph(rdf: Iterable[str] | EmbeddedStore) -> PropertyGraph:
    """Rows of the embedded store, or of one built from N-Triples lines."""
    store = rdf if isinstance(rdf, EmbeddedStore) else EmbeddedStore(rdf)
    g = store.g
    pg = PropertyGraph()
    label_of: dict[str, str] = {}
    for iri in sorted(g):
        d = g.nodes[iri]
        label = "Indicator" if d["type"] == "Goal" else d["type"]
        label_of[iri] = label
        row: dict[str, Any] = {"iri": iri}
        for key in _KEEP:
            value = d.get(key)
            if value is None:
                continue
            row[key] = list(value) if isinstance(value, tuple) else value
        if d["type"] == "Goal":
            row["goal"] = True
        plan = d.get("plan") or (iri if label == "Plan" else None)
        if plan and label in PLAN_OWNED:
            plan_data = g.nodes.get(plan, {})
            row["plan_doc"] = plan_data.get("doc", "")
            row["plan_title"] = plan_data.get("title", "")
        jurisdiction = store.jurisdiction_of.get(iri) or store.jurisdiction_of.get(plan or "", "")
        if jurisdiction:
            row["jurisdiction"] = jurisdiction
        if label == "Agency":
            row["keys"] = sorted(index_keys(d.get("name", ""), jurisdiction, d.get("aliases", ())))
        pg.nodes.setdefault(label, []).append(row)
    for start, end, key in sorted(g.edges(keys=True)):
        rel = (key, label_of[start], label_of[end])
        row: dict[str, Any] = {"start": start, "end": end}
        if key == "LOCATED_IN":
            row["evidence"] = list(store.evidence.get((start, end), ()))
        if key in ("LEADS", "ASSISTS"):
            row["position"] = store.role_position(start, end, key)
        pg.rels.setdefault(rel, []).append(row)
    return pg
