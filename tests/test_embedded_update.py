"""Incremental updates of the embedded store give what a full rebuild gives."""

from __future__ import annotations

import pytest

from plankg.graph.embedded import EmbeddedStore
from plankg.graph.rdf_store import RdfStore
from plankg.ingest.pipeline import write_plans
from plankg.ingest.rdf import build_lines, plan_lines


def _same(a: EmbeddedStore, b: EmbeddedStore) -> None:
    assert sorted(a.g.nodes(data=True)) == sorted(b.g.nodes(data=True))
    assert sorted(a.g.edges(keys=True, data=True)) == sorted(b.g.edges(keys=True, data=True))
    assert dict(a.by_type) == {k: v for k, v in b.by_type.items() if v}
    assert a.jurisdiction_of == b.jurisdiction_of
    assert a.plans_by_doc == b.plans_by_doc and a.task_by_id == b.task_by_id
    assert {k: v for k, v in a.alias_index.items() if v} == dict(b.alias_index)
    assert {t: r for t, r in a.roles.items() if r["lead"] or r["assist"]} == {
        t: r for t, r in b.roles.items() if r["lead"] or r["assist"]
    }
    assert dict(a.evidence) == {k: v for k, v in b.evidence.items() if v}
    assert a.plans() == b.plans() and a.agencies() == b.agencies()
    memo = a.plans_memo()  # what the write path keeps for readers without the lock
    assert memo is None or list(memo) == b.plan_infos()
    assert a.working_groups() == b.working_groups() and a.indicators() == b.indicators()
    assert a.coordination() == b.coordination() and a.parks() == b.parks()
    for agency in b.agencies():
        assert a.tasks_of_agency(agency.iri) == b.tasks_of_agency(agency.iri)
        assert a.resolve_agency(agency.name) == b.resolve_agency(agency.name)
    for park in b.parks():
        assert a.projects_in_park(park.iri) == b.projects_in_park(park.iri)


@pytest.fixture
def served(sample_plans, tmp_path):
    write_plans(sample_plans, tmp_path)
    return EmbeddedStore.open(tmp_path), RdfStore.open(tmp_path)


def test_removing_and_adding_back_a_plan_matches_a_rebuild(served, sample_plans):
    store, rdf = served
    for gone in sample_plans:  # each plan in turn: shared agencies, parks, jurisdictions
        rest = [p for p in sample_plans if p is not gone]
        rdf.remove_plan(gone.doc)
        store.remove_plan(gone.doc)
        _same(store, EmbeddedStore(build_lines(rest)))
        rdf.replace_plan(gone.doc, plan_lines(gone))
        store.apply_plan(gone.doc, plan_lines(gone))
        _same(store, EmbeddedStore(build_lines(sample_plans)))


def test_replacing_a_plan_by_another_version_matches_a_rebuild(served, sample_plans):
    from plankg.ingest.extract import extract_text

    store, rdf = served
    old = sample_plans[0]
    new = extract_text(
        "平江县统计工作方案\n一、工作任务\n1.联网直报。推进企业联网直报。（县统计局牵头，县财政局配合）\n",
        old.doc,
        jurisdiction="平江县",
    )
    rdf.replace_plan(old.doc, plan_lines(new))
    store.apply_plan(old.doc, rdf.plan_triples(old.doc))  # pyoxigraph Triples work too
    _same(store, EmbeddedStore(build_lines([new, *sample_plans[1:]])))
