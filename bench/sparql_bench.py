"""SPARQL figures: "tasks led by X" in the pyoxigraph store itself, through the sandbox (pipe,
guard, serialisation in a worker) and over HTTP (`plankg serve`, GET /sparql), plus what a
worker's read-only store handle costs in memory. `python -m bench.sparql_bench` (sizes from
BENCH_SPARQL_SIZES, default 1000) prints JSON and writes bench/sparql_results.json.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "sparql_results.json"
LEADS = "https://w3id.org/plankg/ontology#leads"


def led_by(iri: str) -> str:
    return f"SELECT ?t WHERE {{ <{iri}> <{LEADS}> ?t }}"


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def build(n: int, work: Path) -> tuple[Path, list[str]]:
    """The corpus of `n` plans ingested, and its plankg.nt bulk-loaded into `work/store`."""
    import pyoxigraph

    from bench.run import corpus
    from plankg.ingest.pipeline import ingest

    ingest([corpus(n) / "plans"], work)
    store = pyoxigraph.Store(str(work / "store"))
    started = time.perf_counter()
    store.bulk_load(path=str(work / "plankg.nt"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    load_s = time.perf_counter() - started
    q = f"SELECT DISTINCT ?a WHERE {{ ?a <{LEADS}> ?t }}"
    agencies = sorted(s["a"].value for s in store.query(q, use_default_graph_as_union=True))
    triples = len(store)
    store.flush()
    del store
    (work / "bulk_load.json").write_text(json.dumps({"s": load_s, "triples": triples}))
    return work / "store", agencies


def measure(n: int) -> dict:
    import pyoxigraph

    from plankg.graph.query_sandbox import QuerySandbox

    work = Path(tempfile.mkdtemp(prefix="plankg-sparql-bench-"))
    try:
        store_dir, agencies = build(n, work)
        loaded = json.loads((work / "bulk_load.json").read_text())
        out: dict = {"plans": n, "triples": loaded["triples"], "bulk_load_s": loaded["s"]}
        rng = random.Random(0)
        picks = [rng.choice(agencies) for _ in range(3000)]

        store = pyoxigraph.Store.read_only(str(store_dir))
        lat = []
        for iri in picks:
            t0 = time.perf_counter()
            list(store.query(led_by(iri), use_default_graph_as_union=True))
            lat.append((time.perf_counter() - t0) * 1000)
        out["store_p50_ms"], out["store_p99_ms"] = pct(lat, 0.5), pct(lat, 0.99)
        del store

        with QuerySandbox(store_dir, workers=2) as pool:
            out["worker_memory_kb"] = pool.worker_info()[0]
            for label, queries in (
                ("sandbox_new_text", picks[:1000]),
                ("sandbox_repeat", picks[:50] * 20),
            ):
                lat = []
                for iri in queries:
                    t0 = time.perf_counter()
                    pool.run(led_by(iri))
                    lat.append((time.perf_counter() - t0) * 1000)
                out[f"{label}_p50_ms"], out[f"{label}_p99_ms"] = pct(lat, 0.5), pct(lat, 0.99)
            out["pool_rss_mb"] = pool.rss_bytes() / 2**20

        out.update(http(work, picks[:1000]))
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)


def http(data_dir: Path, picks: list[str]) -> dict:
    """`plankg serve` on loopback; GET /sparql one request at a time."""
    import socket
    import subprocess
    import sys

    from bench.run import wait_until_up

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "plankg.api.cli",
            "serve",
            "--data",
            str(data_dir),
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(port, server)
        url = f"http://127.0.0.1:{port}/sparql"
        with httpx.Client(timeout=30) as c:
            for iri in picks[:50]:  # warm-up
                c.get(url, params={"query": led_by(iri)})
            lat = []
            for iri in picks:
                t0 = time.perf_counter()
                r = c.get(url, params={"query": led_by(iri)})
                lat.append((time.perf_counter() - t0) * 1000)
                assert r.status_code == 200, r.text
        return {"http_p50_ms": pct(lat, 0.5), "http_p99_ms": pct(lat, 0.99)}
    finally:
        server.terminate()
        server.wait(30)


def main() -> None:
    sizes = [int(s) for s in os.environ.get("BENCH_SPARQL_SIZES", "1000").split(",") if s]
    results = [measure(n) for n in sizes]
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))
    for r in results:
        if r["store_p50_ms"] > 1.0:
            print(
                f"TARGET MISSED at {r['plans']} plans: store p50 {r['store_p50_ms']:.3f} ms > 1 ms"
            )


if __name__ == "__main__":
    main()
