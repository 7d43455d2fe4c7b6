"""Upload/delete soak against a real `plankg serve`: memory over N cycles, `/health` latency
during a large upload. Figures printed and written to bench/measured/<date>-upload-soak.json.

    python -m bench.upload_soak [--plans 200] [--cycles 50]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import httpx

from bench.serve_proc import KEY, Server

ROOT = Path(__file__).resolve().parent.parent


def _plan(times: int, tag: str) -> bytes:
    body = b"\n".join(p.read_bytes() for p in sorted((ROOT / "data" / "plans").glob("*.txt")))
    return f"{tag}试验方案\n".encode() + body * times


def _upload(server: Server, name: str, content: bytes) -> httpx.Response:
    files = {"file": (name, content)}
    return httpx.post(server.url + "/plans", files=files, headers={"X-API-Key": KEY}, timeout=600)


def health_during_upload(server: Server, times: int) -> dict:
    answers: list[httpx.Response] = []
    content = _plan(times, "大型")
    sender = threading.Thread(target=lambda: answers.append(_upload(server, "big.txt", content)))
    t0 = time.perf_counter()
    sender.start()
    latencies = []
    with httpx.Client(timeout=30) as client:
        while sender.is_alive():
            t = time.perf_counter()
            client.get(server.url + "/health")
            latencies.append((time.perf_counter() - t) * 1000)
            time.sleep(0.02)
    took = time.perf_counter() - t0
    sender.join()
    httpx.delete(server.url + "/plans/big.txt", headers={"X-API-Key": KEY}, timeout=600)
    return {
        "upload_bytes": len(content),
        "upload_s": round(took, 2),
        "status": answers[0].status_code,
        "probes": len(latencies),
        "health_p50_ms": round(statistics.median(latencies), 1),
        "health_p90_ms": round(statistics.quantiles(latencies, n=10)[-1], 1),
        "health_max_ms": round(max(latencies), 1),
    }


def cycles(server: Server, n: int) -> dict:
    plan = _plan(1, "循环")
    rss, seconds = [server.rss_mb()], []
    for i in range(n):
        t = time.perf_counter()
        r = _upload(server, "cycle.txt", plan + f"\n{i}".encode())
        assert r.status_code == 200, r.text
        r = httpx.delete(server.url + "/plans/cycle.txt", headers={"X-API-Key": KEY}, timeout=600)
        assert r.status_code == 200, r.text
        seconds.append(time.perf_counter() - t)
        rss.append(server.rss_mb())
    return {
        "cycles": n,
        "cycle_p50_s": round(statistics.median(seconds), 2),
        "rss_mb_start": round(rss[0]),
        "rss_mb_after_5": round(rss[min(5, n)]),
        "rss_mb_end": round(rss[-1]),
        "rss_mb_max": round(max(rss)),
        "rss_mb": [round(x) for x in rss],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.upload_soak")
    parser.add_argument("--plans", type=int, default=200, help="corpus size served")
    parser.add_argument("--cycles", type=int, default=50)
    parser.add_argument("--big", type=int, default=8, help="the large upload: sample plans x N")
    args = parser.parse_args(argv)
    from bench.corpus import generate
    from plankg.ingest.pipeline import ingest

    work = Path(tempfile.mkdtemp(prefix="plankg-soak-"))
    try:
        generate(args.plans, work / "corpus", 0, 5, sidecars=True)
        ingest([work / "corpus" / "plans"], work / "data")
        server = Server(work / "data", work)
        ready = server.start()
        try:
            result = {
                "plans": args.plans,
                "serve_ready_s": round(ready, 2),
                "health_during_upload": health_during_upload(server, args.big),
                "upload_delete": cycles(server, args.cycles),
            }
        finally:
            server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    out = ROOT / "bench" / "measured" / f"{date.today()}-upload-soak.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
