"""`make bench`: speed, memory and accuracy as the corpus grows, with ratios measured in one run.

Each corpus size runs in its own process so peak RSS belongs to that size. Sizes come from
BENCH_SIZES (default 10,100,1000; add 10000 for the province-scale run). Figures are printed
as a table and written to bench/results.json; targets that are missed are said so.
BENCH_ONLY_INGEST=1 stops each size after `plankg ingest` (no index, queries, HTTP or Neo4j):
the before/after figures of an ingest change, in a few minutes.
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "corpus_out"
RESULTS = ROOT / "bench" / "results.json"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    """User + system CPU seconds of this process and of its children that have ended."""
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def corpus(n: int) -> Path:
    from bench.corpus import generate

    out = OUT / str(n)
    if not (out / "gold" / "tasks.jsonl").exists():
        generate(n, out, seed=0, sidecars=True)
    return out


def merged_alias_table(gold_agencies: Path, dest: Path) -> Path:
    """The packaged alias table plus the synthetic jurisdictions' rows."""
    base = (ROOT / "ontology" / "agencies.csv").read_text(encoding="utf-8").splitlines()
    extra = gold_agencies.read_text(encoding="utf-8").splitlines()[1:]
    dest.write_text("\n".join(base + extra) + "\n", encoding="utf-8")
    return dest


def measure_one(n: int, with_neo4j: bool = False) -> dict:
    from plankg.ingest.agencies import AgencyDirectory
    from plankg.ingest.evaluation import evaluate
    from plankg.ingest.extract import extract_plan
    from plankg.ingest.pipeline import extract_all

    root = corpus(n)
    files = sorted((root / "plans").glob("*.txt"))
    result: dict = {"plans": len(files)}
    work = Path(tempfile.mkdtemp(prefix="plankg-bench-"))

    # extraction (jurisdiction from sidecars; alias rows of the synthetic places loaded).
    # One plan is read first so regex compilation and vocabulary loading are not timed.
    directory = AgencyDirectory.load(
        merged_alias_table(root / "gold" / "agencies.csv", work / "a.csv")
    )
    extract_plan(files[0], directory=AgencyDirectory.load())
    nbytes = sum(f.stat().st_size for f in files)
    if n > 1000 and os.environ.get("BENCH_SKIP_EXTRACT"):
        return _after_extraction(n, root, work, directory, nbytes, result, with_neo4j)
    started = time.perf_counter()
    summary = extract_all([root / "plans"], directory=directory)  # one process, no RDF
    took = time.perf_counter() - started
    if summary.errors or summary.duplicates or len(summary.plans) != len(files):
        raise RuntimeError(f"extraction lost plans: {summary.errors + summary.duplicates}")
    plans = summary.plans
    chars = sum(len(p.source_text) for p in plans)
    result["extract"] = {
        "seconds": took,
        "chars_per_s": chars / took,
        "mb_per_s": nbytes / took / 1e6,
        "ms_per_plan": 1000 * took / len(files),
        "us_per_kb": 1e6 * took / (nbytes / 1024),
        "peak_rss_mb": rss_mb(),
    }
    records = [
        r
        for p in plans
        for r in (*[t.to_record() for t in p.tasks], *[g.to_record() for g in p.goals])
    ]
    scores = evaluate(records, root / "gold")
    result["accuracy"] = {k: round(s.f1, 4) for k, s in scores.items()}
    del records, plans, summary
    return _after_extraction(n, root, work, directory, nbytes, result, with_neo4j)


def _after_extraction(
    n: int, root: Path, work: Path, directory, nbytes: int, result: dict, with_neo4j: bool
) -> dict:
    """Everything after the extraction-only pass: ingest, index, queries, HTTP."""
    from plankg.graph.embedded import EmbeddedStore
    from plankg.graph.rdf_store import RdfStore
    from plankg.ingest.pipeline import ingest

    # `plankg ingest` end to end: extraction, RDF lines, the pyoxigraph store (bulk load), the
    # sorted N-Triples, Turtle and JSON-LD; with one job and with two (same bytes, checked)
    jobs_list = [int(j) for j in os.environ.get("BENCH_JOBS", "1,2").split(",")]
    if n > 1000:  # a province-sized ingest is long: only the last job count (the --jobs ratio
        jobs_list = jobs_list[-1:]  # comes from the 1,000-plan run)
    result["ingest"] = {}
    outputs = {}
    for jobs in jobs_list:
        out = work / f"jobs{jobs}"
        cpu = cpu_s()
        started = time.perf_counter()
        done = ingest([root / "plans"], out, jobs=jobs, directory=directory)
        seconds = time.perf_counter() - started
        cpu = cpu_s() - cpu
        outputs[jobs] = (out / "plankg.nt").read_bytes() if n <= 1000 else None
        result["ingest"][f"jobs{jobs}"] = {
            "seconds": seconds,
            "mb_per_s": nbytes / seconds / 1e6,
            "mb_per_s_per_core": nbytes / seconds / 1e6 / jobs,
            # CPU seconds of this process, its threads and its finished children (workers,
            # serialisers): on a loaded machine the figure wall time cannot give
            "cpu_s": round(cpu, 2),
            "mb_per_cpu_s": nbytes / cpu / 1e6,
            **{k: round(v, 2) for k, v in done.timings.items()},
        }
        triples = done.triples
    if len(outputs) > 1 and None not in outputs.values():
        result["ingest"]["same_bytes_for_any_jobs"] = len(set(outputs.values())) == 1
    del outputs
    data = work / f"jobs{jobs_list[-1]}"
    result["rdf"] = {
        "triples": triples,
        "nt_mb": (data / "plankg.nt").stat().st_size / 1e6,
        "store_mb": sum(f.stat().st_size for f in (data / "store").rglob("*") if f.is_file()) / 1e6,
        "peak_rss_mb": rss_mb(),
    }

    if os.environ.get("BENCH_ONLY_INGEST"):  # the ingest figures only: no index, no HTTP
        shutil.rmtree(work, ignore_errors=True)
        return result

    # the serving index: built from the sorted plankg.nt (and saved), then from the snapshot
    for extra in work.glob("jobs*"):
        if extra != data:
            shutil.rmtree(extra, ignore_errors=True)
    started = time.perf_counter()
    EmbeddedStore.open(data)
    build_s = time.perf_counter() - started
    started = time.perf_counter()
    store = EmbeddedStore.open(data)
    result["store"] = {"index_build_s": build_s, "snapshot_load_s": time.perf_counter() - started}

    # "tasks led by X": the embedded store's lookup, and SPARQL in process on the RDF store
    rng = random.Random(0)
    agencies = [a.iri for a in store.agencies()]
    lat = []
    for _ in range(5000):
        iri = rng.choice(agencies)
        t0 = time.perf_counter()
        store.tasks_of_agency(iri, "lead")
        lat.append((time.perf_counter() - t0) * 1000)
    result["query"] = {"p50_ms": pct(lat, 0.5), "p99_ms": pct(lat, 0.99)}
    rdf = RdfStore.open(data)
    sparql_lat = []
    for _ in range(2000):
        iri = rng.choice(agencies)
        q = f"SELECT ?t WHERE {{ <{iri}> <https://w3id.org/plankg/ontology#leads> ?t }}"
        t0 = time.perf_counter()
        list(rdf.query(q))
        sparql_lat.append((time.perf_counter() - t0) * 1000)
    result["query"]["sparql_p50_ms"] = pct(sparql_lat, 0.5)
    result["query"]["sparql_p99_ms"] = pct(sparql_lat, 0.99)
    result["query"]["sparql_over_store_p50"] = pct(sparql_lat, 0.5) / max(pct(lat, 0.5), 1e-9)
    names = [a.name for a in store.agencies()]
    del store, rdf
    result["http"] = http_figures(data, names)
    result["store"]["server_rss_mb"] = result["http"].pop("server_rss_mb")
    result["store"]["server_ready_s"] = result["http"].pop("server_load_s")
    result["store"]["server_first_answer_s"] = result["http"].pop("server_first_answer_s")
    if with_neo4j:
        from bench.neo4j_bench import neo4j_figures

        def neo4j_http(data: Path, store_args: list[str]) -> dict:
            # each request is a few dozen Cypher round trips: fewer of them
            return http_figures(data, names, store_args, latency_requests=500, load_requests=2000)

        try:
            result["neo4j"] = neo4j_figures(data, neo4j_http)
        except Exception as exc:  # a failing server must not cost the other figures
            result["neo4j_error"] = f"{type(exc).__name__}: {str(exc)[:300]}"
    shutil.rmtree(work, ignore_errors=True)
    return result


def http_figures(
    data_dir: Path,
    names: list[str],
    store_args: list[str] | None = None,
    latency_requests: int = 2000,
    load_requests: int = 6000,
) -> dict:
    """`plankg serve` (uvicorn, one worker) in its own process on loopback; a light asyncio
    load generator in this one. Latency with one client at a time, throughput with 16. Ready:
    from starting the process to the first 200 from /health; then to the first answered
    "tasks led by X" (`server_first_answer_s`)."""
    from bench.http_load import run_load

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    started = time.perf_counter()
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
            *(store_args or []),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    rng = random.Random(1)
    paths = [f"/agencies/{rng.choice(names)}/tasks?role=lead" for _ in range(load_requests)]
    try:
        wait_until_up(port, server)
        load_s = time.perf_counter() - started
        run_load("127.0.0.1", port, paths[:1], 1)  # the first question answered
        first_s = time.perf_counter() - started
        run_load("127.0.0.1", port, paths[:200], 4)  # warm-up
        single = run_load("127.0.0.1", port, paths[:latency_requests], 1)
        loaded = run_load("127.0.0.1", port, paths, 16)
        rss = server_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(30)
    bad = {k: v for k, v in {**single.statuses, **loaded.statuses}.items() if k not in (200, 409)}
    if bad:
        raise RuntimeError(f"unexpected HTTP statuses under load: {bad}")
    return {
        "p50_ms": pct(single.latencies_ms, 0.5),
        "p99_ms": pct(single.latencies_ms, 0.99),
        "rps": loaded.rps,
        "p50_ms_at_16": pct(loaded.latencies_ms, 0.5),
        "p99_ms_at_16": pct(loaded.latencies_ms, 0.99),
        "server_rss_mb": rss,
        "server_load_s": load_s,
        "server_first_answer_s": first_s,
    }


def wait_until_up(port: int, server: subprocess.Popen, limit_s: float = 1800) -> None:
    deadline = time.time() + limit_s  # loading a province-sized graph takes a while
    while time.time() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"plankg serve exited with {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                conn.settimeout(120)  # one answer, however slow: a retry would pile queries up
                conn.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                if b" 200 " in conn.recv(64):
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("plankg serve did not come up")


def server_rss_mb(pid: int) -> float:
    """Peak resident memory of the server process (VmHWM), from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def neo4j_size(sizes: list[int]) -> int:
    """The corpus the Neo4j figures use: BENCH_NEO4J_PLANS (default 1,000) when it is one of
    the sizes, else the largest size below it."""
    wanted = int(os.environ.get("BENCH_NEO4J_PLANS", 1000))
    below = [n for n in sizes if n <= wanted]
    return wanted if wanted in sizes else max(below) if below else min(sizes)


def main() -> None:
    if len(sys.argv) >= 3 and sys.argv[1] == "--one":
        print(json.dumps(measure_one(int(sys.argv[2]), "--neo4j" in sys.argv)))
        return
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "10,100,1000").split(",")]
    results: dict = {"sizes": {}}
    at = neo4j_size(sizes)
    for n in sizes:
        print(f"… {n} plans", file=sys.stderr, flush=True)
        proc = subprocess.run(
            [sys.executable, "-m", "bench.run", "--one", str(n), *(["--neo4j"] if n == at else [])],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            print(proc.stderr[-2000:], file=sys.stderr)
            raise SystemExit(f"benchmark for {n} plans failed")
        results["sizes"][str(n)] = json.loads(proc.stdout.strip().splitlines()[-1])
        RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    neo = results["sizes"][str(at)]
    results["neo4j"] = neo.pop("neo4j", None)
    if results["neo4j"]:
        results["neo4j"].update(plans=at, embedded_http=neo["http"])
        results["neo4j"]["embedded_server_rss_mb"] = neo["store"]["server_rss_mb"]
    elif "neo4j_error" in neo:
        results["neo4j_error"] = neo.pop("neo4j_error")
    results["ratios"] = ratios(results["sizes"])
    if os.environ.get("BENCH_ONLY_INGEST"):
        results["targets"] = ingest_targets(results["sizes"][str(sizes[-1])])
        RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
        print(report(results))
        return
    results["targets"] = targets(results, str(sizes[-1]))
    RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    print(report(results))


def ratios(sizes: dict) -> dict:
    """Each figure against its baseline in the same run: the smallest corpus, or the other
    way of doing the same thing."""
    first, last = next(iter(sizes)), list(sizes)[-1]
    a, b = sizes[first], sizes[last]
    extracted = [k for k, r in sizes.items() if r.get("extract")]
    ex_last = extracted[-1]
    out: dict = {}
    if "store" in b and "http" in b:
        out.update(
            {
                f"index_build_s_per_mtriple_{last}_over_{first}": (
                    b["store"]["index_build_s"] / b["rdf"]["triples"]
                )
                / (a["store"]["index_build_s"] / a["rdf"]["triples"]),
                f"http_p99_{last}_over_{first}": b["http"]["p99_ms"] / a["http"]["p99_ms"],
            }
        )
    out |= {
        f"extract_ms_per_plan_{ex_last}_over_{first}": sizes[ex_last]["extract"]["ms_per_plan"]
        / a["extract"]["ms_per_plan"],
        f"extract_us_per_kb_{ex_last}_over_{first}": sizes[ex_last]["extract"]["us_per_kb"]
        / a["extract"]["us_per_kb"],
    }
    for n, r in sizes.items():
        if "query" in r:
            out[f"sparql_over_embedded_p50_at_{n}"] = r["query"]["sparql_over_store_p50"]
        ing = r["ingest"]
        if "jobs1" in ing and "jobs2" in ing:
            out[f"ingest_jobs2_over_jobs1_at_{n}"] = (
                ing["jobs1"]["seconds"] / ing["jobs2"]["seconds"]
            )
            out[f"extract_phase_jobs2_over_jobs1_at_{n}"] = (
                ing["jobs1"]["extract_s"] / ing["jobs2"]["extract_s"]
            )
    return out


def targets(results: dict, last: str) -> dict:
    big = results["sizes"][last]
    neo = results.get("neo4j")
    per_plan = next(v for k, v in results["ratios"].items() if k.startswith("extract_ms"))
    extracted = [r for r in results["sizes"].values() if r.get("extract")]
    out = {
        "extract >= 1 MB/s/core": extracted[-1]["extract"]["mb_per_s"] >= 1.0,
        "cost per plan flat (ratio <= 1.2)": per_plan <= 1.2,
        "HTTP p99 <= 5 ms": big["http"]["p99_ms"] <= 5,
        "HTTP >= 1000 req/s": big["http"]["rps"] >= 1000,
        "batched Neo4j >= 20x naive": None if not neo else neo["batched_over_naive"] >= 20,
        f"{last} plans served in <= 4 GB": big["store"]["server_rss_mb"] <= 4096,
        f"{last} plans: serve ready <= 5 s": big["store"]["server_ready_s"] <= 5,
    }
    for n, r in results["sizes"].items():
        if n in ("1000", "10000"):
            q = r["query"]
            out[f"SPARQL tasks-led-by p50 <= 1 ms at {n}"] = q["sparql_p50_ms"] <= 1
            out[f"SPARQL within 5x of the embedded lookup at {n}"] = q["sparql_over_store_p50"] <= 5
    return out | ingest_targets(big)


def ingest_targets(big: dict) -> dict:
    """Issue 15's two ingest targets, for the largest corpus."""
    ing = big["ingest"]
    one = ing.get("jobs1") or next(v for k, v in ing.items() if k.startswith("jobs"))
    out = {"ingest >= 1 MB/s/core end to end": one["mb_per_s_per_core"] >= 1.0}
    if "jobs1" in ing and "jobs2" in ing:
        out["ingest --jobs 2 >= 1.7x --jobs 1"] = (
            ing["jobs1"]["seconds"] / ing["jobs2"]["seconds"] >= 1.7
        )
    return out


def _ingest(r: dict) -> dict:
    """The one-job ingest figures (or the first measured)."""
    ing = r["ingest"]
    return ing.get("jobs1") or next(v for k, v in ing.items() if k.startswith("jobs"))


def _cell(fmt, n: str, r: dict) -> str:
    try:
        return fmt(n, r)
    except (KeyError, TypeError):  # a figure this size did not measure
        return "–"


def report(results: dict) -> str:
    columns = [
        ("plans", 6, lambda n, r: f"{n}"),
        ("MB/s", 5, lambda n, r: f"{r['extract']['mb_per_s']:.2f}"),
        ("kchar/s", 7, lambda n, r: f"{r['extract']['chars_per_s'] / 1000:.0f}"),
        ("ms/plan", 7, lambda n, r: f"{r['extract']['ms_per_plan']:.1f}"),
        ("us/KB", 6, lambda n, r: f"{r['extract']['us_per_kb']:.0f}"),
        ("triples", 9, lambda n, r: f"{r['rdf']['triples']}"),
        ("ing MB/s", 8, lambda n, r: f"{_ingest(r)['mb_per_s_per_core']:.2f}"),
        ("ingest MB", 9, lambda n, r: f"{r['rdf']['peak_rss_mb']:.0f}"),
        ("index s", 7, lambda n, r: f"{r['store']['index_build_s']:.1f}"),
        ("ready s", 7, lambda n, r: f"{r['store']['server_ready_s']:.1f}"),
        ("srv MB", 6, lambda n, r: f"{r['store']['server_rss_mb']:.0f}"),
        ("q p50", 6, lambda n, r: f"{r['query']['p50_ms']:.3f}"),
        ("sparql", 6, lambda n, r: f"{r['query']['sparql_p50_ms']:.3f}"),
        ("http p50", 8, lambda n, r: f"{r['http']['p50_ms']:.2f}"),
        ("http p99", 8, lambda n, r: f"{r['http']['p99_ms']:.2f}"),
        ("req/s", 6, lambda n, r: f"{r['http']['rps']:.0f}"),
        ("lead F1", 7, lambda n, r: f"{r['accuracy']['lead']:.3f}"),
        ("assist F1", 9, lambda n, r: f"{r['accuracy']['assist']:.3f}"),
    ]
    rows = [" ".join(f"{name:>{w}}" for name, w, _ in columns)]
    for n, r in results["sizes"].items():
        rows.append(" ".join(f"{_cell(fmt, n, r):>{w}}" for _, w, fmt in columns))
    rows.append("")
    for k, v in results["ratios"].items():
        rows.append(f"ratio {k}: {v:.2f}")
    neo = results.get("neo4j")
    if neo:
        rows += neo4j_report(neo)
    elif os.environ.get("BENCH_ONLY_INGEST"):
        rows.append("BENCH_ONLY_INGEST: ingest figures only (no index, queries, HTTP, Neo4j)")
    else:
        why = results.get("neo4j_error") or "set NEO4J_URI to a Neo4j server"
        rows.append(f"Neo4j: not measured ({why})")
    for name, ok in results["targets"].items():
        rows.append(f"target {name}: {'met' if ok else 'not measured' if ok is None else 'MISSED'}")
    return "\n".join(rows)


def neo4j_report(neo: dict) -> list[str]:
    b, m, v = neo["batched"], neo["batched_in_memory"], neo["naive"]
    h, e = neo["http"], neo["embedded_http"]
    sample = "the whole graph" if v["plans_every"] <= 1 else f"every {v['plans_every']}th plan"

    def rates(f: dict) -> str:
        return (
            f"{f['items_per_s']:.0f} items/s ({f['nodes_per_s']:.0f} nodes/s, "
            f"{f['relationships_per_s']:.0f} relationships/s, {f['seconds']:.1f} s)"
        )

    return [
        f"Neo4j ({neo['server']}, {neo['plans']} plans, batch size {neo['batch_size']}):",
        f"  batched, rows in memory: {rates(m)}",
        f"  naive, rows in memory ({sample}): {rates(v)}",
        f"  ratio batched / naive: {neo['batched_over_naive']:.1f}x",
        f"  plankg load (rows streamed from plankg.nt): {rates(b)}, "
        f"{b['rows_per_statement']:.0f} rows per statement; "
        f"{neo['plankg_load_over_naive']:.1f}x naive",
        f"  peak RSS: plankg load {b['peak_rss_mb']:.0f} MB, plankg serve (embedded) "
        f"{neo['embedded_server_rss_mb']:.0f} MB, plankg serve --store neo4j "
        f"{h['server_rss_mb']:.0f} MB",
        f"  HTTP p50 / p99 ms, req/s (16 clients): neo4j {h['p50_ms']:.2f} / {h['p99_ms']:.2f}, "
        f"{h['rps']:.0f}; embedded {e['p50_ms']:.2f} / {e['p99_ms']:.2f}, {e['rps']:.0f}",
    ]


if __name__ == "__main__":
    main()
