"""The SPARQL sandbox on a real pyoxigraph store of the sample plans: answers in every format,
the row limit, a deadline that kills (no CPU after it, memory returned), the memory cap,
`paused()` around writes, and no network from a worker even for a query past the guard."""

from __future__ import annotations

import csv
import io
import json
import time

import pyoxigraph
import pytest
from conftest import PLANS_DIR
from sandbox_support import REGEX_BURN, SORT_BLOWUP, Listener, alive, build_store, cpu_seconds

from plankg.graph.query_sandbox import (
    NotAcceptable,
    QueryFailed,
    QueryRefused,
    QuerySandbox,
    QueryTimeout,
    SandboxUnavailable,
)
from plankg.ingest.pipeline import ingest

KGX = "平江县科技和工业信息化局"
LED_BY_KGX = (
    "PREFIX pk: <https://w3id.org/plankg/ontology#> "
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    f'SELECT ?t WHERE {{ ?a skos:prefLabel "{KGX}"@zh . ?a pk:leads ?t }} ORDER BY ?t'
)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("build")
    ingest([PLANS_DIR], out)
    build_store(out / "plankg.nt", out / "store")
    return out


@pytest.fixture(scope="module")
def sandbox(data_dir):
    with QuerySandbox(data_dir / "store", workers=2, memory_mb=512) as pool:
        yield pool


def _select(pool, query, **kw):
    return json.loads(pool.run(query, **kw).body)


def test_answers_come_from_the_union_of_the_plan_graphs(sandbox, data_dir, gold_tasks):
    n = _select(sandbox, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    lines = sum(1 for line in (data_dir / "plankg.nt").open(encoding="utf-8") if line.strip())
    assert int(n["results"]["bindings"][0]["n"]["value"]) == lines
    led = _select(sandbox, LED_BY_KGX)["results"]["bindings"]
    assert len(led) == sum(KGX in g["lead"] for g in gold_tasks) > 0


def test_every_format_is_written_by_pyoxigraph_and_reads_back(sandbox):
    q = "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }"
    want = _select(sandbox, q + " ORDER BY ?s")["results"]["bindings"]
    subjects = sorted(b["s"]["value"] for b in want)
    csv_rows = list(csv.reader(io.StringIO(sandbox.run(q, result_type="text/csv").body.decode())))
    assert csv_rows[0] == ["s", "label"] and sorted(r[0] for r in csv_rows[1:]) == subjects
    for media, fmt in [
        ("text/tab-separated-values", pyoxigraph.QueryResultsFormat.TSV),
        ("application/sparql-results+xml", pyoxigraph.QueryResultsFormat.XML),
    ]:
        got = sandbox.run(q, result_type=media)
        assert got.media_type == media and got.rows == len(want)
        rows = list(pyoxigraph.parse_query_results(got.body, fmt))
        assert sorted(r["s"].value for r in rows) == subjects
    assert sandbox.run("ASK { ?s ?p ?o }").body == b'{"head":{},"boolean":true}'
    for media, fmt in [
        ("text/turtle", pyoxigraph.RdfFormat.TURTLE),
        ("application/ld+json", pyoxigraph.RdfFormat.JSON_LD),
        ("application/n-triples", pyoxigraph.RdfFormat.N_TRIPLES),
    ]:
        got = sandbox.run(f'DESCRIBE ?a WHERE {{ ?a ?p "{KGX}"@zh }}', graph_type=media)
        triples = list(pyoxigraph.parse(got.body, fmt))
        assert got.form == "DESCRIBE" and len(triples) == got.rows > 5
    with pytest.raises(NotAcceptable):
        sandbox.run("ASK { ?s ?p ?o }", result_type=None)


def test_the_row_limit_cuts_and_says_so(sandbox):
    got = sandbox.run("SELECT ?s WHERE { ?s ?p ?o }", row_limit=7)
    assert got.rows == 7 and got.truncated
    assert len(json.loads(got.body)["results"]["bindings"]) == 7
    got = sandbox.run(
        "CONSTRUCT WHERE { ?s ?p ?o }", graph_type="application/n-triples", row_limit=5
    )
    assert got.truncated and len(got.body.decode().strip().splitlines()) == 5
    got = sandbox.run("SELECT ?s WHERE { ?s ?p ?o } LIMIT 3", row_limit=7)
    assert got.rows == 3 and not got.truncated


def test_refusals_and_failures_are_the_callers(sandbox):
    with pytest.raises(QueryRefused, match="SERVICE"):
        sandbox.run("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    with pytest.raises(QueryRefused, match="updates"):
        sandbox.run("DELETE WHERE { ?s ?p ?o }")
    with pytest.raises(QueryRefused, match="not a valid SPARQL"):
        sandbox.run("SELECT WHERE")
    with pytest.raises(QueryFailed, match="query failed"):  # rdflib accepts it, pyoxigraph not
        sandbox.run("SELECT * WHERE { ?s ?p ?o } GROUP BY ?s")


def _wait_for(predicate, seconds=10.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_the_deadline_kills_the_query_and_its_cpu_and_memory_go(sandbox):
    before_pids = set(sandbox.pids())
    idle_rss = sandbox.rss_bytes()
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="deadline"):
        sandbox.run(REGEX_BURN, timeout_s=1.5)
    assert time.monotonic() - started < 3  # answered at the deadline, not when the query ends
    gone = before_pids - set(sandbox.pids())
    assert len(gone) == 1  # the worker that ran it
    (victim,) = gone
    assert not alive(victim)  # killed and reaped: it uses no CPU any more
    assert _wait_for(lambda: len(sandbox.pids()) == 2)  # replaced in the background
    # what is left uses no CPU: sample the pool's workers over a second
    cpu = {pid: cpu_seconds(pid) for pid in sandbox.pids()}
    time.sleep(1)
    assert sum(cpu_seconds(pid) - t for pid, t in cpu.items()) < 0.2
    assert sandbox.rss_bytes() < idle_rss + 64 * 2**20
    assert _select(sandbox, "ASK { ?s ?p ?o }")["boolean"] is True


def test_a_worker_killed_while_idle_is_replaced_not_reported(sandbox):
    import os
    import signal

    victims = sandbox.pids()
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    assert _wait_for(lambda: not any(alive(p) for p in victims))  # (e.g. the OOM killer's)
    assert _select(sandbox, "ASK { ?s ?p ?o }")["boolean"] is True
    assert _wait_for(lambda: len(sandbox.pids()) == 2 and all(alive(p) for p in sandbox.pids()))


def test_the_memory_cap_stops_a_query_that_grows(sandbox):
    with pytest.raises(SandboxUnavailable, match="memory cap"):
        sandbox.run(SORT_BLOWUP, timeout_s=60)
    assert _wait_for(lambda: len(sandbox.pids()) == 2)
    assert sandbox.rss_bytes() < 2 * 200 * 2**20
    assert _select(sandbox, "ASK { ?s ?p ?o }")["boolean"] is True


def test_paused_stops_in_flight_queries_and_reopens_on_the_new_data(tmp_path, data_dir):
    import shutil
    import threading

    store_dir = tmp_path / "store"
    shutil.copytree(data_dir / "store", store_dir)
    marker = "SELECT ?o WHERE { <urn:plankg:test:written> ?p ?o }"
    with QuerySandbox(store_dir, workers=1, memory_mb=512) as pool:
        old = pool.pids()
        outcome: dict = {}

        def costly():
            try:
                pool.run(REGEX_BURN, timeout_s=30)
            except Exception as exc:
                outcome["error"] = exc

        runner = threading.Thread(target=costly)
        runner.start()
        time.sleep(0.5)
        with pool.paused(grace_s=0.5):
            assert pool.pids() == []
            writer = pyoxigraph.Store(str(store_dir))
            writer.add(
                pyoxigraph.Quad(
                    pyoxigraph.NamedNode("urn:plankg:test:written"),
                    pyoxigraph.NamedNode("urn:plankg:test:p"),
                    pyoxigraph.Literal("after the write"),
                    pyoxigraph.DefaultGraph(),  # queries read the default graph (every triple once)
                )
            )
            writer.flush()
            del writer
        runner.join(10)
        assert isinstance(outcome.get("error"), SandboxUnavailable)
        assert "being written" in str(outcome["error"])
        assert not alive(old[0]) and pool.pids() != old
        rows = _select(pool, marker)["results"]["bindings"]
        assert [r["o"]["value"] for r in rows] == ["after the write"]


def test_a_worker_has_no_network_even_past_the_guard(sandbox, data_dir):
    """pyoxigraph executes SERVICE (shown in-process below); the guard refuses it, and a worker
    cannot open a socket anyway: the query engine is given a SERVICE directly in a worker."""
    import multiprocessing

    listener = Listener()
    try:
        service = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
        store = pyoxigraph.Store()  # in this (unsandboxed) process
        with pytest.raises(OSError):
            list(store.query(service))
        assert _wait_for(lambda: len(listener.connections) == 1, 5)  # it did connect
        assert b"POST /sparql" in listener.connections[0]

        ctx = multiprocessing.get_context("forkserver")
        parent, child = ctx.Pipe()
        p = ctx.Process(target=_unguarded_service, args=(child, str(data_dir / "store"), service))
        p.start()
        blocked, error = parent.recv()
        p.join(10)
        assert blocked and "Operation not permitted" in error
        time.sleep(0.5)
        assert len(listener.connections) == 1  # nothing more reached the listener
    finally:
        listener.close()


def _unguarded_service(conn, store_dir: str, query: str) -> None:
    from plankg.graph.query_worker import _block_network

    store = pyoxigraph.Store.read_only(store_dir)
    blocked = _block_network()
    try:
        list(store.query(query))
        conn.send((blocked, ""))
    except OSError as exc:
        conn.send((blocked, str(exc)))


class _GoneFile:
    """A read-only handle whose file list is stale: its first query fails as RocksDB says."""

    def named_graphs(self):
        return iter(())

    def query(self, text, **options):
        raise OSError(
            "Corruption: IO error: No such file or directory: While open a file for random "
            "read: store/000009.sst: No such file or directory"
        )


def test_a_stale_read_only_handle_is_reopened_once(data_dir):
    """A compaction after a write can delete a file a fresh worker's handle has not opened
    yet: the worker opens a new handle and answers, instead of failing the caller."""
    from plankg.graph.query_worker import Request, answer_reopening

    real = pyoxigraph.Store.read_only(str(data_dir / "store"))
    request = Request("ASK { ?s ?p ?o }", "application/sparql-results+json", None, 10)
    store, reply = answer_reopening(_GoneFile(), lambda: real, request)
    assert store is real and reply[0] == "ok" and json.loads(reply[1])["boolean"] is True
    _, reply = answer_reopening(_GoneFile(), _GoneFile, request)
    assert reply[0] == "failed" and "No such file" in reply[1]


def test_workers_started_in_the_background_answer_the_first_query(data_dir):
    pool = QuerySandbox(data_dir / "store", workers=2, memory_mb=512).warm()
    try:
        started = time.monotonic()
        pool.start_in_background()
        assert time.monotonic() - started < 0.5  # returns before any worker opened the store
        led = _select(pool, LED_BY_KGX, timeout_s=60)["results"]["bindings"]
        assert led  # the query waited for a worker instead of failing
        with pool.paused():  # a write during the start: the pool ends with fresh workers only
            pass
        deadline = time.monotonic() + 60
        while len(pool.pids()) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1)  # a stale worker the start thread still had would show up here
        assert len(pool.pids()) == 2
        assert _select(pool, LED_BY_KGX)["results"]["bindings"] == led
    finally:
        pool.close()
    assert pool.pids() == []


def test_a_worker_whose_server_stopped_before_it_was_ready_exits_quietly(data_dir, tmp_path):
    """A server stopped while a worker still opens the store (a start cut short) closes its
    end of the pipe: the worker leaves with exit code 0, no traceback in the server's log."""
    import subprocess
    import sys

    probe = (
        "import multiprocessing, sys\n"
        "from plankg.graph.query_worker import serve\n"
        "if __name__ == '__main__':\n"
        "    ctx = multiprocessing.get_context('spawn')\n"
        "    parent, child = ctx.Pipe()\n"
        f"    p = ctx.Process(target=serve, args=(child, {str(data_dir / 'store')!r}, 0, False))\n"
        "    p.start()\n"
        "    child.close()\n"
        "    parent.close()  # gone before the worker says ready\n"
        "    p.join(60)\n"
        "    print('exit', p.exitcode)\n"
    )
    script = tmp_path / "probe.py"
    script.write_text(probe)
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "exit 0"
    assert "Traceback" not in done.stderr, done.stderr
