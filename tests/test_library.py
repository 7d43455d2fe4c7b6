"""The data folder's writes: its lock, the upload worker, plan identity and the repair at start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import PLANS_DIR

from plankg.api.plan_errors import DuplicatePlan, UploadRejected, UploadTooLarge
from plankg.api.upload_worker import UploadWorker, extract_upload
from plankg.graph.data_lock import DataFolderLocked, DataLock

SAMPLE = PLANS_DIR / "001_13505c27ad81fa3b.txt"


# ---------------------------------------------------------------------------- the lock


def test_a_second_holder_is_refused_naming_the_first(tmp_path):
    with (
        DataLock(tmp_path),
        pytest.raises(DataFolderLocked, match=rf"pid {os.getpid()}\b.*another --data"),
    ):
        DataLock(tmp_path).acquire()
    DataLock(tmp_path).acquire().release()  # released on exit: free again


def test_the_lock_of_a_killed_process_is_free_at_once(tmp_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from plankg.graph.data_lock import DataLock; "
            "DataLock(sys.argv[1]).acquire(); print('held', flush=True); time.sleep(60)",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(DataFolderLocked, match=f"pid {holder.pid}"):
            DataLock(tmp_path).acquire()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    lock = DataLock(tmp_path).acquire()  # the kernel dropped the dead holder's flock
    assert lock.held and (tmp_path / "plankg.lock").read_text().strip() == str(os.getpid())
    lock.release()


# ---------------------------------------------------------------------------- the worker


@pytest.fixture(scope="module")
def worker():
    w = UploadWorker()
    yield w
    w.close()


def test_the_worker_builds_the_plans_triples_and_is_reused(worker):
    first = worker.extract(SAMPLE.name, SAMPLE.read_bytes())
    pid = worker.pid
    again = worker.extract(SAMPLE.name, SAMPLE.read_bytes())
    assert pid is not None and pid != os.getpid() and worker.pid == pid
    assert first == again  # deterministic
    inline = extract_upload(SAMPLE.name, SAMPLE.read_bytes())
    assert inline.ntriples == first.ntriples and inline.tasks == first.tasks > 10
    lines = first.ntriples.splitlines()
    assert lines == sorted(set(lines))
    assert first.doc == SAMPLE.name and len(first.sha256) == 64


def test_bad_uploads_are_rejected_with_the_name_and_the_worker_survives(worker):
    with pytest.raises(UploadRejected, match=r"bad\.txt: binary data"):
        worker.extract("bad.txt", b"\x00\x01binary")
    with pytest.raises(UploadRejected, match=r"empty\.txt: no responsibility clauses"):
        worker.extract("empty.txt", "这是一段没有任何任务的文字。".encode())
    pid = worker.pid
    assert worker.extract(SAMPLE.name, SAMPLE.read_bytes()).tasks > 10
    assert worker.pid == pid


def _large_plan(times: int = 40) -> bytes:
    """The sample plans' text many times over: MB that take the worker seconds."""
    body = b"\n".join(p.read_bytes() for p in sorted(PLANS_DIR.glob("*.txt")))
    return body * times


def test_an_upload_over_its_deadline_is_killed_and_the_next_one_runs():
    w = UploadWorker(timeout_s=1)
    try:
        w.start()
        pid = w.pid
        t0 = time.perf_counter()
        with pytest.raises(UploadTooLarge, match=r"big\.txt: extraction took longer than 1 s"):
            w.extract("big.txt", _large_plan())
        assert time.perf_counter() - t0 < 10
        assert w.pid is None  # the worker was killed, not left burning a core
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
        w.timeout_s = 60
        assert w.extract(SAMPLE.name, SAMPLE.read_bytes()).tasks > 10
        assert w.pid not in (None, pid)
    finally:
        w.close()


def test_an_upload_over_the_memory_cap_is_a_413_and_the_worker_recovers():
    w = UploadWorker(memory_mb=120)  # the sample plans x15 need more (x10 fit in 100 MB)
    try:
        with pytest.raises(UploadTooLarge, match=r"big\.txt: needs more than 120 MB"):
            w.extract("big.txt", _large_plan(15))
        assert w.extract(SAMPLE.name, SAMPLE.read_bytes()).tasks > 10
    finally:
        w.close()


def test_a_name_too_long_for_the_file_system_is_a_clear_error(worker):
    from plankg.api.library import checked_name

    long = "规" * 90 + ".txt"  # 274 bytes in UTF-8
    with pytest.raises(UploadRejected, match=r"274 bytes; at most 200"):
        checked_name(long)
    with pytest.raises(UploadRejected, match="cannot be stored under that name"):
        worker.extract(long, SAMPLE.read_bytes())
    for bad in ("../x.txt", ".hidden.txt", "a/b.txt", "x.exe", "a\nb.txt"):
        with pytest.raises(UploadRejected):
            checked_name(bad)
    assert checked_name("abc-t9.txt") == "abc-t9.txt"


# ---------------------------------------------------------------------------- identity


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from plankg.ingest.pipeline import ingest

    out = tmp_path_factory.mktemp("lib") / "data"
    ingest([PLANS_DIR], out)
    return out


@pytest.fixture
def lib(built, tmp_path):
    import shutil

    from plankg.api.library import open_library

    data = tmp_path / "data"
    shutil.copytree(built, data)
    opened = open_library(data)
    yield opened
    opened.close()


REAL = sorted((PLANS_DIR.parent.parent / "tests" / "realplans" / "docs").glob("*.txt"))


def _docs(lib) -> list[str]:
    return [p.doc for p in lib.embedded.plans()]


def _tasks(lib) -> dict[str, int]:
    return {p.doc: p.task_count for p in lib.embedded.plans()}


def test_deleting_a_plan_removes_exactly_its_triples(lib):
    """abc.txt beside abc-t9.txt (whose task ids start like abc's): deleting abc.txt used to
    empty abc-t9.txt, ownership being an IRI prefix. Now each plan is its own named graph."""
    lib.add_plan("abc-t9.txt", REAL[0].read_bytes())
    kept = lib.rdf_store.plan_triples("abc-t9.txt")
    tasks = _tasks(lib)["abc-t9.txt"]
    lib.add_plan("abc.txt", REAL[1].read_bytes())
    _, _, summary = lib.remove_plan("abc.txt")
    assert summary["changed"] == "removed abc.txt"
    assert lib.rdf_store.plan_triples("abc-t9.txt") == kept and len(kept) > 20
    assert _tasks(lib)["abc-t9.txt"] == tasks > 0 and "abc.txt" not in _tasks(lib)
    with pytest.raises(KeyError):
        lib.remove_plan("abc")  # a plan is its full file name, never a prefix or a stem
    lib.flush()
    nt = (lib.data / "plankg.nt").read_text("utf-8")
    assert '"abc-t9.txt"' in nt and '"abc.txt"' not in nt


def test_the_same_bytes_under_any_name_or_format_are_a_duplicate(lib):
    from plankg.api.plan_errors import DuplicatePlan

    before = lib.rdf_store.state()
    for name in (SAMPLE.name, "copy.txt", "copy.md"):
        with pytest.raises(DuplicatePlan, match=f"already the plan {SAMPLE.name}") as err:
            lib.add_plan(name, SAMPLE.read_bytes())
        assert err.value.existing == SAMPLE.name
    assert lib.rdf_store.state() == before  # nothing was written
    assert not list((lib.data / "uploads").glob("**/*.*"))


def test_the_same_stem_is_a_409_never_a_silent_replace(lib):
    from plankg.api.plan_errors import PlanConflict

    lib.add_plan("X.txt", REAL[2].read_bytes())
    kept = lib.rdf_store.plan_triples("X.txt")
    with pytest.raises(PlanConflict, match=r"X\.md: the plan X\.txt has the same name") as err:
        lib.add_plan("X.md", REAL[3].read_bytes())
    assert err.value.existing == "X.txt"
    assert lib.rdf_store.plan_triples("X.txt") == kept
    assert sorted(p.name for p in (lib.data / "uploads").iterdir() if p.is_file()) == ["X.txt"]


def test_new_bytes_under_the_same_name_replace_the_plan(lib):
    lib.add_plan("r.txt", REAL[4].read_bytes())
    _, _, summary = lib.add_plan("r.txt", REAL[5].read_bytes())
    assert summary["changed"] == "replaced r.txt"
    assert (lib.data / "uploads" / "r.txt").read_bytes() == REAL[5].read_bytes()
    from plankg.api.upload_worker import extract_upload

    assert {str(t) + " .\n" for t in lib.rdf_store.plan_triples("r.txt")} == set(
        extract_upload("r.txt", REAL[5].read_bytes()).ntriples.decode().splitlines(keepends=True)
    )


def test_the_api_maps_refusals_to_409_413_422(lib):
    from fastapi.testclient import TestClient

    from plankg.api.app import Settings, create_app

    app = create_app(
        lib.embedded, lib.rdf_store, settings=Settings(api_key="k"), library=lib.library()
    )
    c = TestClient(app, raise_server_exceptions=False)
    key = {"X-API-Key": "k"}
    dup = c.post("/plans", files={"file": ("d.md", SAMPLE.read_bytes())}, headers=key)
    assert dup.status_code == 409
    assert dup.json()["error"]["detail"] == {"existing": SAMPLE.name}
    long = c.post("/plans", files={"file": ("规" * 90 + ".txt", b"x")}, headers=key)
    assert long.status_code == 422 and "at most 200 bytes" in long.json()["error"]["message"]
    lib.worker.timeout_s = 0.01
    try:
        slow = c.post("/plans", files={"file": ("slow.txt", _large_plan(2))}, headers=key)
    finally:
        lib.worker.timeout_s = 120
    assert slow.status_code == 413 and "longer than" in slow.json()["error"]["message"]
    assert c.delete("/plans/abc", headers=key).status_code == 404


def test_reads_during_writes_never_fail(lib):
    """Request threads read the indexes while uploads and deletions change them in place."""
    import threading

    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                lib.embedded.plans()
                lib.embedded.agencies("发改")
                lib.embedded.search_tasks("建设", limit=50)
                lib.embedded.coordination()
            except BaseException as exc:
                errors.append(exc)
                return

    readers = [threading.Thread(target=read) for _ in range(3)]
    for t in readers:
        t.start()
    try:
        for i in range(4):
            lib.add_plan(f"w{i}.txt", REAL[6 + i].read_bytes())
            lib.remove_plan(f"w{i}.txt")
    finally:
        stop.set()
        for t in readers:
            t.join()
    assert not errors, errors


# ---------------------------------------------------------------------------- recovery


def test_start_up_repairs_every_crash_state(built, tmp_path):
    import shutil

    from plankg.api.library import open_library
    from plankg.graph.rdf_store import derived_state
    from plankg.graph.recovery import recover

    data = tmp_path / "data"
    shutil.copytree(built, data)
    lib = open_library(data)
    lib.add_plan("kept.txt", REAL[10].read_bytes())  # committed and promoted
    lib.flush()
    # a crash after the transaction, before the staged file was renamed and the files written
    committed = REAL[11].read_bytes()
    lines = extract_upload("late.txt", committed).ntriples.decode().splitlines(keepends=True)
    (data / "uploads" / ".pending").mkdir(exist_ok=True)
    (data / "uploads" / ".pending" / "late.txt").write_bytes(committed)
    lib.rdf_store.replace_plan("late.txt", lines)
    # a crash before the transaction: staged bytes the store never took
    (data / "uploads" / ".pending" / "never.txt").write_bytes(REAL[12].read_bytes())
    # an upload file whose plan is not in the store (its deletion committed)
    (data / "uploads" / "gone.txt").write_bytes(REAL[13].read_bytes())
    # temporary files of interrupted atomic writes
    for name in (".plankg.nt.abc123", ".plankg.ttl.x", ".derived.json.q", ".embedded.pickle.z"):
        (data / name).write_bytes(b"partial")
    (data / "uploads" / ".late.txt.tmp1").write_bytes(b"partial")
    assert derived_state(data) != lib.rdf_store.state()
    done = recover(data, lib.rdf_store)
    assert done.promoted == ["late.txt"]
    assert sorted(done.orphans) == ["uploads/.pending/never.txt", "uploads/gone.txt"]
    assert len(done.temp_files) == 5 and done.derived_rewritten
    assert derived_state(data) == lib.rdf_store.state()
    assert sorted(p.name for p in (data / "uploads").iterdir() if p.is_file()) == [
        "kept.txt",
        "late.txt",
    ]
    assert not list((data / "uploads" / ".pending").iterdir())
    assert not [p for p in data.iterdir() if p.name.startswith(".")]
    assert recover(data, lib.rdf_store).clean  # a second start has nothing to do
    lib.close()


def test_a_start_asks_the_store_for_its_plans_only_when_a_file_needs_checking(
    built, tmp_path, monkeypatch
):
    """Opening an ingested folder (no upload files) reads no plan hashes; the first upload
    reads them, and a duplicate upload is still refused."""
    import shutil

    from plankg.api import library as library_module
    from plankg.api.library import open_library
    from plankg.graph import recovery

    asked = []
    real = recovery.plan_hashes

    def counted(store):
        asked.append(1)
        return real(store)

    monkeypatch.setattr(recovery, "plan_hashes", counted)
    monkeypatch.setattr(library_module, "plan_hashes", counted)
    data = tmp_path / "data"
    shutil.copytree(built, data)
    lib = open_library(data)
    try:
        assert asked == []
        lib.add_plan("first.txt", REAL[10].read_bytes())
        assert len(asked) == 1
        with pytest.raises(DuplicatePlan):
            lib.add_plan("again.txt", REAL[10].read_bytes())
    finally:
        lib.close()
    lib = open_library(data)  # an upload file now: the repair checks it against the store
    try:
        assert len(asked) == 2 and "first.txt" in lib.catalog.sha_of
    finally:
        lib.close()


def test_ingest_keeps_one_plan_per_stem_and_says_which(tmp_path):
    from plankg.ingest.pipeline import extract_all

    (tmp_path / "X.txt").write_bytes(REAL[14].read_bytes())
    (tmp_path / "X.md").write_bytes(REAL[15].read_bytes())
    summary = extract_all([tmp_path])
    assert [p.doc for p in summary.plans] == ["X.md"]  # file order
    assert summary.duplicates == [
        f"{tmp_path / 'X.txt'}: the plan X.md has the same name before its extension "
        "(both would be https://w3id.org/plankg/id/plan/X); skipped"
    ]


def test_ingest_refuses_a_folder_a_server_holds(lib):
    from typer.testing import CliRunner

    from plankg.api.cli import app

    result = CliRunner().invoke(app, ["ingest", str(PLANS_DIR), "--out", str(lib.data)])
    assert result.exit_code == 2
    assert "is in use by another plankg process" in result.output
