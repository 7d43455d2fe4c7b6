"""`make soak`: hostile requests and real faults against `plankg serve` on loopback.

Each scenario is bounded in time and count, prints its figures and a pass/fail verdict, and
all go to bench/measured/<date>-soak.json; the exit code is non-zero when any fails. A
scenario that fails because the server does not yet defend itself is reported as such — the
figures are the point. `SOAK_ONLY=a,c` runs some scenarios only; `SOAK_KILL_TRIALS` and
`SOAK_CYCLES` shrink the counts for a quick look (the README's figures use the defaults).

(a) /health latency while five costly SPARQL queries run, and the CPU they use after it;
(b) server memory over 50 upload/delete cycles; (c) kill -9 at a random point of an upload,
20 trials, the data folder consistent after each restart; (d) a few thousand half-open
connections, then /health; (e) a 64 MB request header; (f) hostile files refused in process;
(g) /health every 50 ms during a large upload and its deletion on a 1,000-plan library
(`SOAK_PLANS`), until the derived files follow (`bench/soak_writes.py`).
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import random
import shutil
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from bench.soak_files import hostile_files
from bench.soak_server import (
    ROOT,
    UPLOAD,
    Server,
    file_hashes,
    scratch_data,
    temp_files,
    triple_counts,
)
from bench.soak_writes import scenario_g

MEASURED = ROOT / "bench" / "measured"
PLAN = (ROOT / "data" / "plans" / UPLOAD).read_bytes()
# regex with nested quantifiers over every literal (catastrophic backtracking), and an
# ORDER BY over a cross join of all triples with themselves
REGEX_QUERY = 'SELECT ?s WHERE { ?s ?p ?o FILTER(isLiteral(?o) && regex(str(?o), "^(.+)+#$")) }'
JOIN_QUERY = "SELECT ?a ?b WHERE { ?a ?p ?x . ?b ?q ?y } ORDER BY ?x ?y LIMIT 5"


def pct(values: list[float], q: float) -> float | None:
    """The q-quantile, rounded to 0.1 ms; None (JSON null) when nothing was measured."""
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1) if ordered else None


def scenario_a(data: Path) -> dict:
    """Five costly queries at once; /health every 100 ms for 15 s; then the server's CPU."""
    server = Server(data)
    server.start()
    statuses: list[str] = []

    def costly(query: str) -> None:
        try:
            r = httpx.get(server.url + "/sparql", params={"query": query}, timeout=40)
            statuses.append(f"{r.status_code} {r.text[:60]}" if r.status_code != 200 else "200")
        except httpx.HTTPError as exc:
            statuses.append(type(exc).__name__)

    def health_ms() -> float:
        t0 = time.perf_counter()
        httpx.get(server.url + "/health", timeout=5).raise_for_status()
        return (time.perf_counter() - t0) * 1000

    idle = [health_ms() for _ in range(20)]  # the machine's own latency, for comparison
    rss0 = server.rss_mb()
    queries = [JOIN_QUERY, REGEX_QUERY, JOIN_QUERY, REGEX_QUERY, REGEX_QUERY]
    threads = [threading.Thread(target=costly, args=(q,), daemon=True) for q in queries]
    for t in threads:  # staggered: rdflib's query parser is not safe to run in parallel
        t.start()
        time.sleep(0.3)
    latencies, failures = [], 0
    until = time.perf_counter() + 15
    while time.perf_counter() < until:
        t0 = time.perf_counter()
        try:
            httpx.get(server.url + "/health", timeout=5).raise_for_status()
            latencies.append((time.perf_counter() - t0) * 1000)
        except httpx.HTTPError:
            failures += 1
        time.sleep(max(0, 0.1 - (time.perf_counter() - t0)))
    for t in threads:
        t.join(30)
    # after the answers (or the deadline): is anything still burning CPU?
    cpu0, w0 = server.cpu_s(), time.perf_counter()
    time.sleep(3)
    cpu_pct = 100 * (server.cpu_s() - cpu0) / (time.perf_counter() - w0)
    out = {
        "idle_health_p50_ms": pct(idle, 0.5),
        "health_p50_ms": pct(latencies, 0.5),
        "health_p99_ms": pct(latencies, 0.99),
        "health_max_ms": pct(latencies, 1.0),
        "health_answered": len(latencies),
        "health_failed": failures,
        "query_statuses": sorted(statuses),
        "cpu_pct_after_queries": round(cpu_pct, 1),
        "threads_after": server.threads(),
        "rss_mb_before": round(rss0, 1),
        "rss_mb_after": round(server.rss_mb(), 1),
    }
    server.kill()
    idle_p99 = pct(idle, 0.99) or 0.0
    out["pass"] = (
        failures == 0
        and all(s == "200" or s.startswith(("503", "504")) for s in statuses)
        and (out["health_p99_ms"] or float("inf")) < idle_p99 + 100
        and cpu_pct < 20
    )
    out["criterion"] = (
        "every /health answered with p99 < idle p99 + 100 ms; the five queries answered "
        "(200, or 503/504 at the deadline); < 20 % CPU in the 3 s after"
    )
    return out


FLAT_MB = 5.0  # allocator and RocksDB noise allowed over the second half of the cycles


def scenario_b(server: Server, cycles: int) -> dict:
    """Upload and delete the same plan `cycles` times; the server's RSS after each cycle.
    Flat: over the second half, the highest RSS is within FLAT_MB of the half's first, and
    a least-squares line through it rises by less than that over the half."""
    rss, bad = [], []
    for _ in range(cycles):
        for r in (server.upload(PLAN), server.delete()):
            if r.status_code != 200:
                bad.append(r.status_code)
        rss.append(server.rss_mb())
    half = rss[len(rss) // 2 :]
    rise = max(half) - half[0]
    slope = _slope(half)
    return {
        "cycles": cycles,
        "rss_mb_first": round(rss[0], 1),
        "rss_mb_last": round(rss[-1], 1),
        "rss_mb_max": round(max(rss), 1),
        "rss_mb_every_5": [round(r, 1) for r in rss[4::5]],
        "growth_mb": round(rss[-1] - rss[0], 1),
        "second_half_rise_mb": round(rise, 1),
        "second_half_slope_mb_per_cycle": round(slope, 3),
        "non_200": bad[:10],
        "pass": not bad and rise <= FLAT_MB and slope * len(half) < FLAT_MB,
        "criterion": f"every upload/delete 200; over the last {len(half)} cycles RSS never "
        f"above the first of them + {FLAT_MB:g} MB and its fitted rise < {FLAT_MB:g} MB",
    }


def _slope(values: list[float]) -> float:
    """Least-squares slope of `values` against their index (MB per cycle)."""
    n = len(values)
    if n < 2:
        return 0.0
    mx, my = (n - 1) / 2, sum(values) / n
    num = sum((i - mx) * (v - my) for i, v in enumerate(values))
    return num / sum((i - mx) ** 2 for i in range(n))


def scenario_c(data: Path, trials: int) -> dict:
    """kill -9 at a random point of an upload; after each restart the three files agree, the
    upload is wholly present (in the graph and under uploads/) or wholly absent, and no
    temporary file is left."""
    rng = random.Random(17)
    server = Server(data)
    server.start()
    t0 = time.perf_counter()
    server.upload(PLAN).raise_for_status()
    upload_s = time.perf_counter() - t0
    full, with_hashes = triple_counts(data)["plankg.nt"], file_hashes(data)
    server.delete().raise_for_status()
    empty, without_hashes = triple_counts(data)["plankg.nt"], file_hashes(data)
    results, failures = [], []
    seen_temp: set[str] = set()
    for trial in range(trials):
        delay = rng.uniform(0, upload_s * 1.2)
        sender = threading.Thread(target=_quiet, args=(server.upload, PLAN), daemon=True)
        sender.start()
        time.sleep(delay)
        server.kill()
        sender.join(10)
        server.start()
        # the files are deterministic: each must be byte-identical to the same file written
        # with or without the plan; only when one is not are they parsed, to say how
        hashes = file_hashes(data)
        state = "with" if hashes == with_hashes else "without" if hashes == without_hashes else ""
        counts = triple_counts(data) if not state else {}
        in_graph = UPLOAD in server.plans()
        kept = (data / "uploads" / UPLOAD).exists()
        leftovers = temp_files(data)
        problems = []
        if not state:
            problems.append(f"files are neither the graph with nor without the plan: {counts}")
        if in_graph != kept or (state and in_graph != (state == "with")):
            problems.append(f"upload half there: graph={in_graph} uploads/={kept} files={state}")
        if leftovers:
            problems.append(f"temp files: {leftovers[:3]}")
        fresh = [t for t in leftovers if t not in seen_temp]
        seen_temp.update(leftovers)
        results.append(
            {
                "delay_s": round(delay, 3),
                "present": in_graph,
                "problems": problems,
                "files": bool(not state),
                "half": in_graph != kept or bool(state and in_graph != (state == "with")),
                "new_temp": fresh,
            }
        )
        if problems:
            failures.append(trial)
        if in_graph:
            server.delete()
    server.stop()
    return {
        "trials": trials,
        "upload_s": round(upload_s, 3),
        "triples_without_and_with": [empty, full],
        "present_after": sum(r["present"] for r in results),
        "inconsistent_trials": len(failures),
        "trials_files_disagree": sum(r["files"] for r in results),
        "trials_upload_half_there": sum(r["half"] for r in results),
        "trials_leaving_new_temp_files": sum(bool(r["new_temp"]) for r in results),
        "temp_files_at_end": len(seen_temp),
        "first_problems": [r["problems"] for r in results if r["problems"]][:5],
        "pass": not failures,
        "criterion": "after every restart: .nt/.ttl/.jsonld byte-identical to the graph with or "
        "without the plan (so they agree), the upload in graph and uploads/ or in neither, "
        "no temp files",
    }


def _quiet(call: Callable, *args) -> None:
    with contextlib.suppress(httpx.HTTPError):  # the server was killed under it: expected
        call(*args)


def scenario_d(server: Server, count: int = 3000) -> dict:
    """`count` sockets that connect and send nothing, then one /health request."""
    sockets: list[socket.socket] = []
    opened = 0
    try:
        for _ in range(count):
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", server.port))
            sockets.append(s)
            opened += 1
        time.sleep(1)
        t0 = time.perf_counter()
        try:
            status: int | str = httpx.get(server.url + "/health", timeout=10).status_code
        except httpx.HTTPError as exc:
            status = type(exc).__name__
        seconds = time.perf_counter() - t0
    finally:
        for s in sockets:
            s.close()
    return {
        "half_open": opened,
        "health_status": status,
        "health_s": round(seconds, 2),
        "pass": status in (200, 503) and seconds < 5,
        "criterion": "/health answered (200 or 503) within 5 s",
    }


def scenario_e(server: Server, megabytes: int = 64) -> dict:
    """One request with a `megabytes` MB header: refused (4xx or the connection closed)."""
    sent, answer = 0, ""
    t0 = time.perf_counter()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as conn:
        try:
            conn.sendall(b"GET /health HTTP/1.1\r\nHost: soak\r\nX-Big: ")
            chunk = b"a" * (1 << 20)
            for _ in range(megabytes):
                conn.sendall(chunk)
                sent += len(chunk)
            conn.sendall(b"\r\n\r\n")
            answer = conn.recv(64).decode("latin-1").split("\r\n", 1)[0]
        except (ConnectionError, TimeoutError) as exc:
            answer = answer or type(exc).__name__
    status = answer.split(" ")[1] if answer.startswith("HTTP/") else answer or "closed"
    alive = httpx.get(server.url + "/health", timeout=10).status_code
    return {
        "header_mb": megabytes,
        "sent_mb_before_refusal": round(sent / (1 << 20), 1),
        "answer": status,
        "seconds": round(time.perf_counter() - t0, 2),
        "health_after": alive,
        "pass": not status.startswith("2") and alive == 200,
        "criterion": "not answered 2xx (a 4xx or a closed connection); the server stays up",
    }


def scenario_f(tmp: Path) -> dict:
    """Hostile files refused in this process: seconds and peak traced memory of each."""
    import tracemalloc

    from plankg.ingest.extract import extract_plan
    from plankg.ingest.model import PlanReadError

    def refusal(path: Path) -> str:
        try:
            extract_plan(path)
            return "accepted"
        except PlanReadError as exc:
            return getattr(exc, "limit", type(exc).__name__)

    rows = {}
    for name, path in hostile_files(tmp).items():
        t0 = time.perf_counter()  # timed untraced: tracemalloc slows allocation-heavy code
        refused = refusal(path)
        seconds = time.perf_counter() - t0
        tracemalloc.start()
        refusal(path)
        peak = tracemalloc.get_traced_memory()[1] / (1 << 20)
        tracemalloc.stop()
        size = path.stat().st_size / (1 << 20)
        # a text file is decoded before its characters can be counted: its cost follows its
        # size (itself capped by max_file_bytes); every other refusal comes before the work
        budget = 4 * size if path.suffix == ".txt" else 10
        rows[name] = {
            "file_mib": round(size, 2),
            "refused_by": refused,
            "seconds": round(seconds, 3),
            "peak_mib_over_file": round(max(0.0, peak - size), 1),
            "ok": refused != "accepted" and seconds < 1 and peak - size < budget,
        }
    return {
        "files": rows,
        "pass": all(r["ok"] for r in rows.values()),
        "criterion": "each refused in < 1 s, traced memory beyond the file's bytes < 10 MiB "
        "(a .txt: < 4x its size, it is decoded before its characters are counted)",
    }


def main() -> int:
    only = set(filter(None, os.environ.get("SOAK_ONLY", "").split(",")))
    trials = int(os.environ.get("SOAK_KILL_TRIALS", 20))
    cycles = int(os.environ.get("SOAK_CYCLES", 50))
    results: dict = {"date": datetime.date.today().isoformat(), "scenarios": {}}
    data = scratch_data()
    work = data.parent
    started = time.perf_counter()

    def run(key: str, title: str, fn: Callable[[], dict]) -> None:
        if only and key not in only:
            return
        t0 = time.perf_counter()
        try:
            out = fn()
        except Exception as exc:  # a scenario that breaks is a failed scenario, not a crash
            out = {"pass": False, "error": f"{type(exc).__name__}: {str(exc)[:300]}"}
        out["seconds"] = round(time.perf_counter() - t0, 1)
        results["scenarios"][f"{key}_{title}"] = out
        verdict = "PASS" if out["pass"] else "FAIL"
        figures = {k: v for k, v in out.items() if k not in ("pass", "criterion")}
        print(f"[{verdict}] ({key}) {title}: {json.dumps(figures, ensure_ascii=False)}", flush=True)

    try:
        shared = Server(data)
        if not only or only & {"b", "d", "e"}:
            shared.start()
            # (b) first: a 64 MB header the server buffers would count in its memory
            run("b", "memory_over_upload_cycles", lambda: scenario_b(shared, cycles))
            run("d", "half_open_connections", lambda: scenario_d(shared))
            run("e", "64_mb_header", lambda: scenario_e(shared))
            shared.stop()
        run("a", "health_during_costly_sparql", lambda: scenario_a(data))
        run("c", "kill_9_during_upload", lambda: scenario_c(data, trials))
        run("f", "hostile_files_refused", lambda: scenario_f(work))
        plans = int(os.environ.get("SOAK_PLANS", 1000))
        run("g", "health_during_large_writes", lambda: scenario_g(work / "library", plans))
    finally:
        shared.kill()
        results["seconds"] = round(time.perf_counter() - started, 1)
        MEASURED.mkdir(exist_ok=True)
        out = MEASURED / f"{results['date']}-soak.json"
        out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        shutil.rmtree(work, ignore_errors=True)
    failed = [k for k, v in results["scenarios"].items() if not v["pass"]]
    print(f"soak: {len(results['scenarios']) - len(failed)} passed, {len(failed)} failed "
          f"in {results['seconds']} s; figures in {out.relative_to(ROOT)}")  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
