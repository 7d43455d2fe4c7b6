"""kill -9 at random points of uploads and deletions of a real `plankg serve`, then restart:
every restart must find the folder consistent.

Each trial starts from the folder the last one left, sends an upload (a new plan, or new bytes
for an uploaded one) or a deletion, SIGKILLs the server after a random delay within the time a
whole write takes (extraction, store transaction, derived files), restarts it and checks:
no temporary files; plankg.nt, .ttl and .jsonld hold the same triples and record the store's
current state; the plans in the store, in the files, in `/plans` and in `uploads/` agree; the
trial's plan is wholly there or wholly not (a write that was answered 200 is there).
`PLANKG_CRASH_TRIALS` sets the count (CI: 20, the default); the seed is printed on failure.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from conftest import PLANS_DIR, ROOT

from bench.serve_proc import KEY, Server
from plankg.graph.rdf_store import JSONLD, NT, TTL, RdfStore, derived_state

pytestmark = pytest.mark.crash

TRIALS = int(os.environ.get("PLANKG_CRASH_TRIALS", "20"))
SEED = int(os.environ.get("PLANKG_CRASH_SEED", "1717"))
DOCS = sorted((ROOT / "tests" / "realplans" / "docs").glob("*.txt"))
SOURCE = "http://purl.org/dc/terms/source"
SHA = "https://w3id.org/plankg/ontology#sha256"


def _content(k: int) -> bytes:
    """A plan of eight real plans' clauses, different bytes for each k (a few hundred ms of
    extraction: long enough for kills to land inside it)."""
    picked = [DOCS[(k + i) % len(DOCS)].read_bytes() for i in range(8)]
    return f"第{k}号试验方案\n".encode() + b"\n".join(picked)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    from plankg.ingest.pipeline import ingest

    data = tmp_path_factory.mktemp("crash") / "data"
    ingest([PLANS_DIR], data)
    return data


def _triples(path: Path, fmt: ox.RdfFormat) -> set[str]:
    return {str(t) for t in ox.parse(path=path, format=fmt)}


def _store_view(data: Path) -> dict[str, str]:
    """doc → sha256 of each plan in the store, read through a read-only handle."""
    rdf = RdfStore.open(data, read_only=True)
    rows = rdf.query(
        f"SELECT ?doc ?sha WHERE {{ GRAPH ?g {{ ?g <{SOURCE}> ?doc . ?g <{SHA}> ?sha }} }}"
    )
    view = {str(r["doc"].value): str(r["sha"].value) for r in rows}
    state = rdf.state()
    del rdf
    view["\0state"] = repr(state)
    return view


def check_consistent(data: Path, server: Server, ingested: set[str]) -> dict[str, str]:
    """The folder after a restart; returns doc → sha256 of the store's plans."""
    temps = [
        p.relative_to(data)
        for p in data.rglob("*")
        if p.is_file()
        and "store" not in p.relative_to(data).parts[:1]
        and (p.name.startswith(".") or ".pending" in p.parts)
    ]
    assert not temps, f"temporary files left: {temps}"
    view = _store_view(data)
    state = view.pop("\0state")
    assert repr(derived_state(data)) == state, "the derived files are older than the store"
    nt = _triples(data / NT, ox.RdfFormat.N_TRIPLES)
    assert _triples(data / TTL, ox.RdfFormat.TURTLE) == nt
    assert _triples(data / JSONLD, ox.RdfFormat.JSON_LD) == nt
    in_files = {
        t.object.value
        for t in ox.parse(path=data / NT, format=ox.RdfFormat.N_TRIPLES)
        if t.predicate.value == SOURCE
        and t.subject.value.startswith("https://w3id.org/plankg/id/plan/")
    }
    assert in_files == set(view), "the files and the store hold different plans"
    served = {p["doc"] for p in httpx.get(server.url + "/plans", timeout=30).json()}
    assert served == set(view), "/plans and the store disagree"
    uploads = {p.name: p for p in (data / "uploads").glob("*") if p.is_file()}
    assert set(uploads) == set(view) - ingested, "uploads/ and the store disagree"
    for doc, path in uploads.items():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == view[doc], doc
    return view


def _running(pid: int) -> bool:
    """Whether `pid` still runs (a zombie waiting for its reaper does not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in status


def _describe(pid: int) -> str:
    try:
        return f"{pid}: " + Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return str(pid)


def _send(server: Server, action: tuple[str, str, bytes], answers: list) -> None:
    kind, doc, content = action
    headers = {"X-API-Key": KEY}
    try:
        if kind == "delete":
            r = httpx.delete(f"{server.url}/plans/{doc}", headers=headers, timeout=60)
        else:
            files = {"file": (doc, content)}
            r = httpx.post(f"{server.url}/plans", files=files, headers=headers, timeout=60)
        answers.append(r.status_code)
    except httpx.HTTPError:
        answers.append(None)  # killed before it answered


def _write_time(server: Server, data: Path) -> float:
    """Seconds a warm, unkilled upload takes until its derived files are written (the first
    upload also waits for the worker to start: not timed)."""
    spent = 0.0
    for k in range(2):
        before = derived_state(data)
        t0 = time.perf_counter()
        answers: list = []
        _send(server, ("upload", "warm-up.txt", _content(10_000 + k)), answers)
        assert answers == [200]
        while derived_state(data) == before and time.perf_counter() - t0 < 60:
            time.sleep(0.02)
        spent = time.perf_counter() - t0
        headers = {"X-API-Key": KEY}
        r = httpx.delete(server.url + "/plans/warm-up.txt", headers=headers, timeout=60)
        assert r.status_code == 200
    return spent


def test_kill_9_at_random_points_of_writes_leaves_a_consistent_folder(folder, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(folder, data)
    ingested = {p.name for p in PLANS_DIR.glob("*.txt")}
    rng = random.Random(SEED)
    server = Server(data, tmp_path)
    server.start()
    window = _write_time(server, data) * 1.3
    uploaded: dict[str, bytes] = {}
    outcomes: list[str] = []
    try:
        for trial in range(TRIALS):
            roll = rng.random()
            if uploaded and roll < 0.25:
                doc = rng.choice(sorted(uploaded))
                action = ("delete", doc, b"")
            elif uploaded and roll < 0.5:
                doc = rng.choice(sorted(uploaded))
                action = ("replace", doc, _content(100 + trial))
            else:
                doc = f"trial-{trial:02d}.txt"
                action = ("upload", doc, _content(trial))
            before = _store_view(data)
            before.pop("\0state")
            answers: list = []
            sender = threading.Thread(target=_send, args=(server, action, answers))
            delay = rng.uniform(0, window)
            sender.start()
            time.sleep(delay)
            orphans = server.kill()
            sender.join()
            # the worker's watchdog looks twice a second (once the worker has started)
            deadline = time.monotonic() + 10
            while any(map(_running, orphans)) and time.monotonic() < deadline:
                time.sleep(0.1)
            alive = [_describe(pid) for pid in orphans if _running(pid)]
            assert not alive, f"children of the killed server still running: {alive}"
            restart = server.start()
            where = f"trial {trial} (seed {SEED}): {action[0]} {doc} killed at {delay:.2f} s"
            try:
                view = check_consistent(data, server, ingested)
            except AssertionError as exc:
                raise AssertionError(f"{where}: {exc}") from exc
            new_sha = hashlib.sha256(action[2]).hexdigest()
            if action[0] == "delete":
                assert view.get(doc) in (None, before.get(doc)), where
                done = doc not in view
            else:
                assert view.get(doc) in (before.get(doc), new_sha), where
                done = view.get(doc) == new_sha
            if answers == [200]:
                assert done, f"{where}: answered 200 but the change is not in the store"
            if done and action[0] == "delete":
                uploaded.pop(doc)
            elif done:
                uploaded[doc] = action[2]
            outcomes.append(
                f"{action[0]}:{'done' if done else 'undone'}@{delay:.1f}/{restart:.1f}s"
            )
    finally:
        server.stop()
    print(f"{TRIALS} trials, window {window:.2f} s:", " ".join(outcomes))
    assert len(outcomes) == TRIALS


def test_a_second_server_on_the_same_folder_is_refused(folder, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(folder, data)
    first = Server(data, tmp_path)
    first.start()
    second = Server(data, tmp_path)
    try:
        with pytest.raises(RuntimeError, match="in use by another plankg process"):
            second.start(timeout=60)
        assert httpx.get(first.url + "/health", timeout=5).status_code == 200
    finally:
        second.kill()
        first.stop()
