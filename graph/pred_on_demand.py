"""A networkx MultiDiGraph whose predecessor dicts are built on first use, not at load.

Loading `_pred` from the index snapshot is 0.7–0.8 s of a start at 10,000 plans (0.77 M
dicts, 1.9 M entries) although the questions answered first ("tasks led by X", the plan
list, an agency, a task) only walk edges forwards. The snapshot therefore keeps only `_node`
and `_succ`; `_pred` is derived from `_succ` the first time anything reads it (parks, working
groups, an update, a graph algorithm), once, under a lock, sharing the edge-key dicts with
`_succ` as networkx does. Answers never depend on the order of a node's predecessors (every
list built from `in_edges` is sorted), so the rebuilt order need not match the old one.
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


def predecessors(node: dict, succ: dict) -> dict:
    """networkx's `_pred` for these node and successor dicts (sharing their key dicts)."""
    pred: dict = {n: {} for n in node}
    for u, nbrs in succ.items():
        for v, keydict in nbrs.items():
            pred[v][u] = keydict
    return pred
