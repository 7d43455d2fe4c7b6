"""Property-graph rows streamed from `plankg.nt`, so `plankg load` never holds the graph.

The rows are the ones `to_property_graph` makes from the embedded store (a test compares them
on every node and relationship), but they come from three passes over the sorted N-Triples file
instead of from a networkx graph: a scan for what rows refer to across subjects (every node's
label and name, plans' documents and titles, jurisdictions, unit labels, park evidence), then
the node rows subject by subject, then the relationships line by line. Only those lookups stay
in memory; the rows go straight to the loader's batches (`plankg load` peaks at 166 MB at 1,000
plans, where serving the same graph takes 339 MB). Each pass skips the lines it does not need
on their bytes, before parsing them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from rdflib.namespace import DCTERMS, ORG, PROV, SKOS

from plankg.graph.embedded import (
    _A_AGENT,
    _A_POSITION,
    _A_ROLE,
    _A_TASK,
    _ASSIGNMENT,
    _UNPLACED,
    EDGE_TYPES,
    NODE_TYPES,
    PROPS,
    _note_position,
)
from plankg.graph.property_graph import _KEEP, PLAN_OWNED, PropertyGraph
from plankg.ontology.names import index_keys
from plankg.ontology.namespaces import PK
from plankg.ontology.ntriples import RDF_TYPE, Lit, NTriplesError, Term, parse_line

RelKey = tuple[str, str, str]  # (type, start label, end label)
Row = dict[str, Any]

_NODE_TYPES = {str(k): v for k, v in NODE_TYPES.items()}
_EDGE_TYPES = {str(k): v for k, v in EDGE_TYPES.items()}
_PROPS = {str(k): v for k, v in PROPS.items()}
_PREF, _ALT, _DEPUTY = str(SKOS.prefLabel), str(SKOS.altLabel), str(PK.deputyConvener)
_MEMBER, _DERIVED, _SPATIAL = str(ORG.hasMember), str(PROV.wasDerivedFrom), str(DCTERMS.spatial)
_IN_JURISDICTION = str(PK.jurisdiction)
_DOC, _TITLES = str(DCTERMS.source), (str(DCTERMS.title), str(PK.title))
_UNITS = {str(PK.unit): "unit", str(PK.normUnit): "norm_unit"}
_UNIT, _LOCATION = str(PK.Unit), str(PK.LocationStatement)
_LOC = {str(PK.project): "project", str(PK.park): "park", str(PK.evidence): "evidence"}

_SCAN = {RDF_TYPE, _PREF, _DOC, *_TITLES, _IN_JURISDICTION, _SPATIAL, *_LOC}
_SCAN |= {_A_TASK, _A_AGENT, _A_ROLE, _A_POSITION}  # assignments: the plan's order
_NODE = {RDF_TYPE, *_PROPS, _ALT, _DEPUTY, _DERIVED, *_UNITS}
_RELS = {*_EDGE_TYPES, _MEMBER}


def _triples(
    path: Path,
    wanted: set[str],
    *,
    check_order: bool = False,
    tokens: dict[str, bytes] | None = None,
    subjects: set[bytes] | None = None,
) -> Iterator[tuple[str, str, Term]]:
    """Parsed lines whose predicate is wanted (and, given `subjects`, whose subject is one of
    those raw tokens); other lines are skipped on their bytes, unparsed. With `check_order`, a
    subject that sorts before the previous line's is an error: sorted lines keep each subject
    in one block, which the passes rely on. `tokens` collects each subject's raw token."""
    keep = {f"<{p}>".encode() for p in wanted}
    previous = b""
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            parts = raw.split(b" ", 2)
            if check_order and raw.strip() and raw[:1] != b"#":
                if parts[0] < previous:
                    raise NTriplesError(
                        f"{path}, line {number}: not sorted by subject; the file must be sorted "
                        "as `plankg ingest` writes it (re-run it)"
                    )
                previous = parts[0]
            if len(parts) == 3 and parts[1][:1] == b"<" and parts[1] not in keep:
                continue
            if subjects is not None and parts[0] not in subjects:
                continue
            try:
                parsed = parse_line(raw.decode("utf-8"))
            except (NTriplesError, UnicodeDecodeError) as exc:
                raise NTriplesError(f"{path}, line {number}: {exc}") from exc
            if parsed is not None and parsed[1] in wanted:
                if tokens is not None:
                    tokens[parsed[0]] = parts[0]
                yield parsed


def _subjects(triples: Iterable[tuple[str, str, Term]]) -> Iterator[tuple[str, list]]:
    """Consecutive triples grouped by subject (a sorted file keeps a subject together)."""
    current: str | None = None
    block: list[tuple[str, Term]] = []
    for s, p, o in triples:
        if s != current:
            if current is not None:
                yield current, block
            current, block = s, []
        block.append((p, o))
    if current is not None:
        yield current, block


def _kinds(block: list[tuple[str, Term]]) -> list[str]:
    return [
        _NODE_TYPES[o]
        for p, o in block
        if p == RDF_TYPE and isinstance(o, str) and o in _NODE_TYPES
    ]


class NtRows:
    """The rows of one `plankg.nt` (sorted, one block per subject, as `plankg ingest` writes)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise FileNotFoundError(f"no {self.path.name} in {self.path.parent}")
        self.label_of: dict[str, str] = {}
        self._scan()

    # ------------------------------------------------------------------ pass 1
    def _scan(self) -> None:
        names: dict[str, str] = {}
        refs: dict[str, list[tuple[str, str]]] = {}
        self.plans: dict[str, tuple[str, str]] = {}
        self.units: dict[str, str] = {}
        evidence: dict[tuple[str, str], set[str]] = defaultdict(set)
        self._positions: dict[tuple[str, str, str], int] = {}
        tokens: dict[str, bytes] = {}
        scan = _triples(self.path, _SCAN, check_order=True, tokens=tokens)
        for subject, block in _subjects(scan):
            kinds = _kinds(block)
            if not kinds:
                self._scan_other(subject, block, evidence)
                continue
            label = self.label_of[subject] = "Indicator" if "Goal" in kinds else kinds[0]
            doc = title = ""
            for p, o in block:
                if isinstance(o, Lit):
                    if p == _PREF:
                        names[subject] = o.to_python()
                    elif p == _DOC:
                        doc = o.to_python()
                    elif p in _TITLES:
                        title = o.to_python()
                elif p in (_IN_JURISDICTION, _SPATIAL):
                    refs.setdefault(subject, []).append((p, o))
            if label == "Plan":
                self.plans[subject] = (doc, title)
        # the node pass reads only the nodes' lines (assignments are half the file)
        self._node_tokens = {tokens[s] for s in self.label_of}
        self.evidence = {k: tuple(sorted(v)) for k, v in evidence.items()}
        self.jurisdiction_of = {s: self._jurisdiction(r, names) for s, r in refs.items()}
        self.rank = _ranks(self._positions)

    def _scan_other(self, subject: str, block: list, evidence: dict) -> None:
        types = {o for p, o in block if p == RDF_TYPE}
        if _ASSIGNMENT in types:
            _note_position(self._positions, block)
        elif _UNIT in types:
            for p, o in block:
                if p == _PREF and isinstance(o, Lit):
                    self.units[subject] = o.lexical
        elif _LOCATION in types:
            d = {_LOC[p]: o for p, o in block if p in _LOC}
            text = d.get("evidence")
            text = text.lexical if isinstance(text, Lit) else str(text)
            evidence[(str(d.get("project")), str(d.get("park")))].add(text)

    def _jurisdiction(self, refs: list[tuple[str, str]], names: dict[str, str]) -> str:
        """The name of the node's jurisdiction; dcterms:spatial (plans) wins over pk:jurisdiction,
        as in the embedded store."""
        found, spatial = "", None
        for p, o in refs:
            if p == _SPATIAL:
                spatial = o
            elif o in self.label_of:
                found = names.get(o, "")
        if spatial is not None:
            return names.get(spatial, "") if spatial in self.label_of else ""
        return found

    # ------------------------------------------------------------------ pass 2
    def node_rows(self) -> Iterator[tuple[str, Row]]:
        """(label, row) for every node, in file order."""
        for subject, block in _subjects(_triples(self.path, _NODE, subjects=self._node_tokens)):
            label = self.label_of.get(subject)
            if label is not None:
                yield label, self._node_row(subject, label, block)

    def _node_row(self, subject: str, label: str, block: list[tuple[str, Term]]) -> Row:
        attrs: dict[str, Any] = {}
        aliases: set[str] = set()
        units: list[tuple[str, str]] = []
        for p, o in block:
            if isinstance(o, Lit):
                if p == _ALT:
                    aliases.add(o.lexical)
                elif p == _DEPUTY:
                    attrs["deputies"] = sorted({*attrs.get("deputies", ()), o.lexical})
                elif p in _PROPS:
                    attrs[_PROPS[p]] = o.to_python()
            elif p == _DERIVED:
                attrs["plan"] = o
            elif p in _UNITS:
                units.append((_UNITS[p], o))
        for attr, unit in units:
            attrs[attr] = self.units.get(unit, "")
        if aliases:
            attrs["aliases"] = sorted(aliases)
        row: Row = {"iri": subject}
        for key in _KEEP:
            value = attrs.get(key)
            if value is not None:
                row[key] = list(value) if isinstance(value, tuple) else value
        if label == "Indicator" and "Goal" in _kinds(block):
            row["goal"] = True
        plan = attrs.get("plan") or (subject if label == "Plan" else None)
        if plan and label in PLAN_OWNED:
            row["plan_doc"], row["plan_title"] = self.plans.get(plan, ("", ""))
        jurisdiction = self.jurisdiction_of.get(subject) or self.jurisdiction_of.get(plan or "", "")
        if jurisdiction:
            row["jurisdiction"] = jurisdiction
        if label == "Agency":
            keys = index_keys(attrs.get("name", ""), jurisdiction, attrs.get("aliases", ()))
            row["keys"] = sorted(keys)
        return row

    # ------------------------------------------------------------------ pass 3
    def rel_rows(self) -> Iterator[tuple[RelKey, Row]]:
        """(key, row) for every relationship between two nodes, in file order."""
        label_of = self.label_of
        for s, p, o in _triples(self.path, _RELS):
            if isinstance(o, Lit) or s not in label_of or o not in label_of:
                continue
            start, end, rel = (o, s, "MEMBER_OF") if p == _MEMBER else (s, o, _EDGE_TYPES[p])
            row: Row = {"start": start, "end": end}
            if rel == "LOCATED_IN":
                row["evidence"] = list(self.evidence.get((start, end), ()))
            elif rel in ("LEADS", "ASSISTS") and (start, end, rel) in self.rank:
                row["position"] = self.rank[start, end, rel]
            yield (rel, label_of[start], label_of[end]), row

    # ------------------------------------------------------------------ whole graphs
    def property_graph(self) -> PropertyGraph:
        """Everything in memory, ordered like `to_property_graph` (for the offline exports)."""
        return _graph(self.node_rows(), self.rel_rows())

    def for_plan(self, doc: str) -> PropertyGraph:
        """What `PropertyGraph.for_plan` gives: the plan's own nodes, the relationships that
        touch them and the shared nodes at their other end."""
        own = [(label, row) for label, row in self.node_rows() if row.get("plan_doc") == doc]
        mine = {row["iri"] for _, row in own}
        rels = [(k, r) for k, r in self.rel_rows() if r["start"] in mine or r["end"] in mine]
        touched = {r[e] for _, r in rels for e in ("start", "end")} - mine
        shared = [(label, row) for label, row in self.node_rows() if row["iri"] in touched]
        return _graph(own + shared, rels)


def _ranks(positions: dict[tuple[str, str, str], int]) -> dict[tuple[str, str, str], int]:
    """Each agency's 1-based rank in its role of a task, in the plan's order — the `position`
    the embedded store puts on LEADS/ASSISTS."""
    by_task: dict[tuple[str, str], list[str]] = defaultdict(list)
    for agent, task, rel in positions:
        by_task[task, rel].append(agent)
    out = {}
    for (task, rel), agents in by_task.items():
        agents.sort(key=lambda a: (positions.get((a, task, rel), _UNPLACED), a))
        for n, a in enumerate(agents, start=1):
            out[a, task, rel] = n
    return out


def _graph(nodes: Iterable[tuple[str, Row]], rels: Iterable[tuple[RelKey, Row]]) -> PropertyGraph:
    pg = PropertyGraph()
    for label, row in nodes:
        pg.nodes.setdefault(label, []).append(row)
    for key, row in rels:
        pg.rels.setdefault(key, []).append(row)
    for rows in pg.nodes.values():
        rows.sort(key=lambda r: r["iri"])
    for rows in pg.rels.values():
        rows.sort(key=lambda r: (r["start"], r["end"]))
    return pg
