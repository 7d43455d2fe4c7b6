"""When each plan was added: a timestamp per plan in the RDF store's housekeeping graph, written
in the same update as the plan (so atomic with it), never in a plan's triples, a query answer
or a derived file. Runs on the real sample plans."""

from __future__ import annotations

import gc
import re

import pytest
from conftest import PLANS_DIR

from plankg.graph import rdf_store
from plankg.graph.rdf_store import RdfStore
from plankg.ingest.pipeline import ingest
from plankg.ingest.rdf import plan_lines

ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
FILES = ("plankg.nt", "plankg.ttl", "plankg.jsonld")


def _clock(monkeypatch, at: str) -> None:
    monkeypatch.setattr(rdf_store, "utc_now", lambda: at)


@pytest.fixture
def store(sample_plans, tmp_path, monkeypatch) -> RdfStore:
    _clock(monkeypatch, "2026-01-02T03:04:05Z")
    s = RdfStore.open(tmp_path)
    s.bulk_load((p.doc, plan_lines(p)) for p in sample_plans[1:])
    return s


def test_a_bulk_load_stamps_every_plan_it_loaded(store, sample_plans):
    docs = sorted(p.doc for p in sample_plans[1:])
    assert store.added_dates() == dict.fromkeys(docs, "2026-01-02T03:04:05Z")
    assert store.updated_dates() == store.added_dates()


def test_ingest_stamps_real_utc_timestamps(tmp_path):
    ingest([PLANS_DIR], tmp_path)
    store = RdfStore.open(tmp_path)
    dates = store.added_dates()
    assert sorted(dates) == store.plans() and len(dates) >= 3
    assert all(ISO_UTC.match(d) for d in dates.values()), dates


def test_a_new_plan_gets_its_date_a_replace_keeps_it_a_remove_drops_it(
    store, sample_plans, monkeypatch
):
    new, old = sample_plans[0], sample_plans[1]
    _clock(monkeypatch, "2026-02-03T04:05:06Z")
    store.replace_plan(new.doc, plan_lines(new))
    assert store.added_dates()[new.doc] == "2026-02-03T04:05:06Z"
    _clock(monkeypatch, "2026-03-04T05:06:07Z")
    store.replace_plan(old.doc, plan_lines(old)[::-1])  # the same plan, written again
    assert store.added_dates()[old.doc] == "2026-01-02T03:04:05Z"  # first added, kept
    assert store.updated_dates()[old.doc] == "2026-03-04T05:06:07Z"
    assert store.remove_plan(new.doc)
    assert new.doc not in store.added_dates() and new.doc not in store.updated_dates()
    store.replace_plan(new.doc, plan_lines(new))  # added again: a new first date
    assert store.added_dates()[new.doc] == "2026-03-04T05:06:07Z"


def test_the_date_commits_with_the_write_or_not_at_all(store, sample_plans, monkeypatch):
    """Make the update's last operation fail: neither the plan nor its date changes."""
    new, old = sample_plans[0], sample_plans[1]
    before = (store.added_dates(), store.updated_dates())
    other = rdf_store.graph_name(sample_plans[2].doc)
    monkeypatch.setattr(rdf_store, "_bump_version", lambda: f"CREATE GRAPH <{other}>")
    _clock(monkeypatch, "2027-01-01T00:00:00Z")
    for write in (
        lambda: store.replace_plan(new.doc, plan_lines(new)),
        lambda: store.replace_plan(old.doc, plan_lines(old)),
        lambda: store.remove_plan(old.doc),
    ):
        with pytest.raises(RuntimeError, match="already exists"):
            write()
    assert (store.added_dates(), store.updated_dates()) == before
    assert not store.has_plan(new.doc)


def test_dates_are_in_no_query_answer_and_no_derived_file(store, sample_plans, tmp_path):
    rows = store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    seen = {str(term.value) for row in rows for term in (row["s"], row["p"], row["o"])}
    assert not {"urn:plankg:added", "urn:plankg:updated", "2026-01-02T03:04:05Z"} & seen
    out = tmp_path / "out"
    store.write_derived(out)
    for name in FILES:
        data = (out / name).read_text("utf-8")
        assert "urn:plankg" not in data and "2026-01-02" not in data, name


def test_rdf_files_are_byte_identical_whatever_the_date(tmp_path, monkeypatch):
    """Ingested on two different days: the same bytes in every derived file."""
    files = []
    for n, at in enumerate(("2026-01-01T00:00:00Z", "2031-07-08T09:10:11Z")):
        _clock(monkeypatch, at)
        out = tmp_path / f"build{n}"
        ingest([PLANS_DIR], out)
        assert set(RdfStore.open(out).added_dates().values()) == {at}
        files.append([(out / name).read_bytes() for name in FILES])
        gc.collect()
    assert files[0] == files[1]


def test_a_user_query_cannot_reach_the_housekeeping_graph(store, sample_plans):
    """The SPARQL endpoint's worker answers through `query_worker.answer`: `GRAPH` sees the
    plan graphs and never META (store id, version, dates)."""
    import json

    from plankg.graph.query_worker import Request, answer

    def rows(q: str) -> list[dict]:
        kind, body, _ = answer(
            store.store, Request(q, "application/sparql-results+json", None, 1000)
        )
        assert kind == "ok"
        return json.loads(body)["results"]["bindings"]

    assert rows("SELECT * WHERE { GRAPH <urn:plankg:store> { ?s ?p ?o } }") == []
    graphs = {r["g"]["value"] for r in rows("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    assert graphs == {rdf_store.graph_name(p.doc) for p in sample_plans[1:]}
    assert rows("SELECT * WHERE { GRAPH ?g { ?s <urn:plankg:added> ?t } }") == []
