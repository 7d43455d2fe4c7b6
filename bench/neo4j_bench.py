"""Neo4j figures for `make bench`, at one corpus size, against the server in NEO4J_URI.

- naive: one statement and one transaction per row, rows in memory, the loader's constraints,
  after one untimed load that warms the server up (a cold JVM runs the first rows ~2x slower).
  It loads the whole graph (≈ 5 minutes at 1,000 plans); BENCH_NEO4J_NAIVE_EVERY=20 loads every
  20th plan's subgraph instead (its own nodes, the relationships touching them and the shared
  nodes at their ends), which is quicker but rates naive low: the server is still warming up;
- batched: the same rows in memory through the loader (1,000-row `UNWIND … MERGE` batches):
  only the batching differs, which is what batched ÷ naive measures;
- `plankg load` as users run it, in its own process (rows streamed from plankg.nt, which on
  2 cores competes with the server for CPU), timed by phase, with its peak memory;
- HTTP: `plankg serve --store neo4j` over the loaded graph, measured like the embedded store.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from plankg.graph.property_graph import PropertyGraph

ROOT = Path(__file__).resolve().parent.parent
LOADED = re.compile(
    r"loaded (\d+) nodes \(([\d.]+) s\) and (\d+) relationships \(([\d.]+) s\) .* "
    r"in (\d+) transactions \(([\d.]+) s\)"
)


def plan_sample(pg: PropertyGraph, every: int) -> PropertyGraph:
    """Every `every`-th plan's subgraph, as `PropertyGraph.for_plan` cuts one plan's."""
    if every <= 1:
        return pg
    docs = set(sorted(r["plan_doc"] for r in pg.nodes.get("Plan", ()))[::every])
    own = {r["iri"] for rows in pg.nodes.values() for r in rows if r.get("plan_doc") in docs}
    rels = {
        k: [r for r in rows if r["start"] in own or r["end"] in own] for k, rows in pg.rels.items()
    }
    touched = own | {r[e] for rows in rels.values() for r in rows for e in ("start", "end")}
    nodes = {k: [r for r in rows if r["iri"] in touched] for k, rows in pg.nodes.items()}
    return PropertyGraph(
        {k: v for k, v in nodes.items() if v}, {k: v for k, v in rels.items() if v}
    )


# The child reports its own peak RSS (VmHWM belongs to the process image after exec; the
# rusage of a child forked from this large process would count this one's pages).
PEAK_AT_EXIT = """
import atexit, runpy, sys
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            print("VmHWM", line.split()[1], file=sys.stderr)
atexit.register(peak)
sys.argv = ["plankg", *sys.argv[1:]]
runpy.run_module("plankg.api.cli", run_name="__main__")
"""


def run_load(data: Path, uri: str) -> dict:
    """`plankg load` in a child process: its report line, wall time and peak RSS."""
    command = [sys.executable, "-c", PEAK_AT_EXIT, "load", "--neo4j", uri, "--data", str(data)]
    started = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"plankg load failed: {proc.stderr[-1000:]}")
    out = proc.stdout
    peak = re.search(r"^VmHWM (\d+)$", proc.stderr, re.M)
    m = LOADED.search(out)
    if m is None:
        raise RuntimeError(f"unexpected plankg load output: {out[-500:]}")
    nodes, nodes_s, rels, rels_s, statements, seconds = m.groups()
    n, r = int(nodes), int(rels)
    return {
        "nodes": n,
        "relationships": r,
        "seconds": float(seconds),
        "wall_s": wall,
        "nodes_per_s": n / float(nodes_s),
        "relationships_per_s": r / float(rels_s),
        "items_per_s": (n + r) / float(seconds),
        "statements": int(statements),
        "rows_per_statement": (n + r) / int(statements),
        "peak_rss_mb": int(peak.group(1)) / 1024 if peak else float("nan"),
    }


def _figures(report) -> dict:
    seconds = report.nodes_s + report.relationships_s
    return {
        "nodes": report.nodes,
        "relationships": report.relationships,
        "statements": report.statements_run,
        "seconds": seconds,
        "nodes_per_s": report.nodes / report.nodes_s,
        "relationships_per_s": report.relationships / report.relationships_s,
        "items_per_s": (report.nodes + report.relationships) / seconds,
    }


def neo4j_figures(work: Path, http: Callable[..., dict]) -> dict | None:
    sys.path.insert(0, str(ROOT / "tests"))
    from neo4j_support import neo4j_settings  # the same connection settings as the tests

    from plankg.graph.nt_rows import NtRows

    settings = neo4j_settings()
    if settings is None:
        return None
    every = int(os.environ.get("BENCH_NEO4J_NAIVE_EVERY", 1))
    with settings.driver() as driver:
        with settings.session(driver) as s:
            server = s.run("CALL dbms.components() YIELD versions, edition RETURN *").single()
        out: dict = {"server": f"Neo4j {server['versions'][0]} {server['edition']}"}
        loader = settings.loader(driver)

        # naive and batched from the same rows in memory, each into an empty database with
        # the loader's constraints: only the batching differs
        pg = NtRows(work / "plankg.nt").property_graph()
        settings.clear(driver)
        loader.load(pg)  # untimed: neither figure should pay for the server's JIT warm-up
        settings.clear(driver)
        out["naive"] = {"plans_every": every, **_figures(loader.load_naive(plan_sample(pg, every)))}
        settings.clear(driver)
        out["batched_in_memory"] = _figures(loader.load(pg))
        del pg

        # batched as users run it: `plankg load`, rows streamed from plankg.nt, its own process
        settings.clear(driver)
        out["batched"] = run_load(work, settings.uri)
    out["batch_size"] = 1000
    naive = out["naive"]["items_per_s"]
    out["batched_over_naive"] = out["batched_in_memory"]["items_per_s"] / naive
    out["plankg_load_over_naive"] = out["batched"]["items_per_s"] / naive
    out["http"] = http(work, ["--store", "neo4j", "--neo4j-uri", settings.uri])
    return out
