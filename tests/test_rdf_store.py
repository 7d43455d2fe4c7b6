"""The pyoxigraph RDF store: one graph per plan, atomic writes, a version, derived files."""

from __future__ import annotations

import gc
import time

import pyoxigraph as ox
import pytest

from plankg.graph import rdf_store
from plankg.graph.rdf_store import (
    JSONLD,
    META,
    NT,
    TTL,
    BulkLoader,
    RdfStore,
    Serialiser,
    StoreMissing,
    derived_state,
    serialize,
)
from plankg.ingest.rdf import plan_lines
from plankg.ontology.namespaces import ORG, PK, SKOS

SHARED_AGENCY = "https://w3id.org/plankg/id/agency/平江县/平江县发展和改革局"


@pytest.fixture
def store(sample_plans, tmp_path) -> RdfStore:
    s = RdfStore.open(tmp_path)
    s.bulk_load((p.doc, plan_lines(p)) for p in sample_plans)
    return s


def _labels(store: RdfStore, iri: str) -> list[str]:
    return [
        str(t.object.value) for t in store.describe(iri) if t.predicate.value == str(SKOS.prefLabel)
    ]


def test_bulk_load_puts_each_plan_in_its_own_graph(store, sample_plans):
    assert store.plans() == sorted(p.doc for p in sample_plans)
    every = {line for p in sample_plans for line in plan_lines(p)}
    assert store.triples == len(every)
    one = sample_plans[0]
    assert [f"{t} .\n" for t in store.plan_triples(one.doc)] == plan_lines(one)


def test_a_shared_node_survives_while_another_plan_states_it(store, sample_plans):
    stating = [p.doc for p in sample_plans if any(SHARED_AGENCY in ln for ln in plan_lines(p))]
    assert len(stating) >= 2, "the samples have two plans naming this agency"
    assert store.remove_plan(stating[0]) is True
    assert _labels(store, SHARED_AGENCY) == ["平江县发展和改革局"]
    for doc in stating[1:]:
        store.remove_plan(doc)
    assert store.describe(SHARED_AGENCY) == []
    assert store.remove_plan(stating[0]) is False  # gone already: nothing written


def test_every_write_changes_the_version_and_replace_is_idempotent(store, sample_plans):
    plan = sample_plans[0]
    before, count = store.version(), store.triples
    store.replace_plan(plan.doc, plan_lines(plan))
    assert store.version() == before + 1 and store.triples == count
    store.replace_plan(plan.doc, [])  # a plan graph emptied
    assert store.version() == before + 2 and plan.doc not in store.plans()
    store.replace_plan(plan.doc, store_triples := [ox.Triple(*t) for t in _parse(plan)])
    assert store.triples == count and len(store_triples) == len(plan_lines(plan))


def _parse(plan):
    return [
        (t.subject, t.predicate, t.object)
        for t in ox.parse("".join(plan_lines(plan)), format=ox.RdfFormat.N_TRIPLES)
    ]


def test_replace_plan_is_one_transaction(store, sample_plans, monkeypatch):
    """The drop, the insert and the version bump commit together or not at all: make the last
    operation of the update fail and nothing of the first two remains."""
    plan = sample_plans[0]
    before, old = store.version(), store.plan_triples(plan.doc)
    other = rdf_store.graph_name(sample_plans[1].doc)
    monkeypatch.setattr(rdf_store, "_bump_version", lambda: f"CREATE GRAPH <{other}>")
    with pytest.raises(RuntimeError, match="already exists"):
        store.replace_plan(plan.doc, plan_lines(plan)[:10])
    with pytest.raises(RuntimeError, match="already exists"):
        store.remove_plan(plan.doc)
    assert store.plan_triples(plan.doc) == old and store.version() == before


def test_the_store_persists_and_opens_read_only(sample_plans, tmp_path):
    """Written, closed (the last reference dropped: Oxigraph closes the folder), opened again
    read-only: the same state. (The fixture's store would stay open, and a read-only handle
    beside a live writer can see files its compactions delete.)"""
    store = RdfStore.open(tmp_path)
    store.bulk_load((p.doc, plan_lines(p)) for p in sample_plans[:2])
    state, triples, plans = store.state(), store.triples, store.plans()
    del store
    gc.collect()
    again = RdfStore.open(tmp_path, read_only=True)
    assert (again.state(), again.triples, again.plans()) == (state, triples, plans)
    with pytest.raises(StoreMissing, match="plankg ingest"):
        RdfStore.open(tmp_path / "nowhere", read_only=True)


def test_queries_see_each_triple_once_and_no_housekeeping(store):
    """Four plans name this agency: the default graph (the union) still holds its label once."""
    rows = store.query(f"SELECT ?l WHERE {{ <{SHARED_AGENCY}> <{SKOS.prefLabel}> ?l }}")
    assert [r["l"].value for r in rows] == ["平江县发展和改革局"]
    assert not list(store.query("SELECT * WHERE { <urn:plankg:store> ?p ?o }"))
    total = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(next(iter(total))["n"].value) == store.triples


def test_reused_classes_are_in_the_data(store):
    """No inference: a plain query finds agencies as org:Organization, working groups as
    org:OrganizationalCollaboration."""

    def count(cls) -> int:
        rows = store.query(f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a <{cls}> }}")
        return int(next(iter(rows))["n"].value)

    assert count(PK.Agency) > 50
    assert count(ORG.Organization) == count(PK.Agency) + count(PK.Jurisdiction)
    assert count(PK.WorkingGroup) > 0
    assert count(ORG.OrganizationalCollaboration) == count(PK.WorkingGroup)
    assert count("http://www.w3.org/ns/prov#Association") == count(PK.Assignment)
    assert count("http://purl.org/dc/terms/BibliographicResource") == count(PK.Plan) == 5


def test_derived_files_record_the_store_version(store, tmp_path, sample_plans):
    out = tmp_path / "out"
    first = store.write_derived(out)
    files = {k: first[k].read_bytes() for k in ("nt", "ttl", "jsonld")}
    assert derived_state(out) == store.state() and store.state()[0]
    assert first["record"]["triples"] == store.triples
    lines = files["nt"].decode().splitlines(keepends=True)
    assert lines == sorted({line for p in sample_plans for line in plan_lines(p)})
    for key, fmt in (("ttl", ox.RdfFormat.TURTLE), ("jsonld", ox.RdfFormat.JSON_LD)):
        back = {str(t) for t in ox.parse(files[key], format=fmt)}
        assert back == {line[:-3] for line in lines}, key
    assert files["ttl"].startswith(b"@prefix ")
    store.remove_plan(sample_plans[0].doc)
    assert derived_state(out) != store.state()  # stale now
    again = store.write_derived(out)
    assert again["record"]["triples"] == store.triples < first["record"]["triples"]


def test_describe_and_serialize(store):
    triples = store.describe(SHARED_AGENCY)
    turtle = serialize(triples, "text/turtle").decode()
    assert "@prefix pk: <https://w3id.org/plankg/ontology#>" in turtle
    assert "平江县发展和改革局" in turtle and "org:Organization" in turtle
    back = ox.parse(serialize(triples, "application/ld+json"), format=ox.RdfFormat.JSON_LD)
    assert sorted(map(str, back)) == sorted(map(str, triples))
    with pytest.raises(ValueError, match="unknown RDF format"):
        serialize(triples, "text/csv")


def _quads(store: RdfStore) -> set[str]:
    return {str(q) for q in store.store if str(q.graph_name) != f"<{META}>"}


def test_batches_loaded_by_a_thread_make_the_store_one_load_makes(store, sample_plans, tmp_path):
    """Many small batches, loaded by the background thread while plans are still being
    added: the same plan graphs and default graph as one load of everything."""
    batched = RdfStore.open(tmp_path / "batched")
    loader = BulkLoader(batched, background=True, batch_bytes=20_000)
    union = set()
    for plan in sample_plans:
        lines = plan_lines(plan)
        loader.add_ntriples(plan.doc, "".join(lines).encode())
        union.update(lines)
    assert loader.close(x.encode() for x in sorted(union)) == sum(
        len(plan_lines(p)) for p in sample_plans
    )
    assert _quads(batched) == _quads(store) and len(_quads(store)) > 15_000
    assert batched.plans() == store.plans() and batched.version() == 1


def test_a_batch_the_loader_thread_cannot_load_is_an_error_not_a_hang(tmp_path):
    loader = BulkLoader(RdfStore.open(tmp_path), background=True, batch_bytes=1)
    loader.add_ntriples("a.txt", b"<urn:a> <urn:p> <urn:o> .\n")
    loader.add_ntriples("b.txt", b'<not an iri> <urn:p> "x" .\n')
    with pytest.raises(SyntaxError):
        for _ in range(100):  # the error surfaces at the next add, or at close
            loader.add_ntriples("c.txt", b"<urn:c> <urn:p> <urn:o> .\n")
            time.sleep(0.01)
        loader.close([])


def test_serialising_apart_writes_the_bytes_write_derived_writes(store, tmp_path):
    store.write_derived(tmp_path / "here")
    made = Serialiser(tmp_path / "here" / NT, tmp_path).wait()
    for key, name in (("ttl", TTL), ("jsonld", JSONLD)):
        assert made[key].read_bytes() == (tmp_path / "here" / name).read_bytes()


def test_a_failed_serialisation_says_which_file_and_why(tmp_path):
    with pytest.raises(RuntimeError, match=r"ttl: exit 1: .*(No such file|not found)"):
        Serialiser(tmp_path / "missing.nt", tmp_path).wait()


def _scanned(store: RdfStore) -> int:
    return int(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"].value)


def test_the_triple_count_is_carried_through_writes_without_a_rescan(
    store, sample_plans, monkeypatch
):
    """After one count, each write adjusts it by what only that plan's graph states (the
    samples share agencies, so a removal must keep what another plan still states); it
    always equals a full scan, and no write scans the whole store."""
    assert store.triples == _scanned(store)
    scans = []
    real_select = RdfStore._select

    def watched(self, sparql):
        if "GRAPH" not in sparql:  # the full count; the plan-sized ones name a graph
            scans.append(sparql)
        return real_select(self, sparql)

    monkeypatch.setattr(RdfStore, "_select", watched)
    shared = [p for p in sample_plans if any(SHARED_AGENCY in ln for ln in plan_lines(p))]
    changes = [(shared[0], None), (shared[1], None), (shared[0], plan_lines(shared[0]))]
    changes += [(sample_plans[2], plan_lines(sample_plans[2])[:50]), (shared[1], [])]
    changes += [(shared[1], plan_lines(shared[1]))]
    for plan, lines in changes:
        if lines is None:
            store.remove_plan(plan.doc)
        else:
            store.replace_plan(plan.doc, lines)
        counted = store.triples
        assert not scans, "a write rescanned the store"
        monkeypatch.setattr(RdfStore, "_select", real_select)
        assert counted == _scanned(store), (plan.doc, lines is None)
        monkeypatch.setattr(RdfStore, "_select", watched)


def test_the_count_comes_from_derived_json_when_it_records_this_state(store, tmp_path):
    store.write_derived(tmp_path)
    fresh = RdfStore(store.store, store.path)  # no count in memory
    record = derived_state(tmp_path)
    assert record == store.state()
    assert fresh._known_count() == (store.version(), _scanned(store))
