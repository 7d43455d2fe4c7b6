"""`make soak` scenario (g): `/health` every 50 ms while a large plan is uploaded to, then
deleted from, a library of realistic size (1,000 plans by default, `SOAK_PLANS`), including
the background work each write starts (the derived files, which follow the store: the probe
goes on until `derived.json` records the write). PASS if p99 ≤ 100 ms and every probe is 200.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from bench.soak_server import ROOT, Server

PROBE_S = 0.05
SETTLE_LIMIT_S = 300  # the derived files of 1,000 plans take ~40 s on a loaded 2-core box


def large_plan(times: int = 8) -> bytes:
    """The sample plans' text `times` over under one title (8: 625 KB, ~19,000 triples)."""
    body = b"\n".join(p.read_bytes() for p in sorted((ROOT / "data" / "plans").glob("*.txt")))
    return "大型试验方案\n".encode() + body * times


def library(work: Path, plans: int) -> Path:
    """A data folder of `plans` synthetic plans (`bench/corpus.py`), ingested as the CLI does."""
    corpus = work / "corpus"
    code = (
        "import sys; from pathlib import Path; from bench.corpus import generate; "
        f"generate({plans}, Path({str(corpus)!r}), 0, 5, sidecars=True)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, capture_output=True)
    data = work / "data"
    cmd = [sys.executable, "-m", "plankg.api.cli", "ingest", str(corpus / "plans")]
    subprocess.run([*cmd, "--out", str(data)], check=True, cwd=ROOT, capture_output=True)
    return data


def _derived_version(data: Path) -> int:
    try:
        return int(json.loads((data / "derived.json").read_text("utf-8"))["version"])
    except (OSError, ValueError, KeyError):
        return -1


def probed(server: Server, write: Callable[[], httpx.Response]) -> dict:
    """Run `write` while probing /health every 50 ms, and go on probing until the derived
    files record the new store version (or SETTLE_LIMIT_S)."""
    before = _derived_version(server.data)
    answers: list[httpx.Response | Exception] = []

    def send() -> None:
        try:
            answers.append(write())
        except httpx.HTTPError as exc:
            answers.append(exc)

    sender = threading.Thread(target=send, daemon=True)
    latencies, failed = [], 0
    t0 = time.perf_counter()
    sender.start()
    write_s = settle_s = None
    with httpx.Client(timeout=10) as client:
        while time.perf_counter() - t0 < SETTLE_LIMIT_S:
            t = time.perf_counter()
            try:
                ok = client.get(server.url + "/health").status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append((time.perf_counter() - t) * 1000)
            failed += not ok
            if write_s is None and not sender.is_alive():
                write_s = time.perf_counter() - t0
            if write_s is not None and _derived_version(server.data) > before:
                settle_s = time.perf_counter() - t0
                break
            time.sleep(max(0.0, PROBE_S - (time.perf_counter() - t)))
    sender.join(5)
    answer = answers[0] if answers else None
    status = answer.status_code if isinstance(answer, httpx.Response) else repr(answer)
    ordered = sorted(latencies)
    return {
        "status": status,
        "write_s": round(write_s, 2) if write_s is not None else None,
        "derived_files_after_s": round(settle_s, 1) if settle_s is not None else None,
        "probes": len(latencies),
        "probes_failed": failed,
        "health_p50_ms": round(ordered[len(ordered) // 2], 1),
        "health_p99_ms": round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 1),
        "health_max_ms": round(ordered[-1], 1),
    }


def scenario_g(work: Path, plans: int) -> dict:
    """A large upload, then its deletion, on a `plans`-plan library, /health probed."""
    t0 = time.perf_counter()
    data = library(work, plans)
    built_s = time.perf_counter() - t0
    server = Server(data)
    ready_s = server.start(limit_s=300)
    try:
        content = large_plan()
        upload = probed(server, lambda: server.upload(content, "big.txt", timeout=600))
        delete = probed(server, lambda: server.delete("big.txt"))
        rss = round(server.rss_mb(), 1)
    finally:
        server.stop()
    runs = (upload, delete)
    worst = max(r["health_p99_ms"] for r in runs)
    return {
        "plans": plans,
        "library_built_s": round(built_s, 1),
        "serve_ready_s": round(ready_s, 1),
        "upload_bytes": len(content),
        "upload": upload,
        "delete": delete,
        "rss_mb_after": rss,
        "pass": all(r["status"] == 200 and not r["probes_failed"] for r in runs)
        and all(r["derived_files_after_s"] is not None for r in runs)
        and worst <= 100,
        "criterion": "/health every 50 ms from the write until the derived files record it: "
        "every probe 200, p99 <= 100 ms, the upload and the delete 200",
    }
