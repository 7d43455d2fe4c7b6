"""A networkx MultiDiGraph whose predecessor dicts are built on first use, not at load.

Loading `_pred` from the index snapshot is 0.7–0.8 s of a start at 10,000 plans (0.77 M
dicts, 1.9 M entries) although the questions answered first ("tasks led by X", the plan
list, an agency, a task) only walk edges forwards. The snapshot therefore keeps only `_node`
and `_succ`; `_pred` is derived from `_succ` the first time anything reads it (parks, working
groups, an update, a graph algorithm), once, under a lock, sharing the edge-key dicts with
`_succ` as networkx does. Answers never depend on the order of a node's predecessors (every
list built from `in_edges` is sorted), so the rebuilt order need not match the old one.

The loaded graph's edge-key dicts are shared too: every pair of nodes joined by the same edge
types in the same order has one `{type: attributes}` dict (11 distinct ones for 1.9 M pairs at
10,000 plans; the snapshot writes them shared), which saves ≈ 350 MB and 0.3 s of a start. A
pair gets its own copy before an edge between them is added or removed (`_own_keys`), so a
write never shows through another pair.
"""

from __future__ import annotations

import threading

import networkx as nx
from networkx.classes.digraph import _CachedPropertyResetterPred

_BUILDING = threading.Lock()


class _PredOnDemand(_CachedPropertyResetterPred):
    """`G._pred`: networkx's resetting setter, plus a getter that builds it when unset."""

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        pred = obj.__dict__.get("_pred")
        if pred is None:
            pred = obj._build_pred()
        return pred


class PredOnDemandGraph(nx.MultiDiGraph):
    """A MultiDiGraph from its node and successor dicts; predecessors on first use."""

    _pred = _PredOnDemand()

    @classmethod
    def from_dicts(cls, node: dict, succ: dict) -> PredOnDemandGraph:
        g = cls()
        g._node, g._adj = node, succ
        g.__dict__["_pred"] = None  # built by the first reader
        return g

    def _build_pred(self) -> dict:
        with _BUILDING:  # one lock for all: a build happens once per loaded graph
            pred = self.__dict__.get("_pred")
            if pred is None:
                pred = predecessors(self._node, self._succ)
                self._pred = pred  # networkx's setter: resets the views built on the old one
            return pred

    def pred_built(self) -> bool:
        return self.__dict__.get("_pred") is not None

    # Writes: the predecessors are built first (networkx updates both sides of what it
    # removes and must find both), and the pair written gets its own key dict.
    def add_edge(self, u_for_edge, v_for_edge, key=None, **attr):
        self._own_keys(u_for_edge, v_for_edge)
        return super().add_edge(u_for_edge, v_for_edge, key, **attr)

    def remove_edge(self, u, v, key=None):  # remove_edges_from comes here for each edge
        self._own_keys(u, v)
        super().remove_edge(u, v, key)

    def remove_node(self, n):
        _ = self._pred
        super().remove_node(n)

    def remove_nodes_from(self, nodes):
        _ = self._pred
        super().remove_nodes_from(nodes)

    def _own_keys(self, u, v) -> None:
        """Give the pair (u, v) a key dict of its own before an edge between them changes
        (a loaded graph shares one among all pairs with the same edge types)."""
        pred = self._pred
        keys = self._succ.get(u, {}).get(v)
        if keys is not None:
            mine = dict(keys)  # one or two entries
            self._succ[u][v] = pred[v][u] = mine


def sharing_key_dicts(succ: dict) -> dict:
    """`succ` with one key dict for all pairs whose key dicts hold the same keys, in the same
    order, with the same attribute dicts (what the snapshot writes; marshal keeps them
    shared on loading)."""
    shared: dict[tuple, dict] = {}
    return {
        u: {
            v: shared.setdefault(tuple((k, id(d)) for k, d in keys.items()), keys)
            for v, keys in nbrs.items()
        }
        for u, nbrs in succ.items()
    }


def predecessors(node: dict, succ: dict) -> dict:
    """networkx's `_pred` for these node and successor dicts (sharing their key dicts)."""
    pred: dict = {n: {} for n in node}
    for u, nbrs in succ.items():
        for v, keydict in nbrs.items():
            pred[v][u] = keydict
    return pred
