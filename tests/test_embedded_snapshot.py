"""The index snapshot: used only when it reflects the RDF store's state; stale files repaired."""

from __future__ import annotations

import pytest

from plankg.graph import embedded as embedded_module
from plankg.graph.embedded import EmbeddedStore
from plankg.graph.embedded_snapshot import SNAPSHOT
from plankg.graph.rdf_store import RdfStore, derived_state
from plankg.ingest.pipeline import write_plans
from plankg.ingest.rdf import plan_lines


def _answers(store: EmbeddedStore) -> tuple:
    return (
        store.plans(),
        store.agencies(),
        [store.tasks_of_agency(a.iri) for a in store.agencies()],
        store.resolve_agency("科工信局"),
        store.coordination(),
    )


@pytest.fixture
def data(sample_plans, tmp_path):
    write_plans(sample_plans, tmp_path)
    return tmp_path


def _no_rebuild(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("rebuilt from plankg.nt although the snapshot is current")

    monkeypatch.setattr(embedded_module.EmbeddedStore, "from_ntriples", classmethod(refuse))


def test_a_second_start_loads_the_snapshot(data, monkeypatch):
    first = EmbeddedStore.open(data)
    assert (data / SNAPSHOT).exists()
    _no_rebuild(monkeypatch)
    again = EmbeddedStore.open(data)
    assert _answers(again) == _answers(first)
    assert again.rdf is first.rdf and again.repairing is None


def test_a_store_changed_behind_the_files_is_repaired_at_start(data, sample_plans):
    EmbeddedStore.open(data)
    rdf = RdfStore.open(data)
    gone = sample_plans[0].doc
    rdf.remove_plan(gone)  # as if the process died before the files were rewritten
    assert derived_state(data) != rdf.state()
    store = EmbeddedStore.open(data)
    assert gone not in [p.doc for p in store.plans()]
    assert store.replayed == 1  # the snapshot was brought up to date, not rebuilt
    store.repairing.join(120)  # the graph files follow in the background
    assert derived_state(data) == rdf.state()
    assert gone.encode() not in (data / "plankg.nt").read_bytes()


def test_an_incremental_update_saved_as_a_snapshot_serves_at_once(data, sample_plans, monkeypatch):
    store = EmbeddedStore.open(data)
    rdf = store.rdf
    plan = sample_plans[1]
    rdf.remove_plan(plan.doc)
    store.remove_plan(plan.doc)
    store.save_snapshot(data)
    _no_rebuild(monkeypatch)
    again = EmbeddedStore.open(data)
    assert _answers(again) == _answers(store)
    again.repairing.join(120)  # the graph files catch up in the background
    assert derived_state(data) == rdf.state()
    rdf.replace_plan(plan.doc, plan_lines(plan))
    monkeypatch.undo()
    assert plan.doc in [p.doc for p in EmbeddedStore.open(data).plans()]
