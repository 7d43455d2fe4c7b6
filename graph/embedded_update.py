"""Incremental updates of the embedded store after an RDF store transaction.

`EmbeddedStore.apply_plan(doc, triples)` and `EmbeddedStore.remove_plan(doc)` (the API's
upload and delete path calls them right after `RdfStore.replace_plan` / `remove_plan`) change
only what the plan touches: the plan's own nodes (plan, sections, tasks, indicators, goals,
working groups, its assignments and location statements) are dropped and re-made from its
triples, and each shared node it names (agency, jurisdiction, project, park) is re-read from
the RDF store — the union of the plans that still state it — and re-made; the indexes are
updated for those nodes only. Nothing else of the corpus is read again.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import TYPE_CHECKING

from plankg.ontology import iris
from plankg.ontology.ntriples import Block, iter_blocks, lines_blocks, triples

if TYPE_CHECKING:
    import pyoxigraph as ox

    from plankg.graph.embedded import EmbeddedStore

SHARED = {"Agency", "Jurisdiction", "Project", "Park"}
_KEEP_IN = "MEMBER_OF"  # agency → working group: stated by the group, not the agency


def _owned(store: EmbeddedStore, doc: str) -> tuple[str, set[str]]:
    """The plan node of `doc` and the nodes the plan owns now."""
    plan = str(iris.plan_iri(doc))
    prefix = plan + "/"
    g = store.g
    owned = {n for n, d in g.nodes(data=True) if d.get("plan") == plan or n.startswith(prefix)}
    if plan in g:
        owned.add(plan)
    return plan, owned


def _shared_neighbours(store: EmbeddedStore, nodes: Iterable[str]) -> set[str]:
    g = store.g
    out: set[str] = set()
    for n in nodes:
        for m in (*g.successors(n), *g.predecessors(n)):
            if g.nodes[m].get("type") in SHARED:
                out.add(m)
    return out


def _with_jurisdictions(store: EmbeddedStore, nodes: set[str]) -> set[str]:
    """`nodes` and the jurisdictions above them (an agency's, a county's city and province)."""
    g = store.g
    out, todo = set(nodes), list(nodes)
    while todo:
        for m in g.successors(todo.pop()):
            if m not in out and g.nodes[m].get("type") == "Jurisdiction":
                out.add(m)
                todo.append(m)
    return out


def _as_blocks(lines: Iterable[str | bytes | ox.Triple]) -> list[Block]:
    items = list(lines)
    if items and not isinstance(items[0], str | bytes):
        found = sorted(triples(items), key=lambda t: t[0])
        return list(iter_blocks(found))
    return list(lines_blocks(sorted(items)))


def update_plan(
    store: EmbeddedStore, doc: str, lines: Iterable[str | bytes | ox.Triple] | None
) -> None:
    """Replace (or, with `lines` None, remove) one plan's part of the embedded store. The
    RDF store must already hold the new state (it answers for the shared nodes)."""
    from plankg.ontology.ntriples import collector_paused

    rdf = store.rdf
    if rdf is None:
        raise RuntimeError("an incremental update needs the RDF store behind the embedded one")
    with collector_paused():
        try:
            written = _update(store, rdf, doc, lines)
        except BaseException:
            store._plans_memo = None  # half updated: the memo is not to be trusted either
            raise
        # replaced whole at the end: readers without the lock see the last completed write
        store._plans_memo = _memo_after(store, doc, written)


def _memo_after(store: EmbeddedStore, doc: str, written: set[str]) -> tuple:
    """The plan list after a write to `doc`: only that plan's entry changes (a task, a goal
    and a plan's jurisdiction belong to one plan), so it is recomputed from the nodes the
    write made (`written`) and the rest kept; without a memo, the whole list (a count over
    every task: 0.5 s at 10,000 plans)."""
    old = store.__dict__.get("_plans_memo")
    if old is None:
        return tuple(store.plan_infos())
    plan, g = str(iris.plan_iri(doc)), store.g
    out = [info for info in old if info.iri != plan]
    if plan in g and g.nodes[plan].get("type") == "Plan":
        tasks = sum(
            1
            for n in written
            if n in g and g.nodes[n].get("type") == "Task" and g.nodes[n].get("plan") == plan
        )
        out.append(store.plan_info(plan, tasks))
        out.sort(key=lambda i: i.doc)
    return tuple(out)


def _update(store: EmbeddedStore, rdf, doc: str, lines) -> set[str]:
    """Apply the change; returns the subjects of the plan's new triples."""
    g = store.g
    plan, owned = _owned(store, doc)
    new_blocks = _as_blocks(lines) if lines is not None else []
    new_subjects = {b.subject for b in new_blocks}
    shared = _shared_neighbours(store, owned)
    # projects and parks the plan ties together only through its location statements
    shared |= {
        n for s, (pair, _) in store._locations.items() if s.startswith(plan + "/") for n in pair
    }
    if plan in store.spatial:
        shared.add(store.spatial[plan])
    shared = _with_jurisdictions(store, {n for n in shared if n in g})
    shared |= {b.subject for b in new_blocks if _kind(b) in SHARED}
    shared |= {n for n in new_subjects if n in g and g.nodes[n].get("type") in SHARED}
    # tasks of other plans whose lead/assist lists the shared agencies take part in
    known = {n for n in shared if n in g}
    others = {
        t for a in known for _, t, k in g.out_edges(a, keys=True) if k in ("LEADS", "ASSISTS")
    } - owned
    old_keys = {a: store._agency_keys(a) for a in known if g.nodes[a]["type"] == "Agency"}
    locations = [s for s in store._locations if s.startswith(plan + "/")]
    touched_pairs = {store._locations[s][0] for s in locations}
    for s in locations:
        del store._locations[s]
    tasks = {n for n in owned if g.nodes[n]["type"] == "Task"}
    for key in [k for k in store._positions if k[1] in tasks]:
        del store._positions[key]
    # drop the plan's nodes; reset the shared ones to what they state themselves
    g.remove_nodes_from(owned)
    for n in owned:
        store.spatial.pop(n, None)
    for n in shared:
        if n not in g:
            continue
        drop = [(n, m, k) for _, m, k in g.out_edges(n, keys=True) if k != _KEEP_IN]
        g.remove_edges_from(drop)
        kind = g.nodes[n]["type"]
        g.nodes[n].clear()
        g.nodes[n].update(type=kind, iri=n)
    shared_blocks = []
    for n in sorted(shared):
        found = rdf.describe(n)
        if found:
            shared_blocks += list(iter_blocks(triples(found)))
        elif n in g:
            g.remove_node(n)
    own_blocks = [b for b in new_blocks if b.subject not in shared]
    added = store._absorb([*shared_blocks, *own_blocks])
    touched_pairs |= {store._locations[s][0] for s in store._locations if s.startswith(plan + "/")}
    store._evidence_for(touched_pairs)
    _reindex(store, owned, shared, added, old_keys, others)
    return new_subjects


def _kind(block: Block) -> str | None:
    from plankg.graph.embedded import _NODE_TYPES
    from plankg.ontology.ntriples import RDF_TYPE

    for p, o in block.triples:
        if p == RDF_TYPE and isinstance(o, str) and o in _NODE_TYPES:
            return _NODE_TYPES[o]
    return None


def _merged(nodes: list[str], drop: set[str], fresh: set[str]) -> list[str]:
    """Sorted `nodes` without `drop`, with `fresh`, sorted and distinct, in linear time: the
    kept list is still sorted and the new ones one short sorted run (timsort merges the two;
    a full sort of the Task or Indicator list was 0.6 s of each write at 10,000 plans)."""
    kept = [n for n in nodes if n not in drop] if drop else list(nodes)
    new = [n for n in sorted(fresh) if not _holds(kept, n)]
    if new:
        kept += new
        kept.sort()
    return kept


def _holds(ordered: list[str], item: str) -> bool:
    i = bisect.bisect_left(ordered, item)
    return i < len(ordered) and ordered[i] == item


def _reindex(
    store: EmbeddedStore,
    removed: set[str],
    shared: set[str],
    added: set[str],
    old_keys: dict[str, set[str]],
    others: set[str],
) -> None:
    g = store.g
    gone = {n for n in removed | shared if n not in g}
    present = {n for n in added | shared if n in g}
    changed_types = {g.nodes[n]["type"] for n in present}
    drop = gone | removed
    for kind, nodes in list(store.by_type.items()):
        if kind in changed_types or not drop.isdisjoint(nodes):
            fresh = {n for n in present if g.nodes[n]["type"] == kind}
            store.by_type[kind] = _merged(nodes, drop, fresh)
    for kind in changed_types - set(store.by_type):
        store.by_type[kind] = sorted(n for n in present if g.nodes[n]["type"] == kind)
    for n in removed | gone:
        store.jurisdiction_of.pop(n, None)
    for n in present:
        j = store._jurisdiction_of(n)
        if j is not None:
            store.jurisdiction_of[n] = j
    for key in [k for k, p in store.plans_by_doc.items() if p in removed]:
        del store.plans_by_doc[key]
    for n in present:
        if g.nodes[n]["type"] == "Plan":
            store._index_plan(n)
    for key in [k for k, t in store.task_by_id.items() if t in removed]:
        del store.task_by_id[key]
    for n in present:
        if g.nodes[n]["type"] == "Task":
            store.task_by_id[g.nodes[n]["task_id"]] = n
    for a, keys in old_keys.items():
        for key in keys:
            found = store.alias_index.get(key)
            if found is not None:
                found.discard(a)
                if not found:
                    del store.alias_index[key]
    for a in present:
        if g.nodes[a]["type"] == "Agency":
            store._index_agency(a)
    for t in removed:
        store.roles.pop(t, None)
    tasks = {n for n in present if g.nodes[n]["type"] == "Task"} | {t for t in others if t in g}
    for t in tasks:
        store.roles[t] = store._roles_of(t)
    store._order_roles(store._positions, tasks)
