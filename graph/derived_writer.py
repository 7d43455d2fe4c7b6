"""The derived files (and, now and then, the index snapshot) rewritten off the serving process.

A write through the API costs its store transaction and one plan's index update. Dumping the
whole corpus into plankg.nt/.ttl/.jsonld costs far more (36 s of CPU at 1,000 plans), and in
the server it stalled requests: sorting the dump's lines is one `sorted()` over a million
lines holding the interpreter lock for a second, and pickling the indexes held it 0.5 s.
So each run takes a checkpoint of the store (`Store.backup`: RocksDB hard links, 8 ms, one
committed state; taken between two transactions, since one racing a write's flush failed)
in `<data>/.checkpoint-*/`, and a child process writes the files from that checkpoint; they
record its state, so they are never taken for a newer one. With `snapshot=True` the child
also builds the indexes from the file it just wrote and saves the snapshot of that state
(the server then replays fewer plans at start). The child runs at nice 10 and dies with the
server (PR_SET_PDEATHSIG); a checkpoint left by a crash is removed by the start-up repair,
which also rewrites files older than the store.

Runs are serialised in one background thread, once per burst of writes (`DerivedWriter`).
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from plankg.graph.rdf_store import STORE_DIR, RdfStore, derived_state
from plankg.graph.recovery import CHECKPOINT_PREFIX

log = logging.getLogger("plankg.derived")

_PR_SET_PDEATHSIG = 1


class DerivedFilesFailed(RuntimeError):
    """The child writing the derived files exited with an error (its output is logged)."""


def write_in_child(
    rdf_store: RdfStore,
    data_dir: Path,
    *,
    snapshot: bool,
    checkpoint_lock: AbstractContextManager[Any] | None = None,
) -> tuple[str, int]:
    """Checkpoint `rdf_store` (under `checkpoint_lock`, which the writer holds for each
    transaction: a checkpoint racing a write's flush failed) and write the derived files
    (and with `snapshot` the index snapshot) of that checkpoint in a child process; returns
    the state they reflect."""
    data = Path(data_dir)
    checkpoint = Path(tempfile.mkdtemp(prefix=CHECKPOINT_PREFIX, dir=data))
    try:
        with checkpoint_lock or contextlib.nullcontext():
            rdf_store.backup(checkpoint / STORE_DIR)
        cmd = [sys.executable, "-m", "plankg.graph.derived_writer", str(checkpoint), str(data)]
        cmd += ["--parent", str(os.getpid())] + (["--snapshot"] if snapshot else [])
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise DerivedFilesFailed(
                f"the derived-files child exited with {done.returncode}: {done.stderr[-2000:]}"
            )
        store_id, version = done.stdout.split()[-2:]
        return store_id, int(version)
    finally:
        shutil.rmtree(checkpoint, ignore_errors=True)


def _die_with_parent(parent: int) -> None:
    """SIGKILL this process when the server dies (a server killed with -9 must not leave a
    child renaming files into a folder the next start is repairing)."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux: the check below holds
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def child_main(argv: list[str] | None = None) -> int:
    """The child: the three files (and the snapshot) from a checkpoint; prints its state."""
    parser = argparse.ArgumentParser(prog="python -m plankg.graph.derived_writer")
    parser.add_argument("checkpoint", type=Path)
    parser.add_argument("data", type=Path)
    parser.add_argument("--parent", type=int, required=True)
    parser.add_argument("--snapshot", action="store_true")
    args = parser.parse_args(argv)
    _die_with_parent(args.parent)
    os.nice(10)  # background work: the server's requests and the upload worker come first
    tempfile.tempdir = str(args.checkpoint)  # the sort spool too: removed with the checkpoint
    rdf = RdfStore.open(args.checkpoint)
    state = rdf.state()
    if derived_state(args.data) != state:  # current already (a start that only snapshots)
        rdf.write_derived(args.data)
    if args.snapshot:
        from plankg.graph import embedded_snapshot
        from plankg.graph.embedded import EmbeddedStore
        from plankg.graph.rdf_store import NT

        embedded_snapshot.save(EmbeddedStore.from_ntriples(args.data / NT), args.data, state)
    print(state[0], state[1], flush=True)
    return 0


class DerivedWriter:
    """Runs `write` in one background thread after `schedule()`, once per burst of calls."""

    def __init__(self, write: Callable[[], None]) -> None:
        self._write = write
        self._cond = threading.Condition()
        self._wanted = self._done = 0
        self._stopped = False
        self._thread: threading.Thread | None = None

    def schedule(self) -> None:
        with self._cond:
            self._wanted += 1
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="plankg-derived", daemon=True
                )
                self._thread.start()
            self._cond.notify_all()

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._done >= self._wanted and not self._stopped:
                    self._cond.wait()
                if self._stopped and self._done >= self._wanted:
                    return
                target = self._wanted
            try:
                self._write()
            except Exception:  # the store is still right; the next start rewrites them
                log.exception("rewriting the derived graph files failed")
            with self._cond:
                self._done = target
                self._cond.notify_all()

    def wait(self) -> None:
        with self._cond:
            while self._thread is not None and self._done < self._wanted:
                self._cond.wait()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join()
            self._thread = None


if __name__ == "__main__":
    sys.exit(child_main())
