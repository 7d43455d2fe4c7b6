"""The loaded graph's predecessors: not built by the questions answered first, built once by
the first reader that walks edges backwards, and then exactly networkx's own structure."""

from __future__ import annotations

import threading

import networkx as nx
import pytest

from plankg.graph import pred_on_demand
from plankg.graph.embedded import EmbeddedStore
from plankg.graph.pred_on_demand import PredOnDemandGraph
from plankg.ingest.pipeline import write_plans


@pytest.fixture
def data(sample_plans, tmp_path):
    write_plans(sample_plans, tmp_path)
    EmbeddedStore.open(tmp_path)  # writes the snapshot
    return tmp_path


def test_the_first_questions_do_not_build_the_predecessors(data):
    store = EmbeddedStore.open(data)
    assert isinstance(store.g, PredOnDemandGraph) and not store.g.pred_built()
    agencies = store.agencies()
    for a in agencies:
        store.tasks_of_agency(a.iri, "lead")
        store.agency(a.iri)
    tasks = store.tasks_of_agency(agencies[0].iri)
    store.task(tasks[0].id)
    store.plans()
    assert not store.g.pred_built()
    parks = store.parks()  # counts what points at each park
    assert store.g.pred_built() and parks


def test_built_predecessors_are_networkx_s_own_and_follow_later_edges(data):
    built = EmbeddedStore.from_ntriples(data / "plankg.nt").g
    g = EmbeddedStore.open(data).g
    assert sorted(g.in_edges(keys=True)) == sorted(built.in_edges(keys=True))
    for v, preds in g._pred.items():
        for u, keys in preds.items():
            assert keys is g._succ[u][v]  # one key dict per pair, as add_edge keeps it
    agency, task = next((u, v) for u, v, k in g.edges(keys=True) if k == "LEADS")
    g.add_edge(agency, task, key="ASSISTS")
    assert (agency, task, "ASSISTS") in set(g.in_edges(task, keys=True))
    g.remove_node(agency)
    assert agency not in g and all(agency not in p for p in g._pred.values())
    assert nx.is_directed(g) and g.number_of_edges() < built.number_of_edges()


def test_readers_in_threads_build_the_predecessors_once(data, monkeypatch):
    g = EmbeddedStore.open(data).g
    builds = []
    real = pred_on_demand.predecessors

    def counted(node, succ):
        builds.append(1)
        return real(node, succ)

    monkeypatch.setattr(pred_on_demand, "predecessors", counted)
    seen = []
    start = threading.Barrier(4)

    def read():
        start.wait()
        seen.append(id(g._pred))

    threads = [threading.Thread(target=read) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(seen)) == 1 and g.pred_built()
    assert builds == [1]  # the others waited on the lock and found it built
    assert g._pred is g.pred._atlas


def test_serving_warms_the_predecessors_after_start(data):
    from plankg.api.commands.serve import _warm_in_background
    from plankg.graph.guarded import Guarded

    store = Guarded(EmbeddedStore.open(data))
    assert not store.wrapped.g.pred_built()
    _warm_in_background(store).join(30)
    assert store.wrapped.g.pred_built()
    assert store.parks() == EmbeddedStore.from_ntriples(data / "plankg.nt").parks()


def _pairs_sharing(g) -> tuple[tuple, tuple]:
    """Two pairs of nodes whose edge-key dict is one object."""
    first: dict[int, tuple] = {}
    for u, nbrs in g._succ.items():
        for v, keys in nbrs.items():
            if id(keys) in first:
                return first[id(keys)], (u, v)
            first[id(keys)] = (u, v)
    raise AssertionError("no two pairs share a key dict")


def test_a_loaded_graph_shares_its_edge_key_dicts(data):
    built = EmbeddedStore.from_ntriples(data / "plankg.nt").g
    g = EmbeddedStore.open(data).g
    pairs = [keys for nbrs in g._succ.values() for keys in nbrs.values()]
    assert len({id(k) for k in pairs}) <= 16 < len(pairs)  # one per set of edge types
    assert len({id(k) for nbrs in built._succ.values() for k in nbrs.values()}) == len(pairs)
    assert sorted(g.edges(keys=True)) == sorted(built.edges(keys=True))


@pytest.mark.parametrize("pred_first", [False, True])
def test_writing_one_pair_never_shows_through_another(data, pred_first):
    g = EmbeddedStore.open(data).g
    if pred_first:
        _ = g._pred
    (u, v), (x, y) = _pairs_sharing(g)
    before = dict(g._succ[x][y])
    g.add_edge(u, v, key="MENTIONS", type="MENTIONS")
    assert "MENTIONS" in g._succ[u][v] and dict(g._succ[x][y]) == before
    for key in list(g._succ[u][v]):
        g.remove_edge(u, v, key)
    assert v not in g._succ[u] and dict(g._succ[x][y]) == before
    assert u not in g._pred[v] and g._pred[y][x] is g._succ[x][y]


def test_removing_nodes_before_anything_read_the_predecessors(data):
    g = EmbeddedStore.open(data).g
    assert not g.pred_built()
    agency = next(u for u, _, k in g.edges(keys=True) if k == "LEADS")
    g.remove_node(agency)  # networkx deletes both sides: the predecessors are built first
    assert agency not in g and all(agency not in p for p in g._pred.values())
    assert all(agency not in nbrs for nbrs in g._succ.values())
