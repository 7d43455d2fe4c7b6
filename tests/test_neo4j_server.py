"""What only a real Neo4j can show: `plankg load` creates the uniqueness constraints, a failing
batch leaves nothing behind, `/cypher` stays read-only even for a write the text check lets
through, and `plankg serve --store neo4j` answers over HTTP exactly as the embedded store does.

Runs when NEO4J_URI names a Neo4j 5 server (CI starts Neo4j's own test server); skips
without one, and fails instead under PLANKG_REQUIRE_NEO4J=1. Clears that database.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from conftest import PLANS_DIR
from neo4j_support import Neo4jSettings, neo4j_or_skip
from rdflib import Graph
from rdflib.compare import isomorphic
from typer.testing import CliRunner

from plankg.api import security
from plankg.api.cli import app
from plankg.graph.neo4j_store import INDEXES
from plankg.graph.property_graph import LABELS, PropertyGraph
from plankg.ingest.pipeline import ingest

pytestmark = pytest.mark.neo4j
RDF_FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld"}


@pytest.fixture(scope="module")
def settings() -> Neo4jSettings:
    return neo4j_or_skip()


@pytest.fixture(scope="module")
def driver(settings):
    with settings.driver() as d:
        yield d


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build")
    ingest([PLANS_DIR], out)
    return out


@pytest.fixture(scope="module")
def loaded(settings, driver, data_dir) -> Path:
    """An empty database without plankg's constraints, then `plankg load` as a user runs it."""
    with settings.session(driver) as s:
        for label in LABELS:
            s.run(f"DROP CONSTRAINT {label.lower()}_iri IF EXISTS").consume()
        for label, prop in INDEXES:
            s.run(f"DROP INDEX {label.lower()}_{prop} IF EXISTS").consume()
    settings.clear(driver)
    result = CliRunner().invoke(app, ["load", "--neo4j", settings.uri, "--data", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert "loaded" in result.output
    return data_dir


def _read(settings: Neo4jSettings, driver, query: str, **params) -> list[dict]:
    with settings.session(driver) as s:
        return s.run(query, **params).data()


# ---------------------------------------------------------------------------- loading


def test_load_creates_the_constraints_and_lookup_indexes(settings, driver, loaded):
    rows = _read(settings, driver, "SHOW CONSTRAINTS YIELD type, labelsOrTypes, properties")
    unique = {
        r["labelsOrTypes"][0]
        for r in rows
        if "UNIQUENESS" in r["type"] and r["properties"] == ["iri"]
    }
    assert unique >= set(LABELS)
    indexes = _read(settings, driver, "SHOW INDEXES YIELD labelsOrTypes, properties")
    looked_up = {(r["labelsOrTypes"][0], r["properties"][0]) for r in indexes if r["labelsOrTypes"]}
    assert looked_up >= set(INDEXES)
    import neo4j

    iri = _read(settings, driver, "MATCH (a:Agency) RETURN a.iri AS iri LIMIT 1")[0]["iri"]
    with pytest.raises(neo4j.exceptions.ConstraintError), settings.session(driver) as s:
        s.run("CREATE (:Agency {iri: $iri})", iri=iri).consume()


def test_a_failing_batch_rolls_back_and_earlier_batches_stay(settings, driver, loaded):
    import neo4j

    ids = [f"urn:plankg-test:rollback:{i}" for i in range(6)]
    rows = [{"iri": i, "name": "回滚测试"} for i in ids]
    rows[5]["bad"] = {"nested": "maps are not property values"}  # fails inside batch 2
    count = "MATCH (a:Agency) WHERE a.iri IN $ids RETURN a.iri AS iri ORDER BY iri"
    loader = settings.loader(driver, batch_size=3, create_schema=False)
    try:
        with pytest.raises(neo4j.exceptions.ClientError):
            loader.load(PropertyGraph({"Agency": rows}, {}))
        assert [r["iri"] for r in _read(settings, driver, count, ids=ids)] == ids[:3]
    finally:
        with settings.session(driver) as s:
            s.run("MATCH (a:Agency) WHERE a.iri IN $ids DETACH DELETE a", ids=ids).consume()


def test_reloading_one_plan_through_the_cli_keeps_the_graph(settings, driver, loaded):
    count = "MATCH (n) OPTIONAL MATCH (n)-[r]->() RETURN count(DISTINCT n) AS n, count(r) AS r"
    before = _read(settings, driver, count)
    doc = "000_99d16d149e72ffbe.txt"
    runner = CliRunner()
    result = runner.invoke(
        app, ["load", "--neo4j", settings.uri, "--data", str(loaded), "--plan", doc]
    )
    assert result.exit_code == 0, result.output
    assert _read(settings, driver, count) == before


# ---------------------------------------------------------------------------- HTTP


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(data_dir: Path, *store_args: str) -> Iterator[str]:
    port = _free_port()
    command = [sys.executable, "-m", "plankg.api.cli", "serve", "--data", str(data_dir)]
    # its log goes to a file, not a pipe: a server that logs much would block on a full pipe
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [*command, "--port", str(port), *store_args],
            stdout=subprocess.DEVNULL,
            stderr=log,
            env={**os.environ, "PLANKG_API_KEY": ""},
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 60
            while True:
                if server.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"plankg serve exited: {log.read().decode()[-2000:]}")
                try:
                    if httpx.get(base + "/health", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    if time.time() > deadline:
                        raise
                    time.sleep(0.3)
            yield base
        finally:
            server.terminate()
            server.wait(30)


@pytest.fixture(scope="module")
def neo4j_server(settings, loaded) -> Iterator[str]:
    """`plankg serve --store neo4j`, a real uvicorn on loopback (NEO4J_* from the environment)."""
    yield from _serve(loaded, "--store", "neo4j", "--neo4j-uri", settings.uri)


@pytest.fixture(scope="module")
def embedded_server(loaded) -> Iterator[str]:
    yield from _serve(loaded)


def _paths(base: str) -> list[str]:
    """Every read question of the API, with names and ids taken from the answers."""
    get = lambda path: httpx.get(base + path, timeout=30).json()  # noqa: E731
    agencies = get("/agencies")
    tasks = get("/tasks?q=" + quote("推进"))
    parks = get("/parks")
    plans = get("/plans")
    assert len(agencies) > 50 and tasks and parks and len(plans) == 5
    paths = [
        "/health",
        "/plans",
        "/agencies",
        "/agencies?q=" + quote("科工信"),
        "/agencies?jurisdiction=" + quote("大通湖区"),
        "/agencies/" + quote("自然资源局"),  # 409, candidates in two jurisdictions
        "/agencies/" + quote("科技工业局"),  # 404 with the closest names
        "/agencies/" + quote("科工信局") + "/tasks?plan=001_13505c27ad81fa3b.txt",
        "/tasks?q=" + quote("余梅工业区"),
        "/tasks/no-such-task",
        "/indicators",
        "/indicators?subject=" + quote("增长率"),
        "/indicators?plan=000_99d16d149e72ffbe.txt",
        "/indicators?agency=" + quote("科工信局"),
        "/parks",
        "/parks?jurisdiction=" + quote("平江县"),
        "/working-groups",
        "/working-groups?plan=004_3395e04ab8c3aead",
        "/coordination",
        "/coordination?mode=co&jurisdiction=" + quote("平江县"),
        "/coordination?min_count=2",
        "/load",
        "/load?jurisdiction=" + quote("平江县"),
        "/export/matrix?format=csv",
        "/export/ledger?format=csv",
        "/export/indicators?format=csv",
    ]
    for a in agencies:
        name, where = quote(a["name"]), quote(a["jurisdiction"])
        paths.append(f"/agencies/{name}?jurisdiction={where}")
        paths += [
            f"/agencies/{name}/tasks?role={r}&jurisdiction={where}" for r in ("lead", "assist")
        ]
    paths += [f"/tasks/{t['id']}" for t in tasks]
    paths += [
        f"/parks/{quote(p['name'])}/projects?jurisdiction={quote(p['jurisdiction'])}" for p in parks
    ]
    return paths


def test_serve_neo4j_answers_every_question_as_the_embedded_store(neo4j_server, embedded_server):
    paths = _paths(embedded_server)
    with (
        httpx.Client(base_url=embedded_server, timeout=30) as a,
        httpx.Client(base_url=neo4j_server, timeout=30) as b,
    ):
        statuses = set()
        for path in paths:
            want, got = a.get(path), b.get(path)
            assert got.status_code == want.status_code, path
            assert got.headers["content-type"] == want.headers["content-type"], path
            assert got.content == want.content, path
            statuses.add(want.status_code)
        rdf = [("/agencies/" + quote("科工信局"), "text/turtle")]
        task = a.get("/tasks", params={"q": "辣条"}).json()[0]["id"]
        rdf += [(f"/tasks/{task}", "application/ld+json")]
        for path, mime in rdf:  # RDF answers come from the local plankg.nt for both stores
            want = a.get(path, headers={"Accept": mime})
            got = b.get(path, headers={"Accept": mime})
            assert want.status_code == got.status_code == 200
            format = RDF_FORMATS[mime]
            want_g = Graph().parse(data=want.text, format=format)
            assert len(want_g) > 10
            assert isomorphic(Graph().parse(data=got.text, format=format), want_g), path
    assert statuses == {200, 404, 409}


def test_cypher_reads_through_the_api(neo4j_server, embedded_server):
    agencies = httpx.get(embedded_server + "/agencies", timeout=30).json()
    r = httpx.get(
        neo4j_server + "/cypher",
        params={"query": "MATCH (a:Agency) RETURN count(a) AS n"},
        timeout=30,
    )
    assert r.status_code == 200
    assert r.json() == {"rows": [{"n": len(agencies)}]}
    r = httpx.get(neo4j_server + "/cypher", params={"query": "CREATE (:Smuggled)"}, timeout=30)
    assert r.status_code == 400 and "CREATE is not allowed" in r.json()["error"]["message"]


# Writes the text check lets through on purpose: a schema-writing procedure it does not list,
# and a token-writing one with spaces around the dot of its name (still valid Cypher).
SMUGGLED = {
    "index": (
        "db.index.vector.createNodeIndex",
        "CALL db.index.vector.createNodeIndex('{name}', 'Agency', 'embedding', 3, 'cosine')",
        "SHOW INDEXES YIELD name WHERE name = $name RETURN count(*) AS n",
    ),
    "token": (
        "db.createProperty",
        "CALL db . createProperty('{name}')",
        "CALL db.propertyKeys() YIELD propertyKey WHERE propertyKey = $name RETURN count(*) AS n",
    ),
}


@pytest.mark.parametrize("kind", sorted(SMUGGLED))
def test_a_write_past_the_text_check_is_refused_by_the_read_transaction(
    settings, driver, neo4j_server, kind
):
    procedure, template, effect = SMUGGLED[kind]
    name = f"plankg_smuggled_{uuid.uuid4().hex[:12]}"
    write = template.format(name=name)
    security.check_read_only_cypher(write)  # the text check does not see a write in it
    mode = "SHOW PROCEDURES YIELD name, mode WHERE name = $name RETURN mode"
    assert _read(settings, driver, mode, name=procedure)[0]["mode"] in ("WRITE", "SCHEMA")

    r = httpx.get(neo4j_server + "/cypher", params={"query": write}, timeout=30)
    assert r.status_code == 400
    assert "read access mode" in r.json()["error"]["message"]
    assert _read(settings, driver, effect, name=name) == [{"n": 0}]  # nothing was written
