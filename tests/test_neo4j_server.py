"""What only a real Neo4j can show: `plankg load` creates the uniqueness constraints, a failing
batch leaves nothing behind, `/cypher` runs only what the server's EXPLAIN calls a read (hidden
writes, LOAD CSV and outside procedures refused and nothing written, the READ transaction as the
last line), the server stops a costly read at the deadline or its memory limit, and
`plankg serve --store neo4j` answers over HTTP exactly as the embedded store does.

Runs when NEO4J_URI names a Neo4j 5 server (CI starts Neo4j's own test server); skips
without one, and fails instead under PLANKG_REQUIRE_NEO4J=1. Clears that database.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from conftest import PLANS_DIR
from neo4j_support import Neo4jSettings, neo4j_or_skip
from rdflib import Graph
from rdflib.compare import isomorphic
from server_support import serve
from typer.testing import CliRunner

from plankg.api.cli import app
from plankg.graph.neo4j_store import INDEXES
from plankg.graph.property_graph import LABELS, PropertyGraph
from plankg.ingest.pipeline import ingest

pytestmark = pytest.mark.neo4j
RDF_FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld"}
CYPHER_DEADLINE_S = 3.0


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


def _serve(data_dir: Path, *store_args: str, env: dict | None = None) -> Iterator[str]:
    with serve(data_dir, *store_args, env=env) as base:
        yield base


@pytest.fixture(scope="module")
def neo4j_server(settings, loaded) -> Iterator[str]:
    """`plankg serve --store neo4j`, a real uvicorn on loopback (NEO4J_* from the environment)."""
    env = {"PLANKG_QUERY_TIMEOUT_S": str(CYPHER_DEADLINE_S)}
    yield from _serve(loaded, "--store", "neo4j", "--neo4j-uri", settings.uri, env=env)


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
    assert r.headers["X-Truncated"] == "false"
    r = httpx.get(
        neo4j_server + "/cypher",
        params={"query": "MATCH (t:Task) RETURN t, date('2026-12-31') AS d LIMIT 1"},
        timeout=30,
    )
    rows = r.json()["rows"]
    assert rows[0]["d"] == "2026-12-31" and rows[0]["t"]["iri"].startswith("https://")
    r = httpx.get(neo4j_server + "/cypher", params={"query": "UNWIND range(1, 5000) AS i RETURN i"})
    assert len(r.json()["rows"]) == 1000 and r.headers["X-Truncated"] == "true"
    r = httpx.get(neo4j_server + "/cypher", params={"query": "MATCH (n) RETURN n LIMIT"})
    assert r.status_code == 400 and "Invalid input" in r.json()["error"]["message"]


def _count(settings, driver) -> int:
    return _read(settings, driver, "MATCH (n) RETURN count(n) AS n")[0]["n"]


# Writes hidden from a text check: in comments, quotes, backticked and unicode names, a
# subquery, and procedures that write; the server's EXPLAIN says what each does.
HIDDEN_WRITES = [
    "CREATE (:Smuggled)",
    "MATCH (n:Agency) WHERE n.name = '//' CREATE (:Smuggled)",
    "MATCH (n:Agency) /* RETURN n */ SET n.smuggled = 1",
    "MATCH (n:Agency) WITH n LIMIT 1 CREATE (n)-[:`RETURN`]->(:`MATCH 'x'`)",
    'MATCH (n:Agency) WITH n LIMIT 1 SET n.`\u0053ET` = "\'"',
    "WITH '\\'' AS q CREATE (:Smuggled {q: q})",
    "CALL () { CREATE (:Smuggled) } RETURN 1 AS one",
    "UNWIND [1, 2] AS i CALL (i) { MERGE (:Smuggled {i: i}) } RETURN count(*) AS n",
    "MATCH (n:Agency) FOREACH (x IN [1] | SET n.smuggled = x)",
    "MATCH (n:Agency) WITH n LIMIT 1 DETACH DELETE n",
    "CALL db.createLabel('Smuggled')",
    "CALL db . createProperty('smuggled')",
    "CALL db.index.vector.createNodeIndex('smuggled', 'Agency', 'embedding', 3, 'cosine')",
    "CREATE INDEX smuggled FOR (n:Agency) ON (n.smuggled)",
    "CREATE DATABASE smuggled",
]


@pytest.mark.parametrize("query", HIDDEN_WRITES)
def test_hidden_writes_are_refused_by_what_the_server_says_and_write_nothing(
    settings, driver, neo4j_server, query
):
    before = _count(settings, driver)
    indexes = _read(settings, driver, "SHOW INDEXES YIELD name RETURN collect(name) AS n")
    r = httpx.get(neo4j_server + "/cypher", params={"query": query}, timeout=30)
    assert r.status_code == 400, r.text
    error = r.json()["error"]["message"]
    assert "query type" in error or "not allowed" in error or "failed" in error, error
    assert _count(settings, driver) == before
    assert _read(settings, driver, "MATCH (n) WHERE n.smuggled IS NOT NULL RETURN n") == []
    assert _read(settings, driver, "SHOW INDEXES YIELD name RETURN collect(name) AS n") == indexes


def test_load_csv_and_outside_reads_are_refused_without_a_request(settings, neo4j_server):
    from sandbox_support import Listener

    listener = Listener()
    try:
        for query in [
            f"LOAD CSV FROM '{listener.url}' AS row RETURN row",
            f"LOAD CSV WITH HEADERS FROM '{listener.url}' AS row RETURN count(row) AS n",
            "CALL dbms.components()",
            "CALL dbms.listConfig()",
            "SHOW PROCEDURES YIELD name CALL db.labels() YIELD label RETURN 1",
        ]:
            r = httpx.get(neo4j_server + "/cypher", params={"query": query}, timeout=30)
            assert r.status_code == 400, (query, r.text)
        time.sleep(0.3)
        assert listener.connections == []
        r = httpx.get(neo4j_server + "/cypher", params={"query": "CALL db.labels()"}, timeout=30)
        assert r.status_code == 200 and {"label": "Agency"} in r.json()["rows"]
    finally:
        listener.close()


def test_the_read_transaction_is_the_last_line(settings, driver, loaded, monkeypatch):
    """With the EXPLAIN check switched off, a write still fails: the server refuses it in the
    READ transaction, and nothing is written."""
    import neo4j

    from plankg.graph import user_cypher

    monkeypatch.setattr(user_cypher, "check_plan", lambda summary: None)
    before = _count(settings, driver)
    for write in ["CREATE (:Smuggled)", "CALL db.createProperty('smuggled_last_line')"]:
        with pytest.raises(user_cypher.CypherError, match=r"read access mode|not allowed"):
            user_cypher.run_read(driver, settings.database, write, {}, 10, 10)
    assert _count(settings, driver) == before
    keys = "CALL db.propertyKeys() YIELD propertyKey RETURN collect(propertyKey) AS k"
    assert "smuggled_last_line" not in _read(settings, driver, keys)[0]["k"]
    assert neo4j  # the driver the product pins


COSTLY_CYPHER = (
    "UNWIND range(1, 100000000) AS i WITH i WHERE i % 7919 = 7918 "
    "AND toString(i) =~ '^(1+)+2$' RETURN count(i) AS n"
)


def test_a_costly_read_is_stopped_by_the_server_and_health_keeps_answering(
    settings, driver, neo4j_server
):
    import threading

    answers: list[httpx.Response] = []

    def fire() -> None:
        answers.append(
            httpx.get(neo4j_server + "/cypher", params={"query": COSTLY_CYPHER}, timeout=60)
        )

    threads = [threading.Thread(target=fire) for _ in range(5)]
    started = time.monotonic()
    for t in threads:
        t.start()
    latencies = []
    while any(t.is_alive() for t in threads):
        t0 = time.perf_counter()
        assert httpx.get(neo4j_server + "/health", timeout=10).status_code == 200
        latencies.append(time.perf_counter() - t0)
        time.sleep(0.05)
    elapsed = time.monotonic() - started
    assert [r.status_code for r in answers] == [503] * 5
    assert all("deadline" in r.json()["error"]["message"] for r in answers)
    assert elapsed < CYPHER_DEADLINE_S + 15
    latencies.sort()
    print(
        f"/health during 5 costly Cypher reads: n={len(latencies)} "
        f"p50={latencies[len(latencies) // 2] * 1e3:.1f} ms max={latencies[-1] * 1e3:.1f} ms"
    )
    # /health asks Neo4j (its plan count), which shares this machine's two cores with the two
    # costly reads: it keeps answering, within the time Neo4j takes under that load
    assert latencies[-1] < 2.0
    # the server holds no running transaction of them any more
    running = _read(
        settings,
        driver,
        "SHOW TRANSACTIONS YIELD currentQuery WHERE currentQuery CONTAINS 'range(1, 100000000)' "
        "AND NOT currentQuery STARTS WITH 'SHOW' "
        "RETURN count(*) AS n",
    )
    assert running == [{"n": 0}]


def test_a_read_that_grows_memory_is_stopped_by_the_servers_limit(settings, driver, loaded):
    """A per-transaction memory limit (db.memory.transaction.max; the test server sets 512 MiB,
    a real one has at least the 70 % total limit) stops it long before a generous deadline,
    without the driver's retries, and the server goes on answering."""
    from plankg.graph import user_cypher

    hungry = "UNWIND range(1, 200000000) AS i WITH collect(toString(i)) AS c RETURN size(c) AS n"
    started = time.monotonic()
    with pytest.raises(user_cypher.CypherStopped, match="memory"):
        user_cypher.run_read(driver, settings.database, hungry, {}, 120, 10)
    assert time.monotonic() - started < 60
    assert _count(settings, driver) > 0
