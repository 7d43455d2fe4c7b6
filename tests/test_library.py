"""The data folder's writes: its lock, the upload worker, plan identity and the repair at start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import PLANS_DIR

from plankg.api.plan_errors import UploadRejected, UploadTooLarge
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
