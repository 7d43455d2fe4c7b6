"""`plankg load` streams its rows from plankg.nt: they must be exactly the rows the embedded
store's property graph gives, for the whole graph and for one plan's slice. And
`plankg serve --store neo4j` describes nodes from the RDF store `plankg ingest` built."""

from __future__ import annotations

import pytest
from conftest import PLANS_DIR
from typer.testing import CliRunner

from plankg.api.cli import app
from plankg.graph.embedded import EmbeddedStore
from plankg.graph.neo4j_export import cypher_script
from plankg.graph.nt_rows import NtRows
from plankg.graph.property_graph import to_property_graph
from plankg.graph.rdf_store import RdfStore
from plankg.ingest.pipeline import ingest
from plankg.ontology.ntriples import NTriplesError


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("build")
    ingest([PLANS_DIR], out)
    return out


@pytest.fixture(scope="module")
def from_store(data_dir):
    return to_property_graph(EmbeddedStore.open(data_dir))


def test_streamed_rows_are_the_store_rows(data_dir, from_store):
    streamed = NtRows(data_dir / "plankg.nt").property_graph()
    assert streamed.node_count() > 400 and streamed.rel_count() > 700
    assert streamed.nodes.keys() == from_store.nodes.keys()
    for label, rows in from_store.nodes.items():
        assert streamed.nodes[label] == rows, label
    assert streamed.rels == from_store.rels
    located = from_store.rels[("LOCATED_IN", "Project", "Park")]
    assert any(r["evidence"] for r in located)  # evidence from the location statements


def test_streamed_plan_slice_is_the_store_slice(data_dir, from_store):
    rows = NtRows(data_dir / "plankg.nt")
    docs = [r["doc"] for r in from_store.nodes["Plan"]]
    assert len(docs) == 5
    for doc in docs:
        assert rows.for_plan(doc) == from_store.for_plan(doc), doc
    assert rows.for_plan("no-such-plan.txt").node_count() == 0


def test_a_file_not_grouped_by_subject_is_refused(data_dir, tmp_path):
    lines = (data_dir / "plankg.nt").read_bytes().splitlines(keepends=True)
    (tmp_path / "plankg.nt").write_bytes(b"".join(lines[1:] + lines[:1]))  # one line moved
    with pytest.raises(NTriplesError, match="must be sorted"):
        NtRows(tmp_path / "plankg.nt")


def test_load_writes_the_offline_files_from_the_stream(data_dir, from_store, tmp_path):
    script = tmp_path / "plankg.cypher"
    result = CliRunner().invoke(
        app,
        ["load", "--data", str(data_dir), "--cypher-out", str(script)],
        env={"NEO4J_URI": ""},
    )
    assert result.exit_code == 0, result.output
    assert script.read_text(encoding="utf-8") == cypher_script(from_store)


def test_load_without_graph_files_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(app, ["load", "--data", str(tmp_path), "--cypher-out", "x"])
    assert result.exit_code == 2
    assert "plankg ingest" in result.output


def test_the_rdf_store_describes_the_nodes_the_store_answers_about(data_dir):
    store = EmbeddedStore.open(data_dir)
    rdf = RdfStore.open(data_dir)
    assert store.rdf is rdf  # one store object per folder and process
    lines = (data_dir / "plankg.nt").read_text(encoding="utf-8").splitlines()
    assert rdf.triples == len(lines)
    agency = store.resolve_agency("科工信局")[0].iri
    described = rdf.describe(agency)
    assert len(described) > 10
    assert {f"{t} ." for t in described} == {x for x in lines if x.startswith(f"<{agency}> ")}


def test_load_without_a_server_is_a_clear_error(data_dir):
    result = CliRunner().invoke(
        app, ["load", "--neo4j", "bolt://127.0.0.1:1", "--data", str(data_dir)]
    )
    assert result.exit_code == 1
    assert "loading into bolt://127.0.0.1:1 failed" in result.output
