"""The RocksDB handle behind a read-write `RdfStore`, reopened after each write.

Why: every write flushes (the store is the truth), and each flush makes new SST files that
compaction soon merges and deletes; RocksDB's block caches (32 MB shared, and 128 MB that
Oxigraph gives its string table for point lookups) keep the blocks of the deleted files
until they are evicted by size, so a server taking uploads and deletions grew by ~0.3 MB a
cycle for the first thousand cycles (measured: 0.07 MB/cycle still rising after 1,200
cycles in process; 151 → 201 MB over the 50 cycles of `make soak` (b)). pyoxigraph exposes
no cache option; closing and opening the folder empties them, and `malloc_trim` hands the
freed pages back to the system (in process at 1,000 plans: 67 → 72 MB over 40 cycles, flat
after the first ten, against 67 → 122 MB and rising without it).

Readers take the handle through `reading()`; a reopen waits (bounded) until none holds it,
and readers arriving meanwhile wait for the new handle. Nothing lazy may leave a `reading()`
block: an unfinished iterator keeps the old database open and the reopen would find the
folder locked, and the reopen waits (up to 10 s) for it to end.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

# Reopened after every write, so the handle carries no cache from one write to the next (a
# reopen costs ~23 ms at the samples' and at 1,000 plans' size, next to ~95 ms for the write
# itself at 1,000 plans; the write is no slower for the cold caches; reopening every 8 writes
# left a ~14 MB sawtooth that reads like growth).
DRAIN_TIMEOUT_S = 2.0  # how long a reopen waits for readers before it tries after a later write


@functools.cache
def _malloc_trim_function():
    """glibc's `malloc_trim`, looked up once (None where the C library has none)."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None


def _malloc_trim() -> None:
    """Give freed heap pages back to the system (glibc only; a no-op elsewhere)."""
    trim = _malloc_trim_function()
    if trim is not None:
        trim(0)


class StoreHandle:
    """One `pyoxigraph.Store` on a folder, shared by threads, reopened by `wrote()`."""

    def __init__(self, store: ox.Store, path: Path | None):
        self._store = store
        self.path = path  # None: in memory or read-only, never reopened
        self.reopened = 0
        self._cond = threading.Condition()
        self._readers = 0
        self._swapping = False

    @property
    def raw(self) -> ox.Store:
        """The current handle, for code that owns the store outright (building, tests)."""
        return self._store

    @contextlib.contextmanager
    def reading(self) -> Iterator[ox.Store]:
        with self._cond:
            while self._swapping:
                self._cond.wait()
            self._readers += 1
            store = self._store
        try:
            yield store
        finally:
            with self._cond:
                self._readers -= 1
                if self._readers == 0:
                    self._cond.notify_all()

    def wrote(self) -> None:
        """After a write (outside `reading()`): reopen the folder, if there is one."""
        if self.path is not None:
            self.reopen()

    def reopen(self) -> bool:
        """Close and open the folder again; False (the old handle kept, tried again after a
        later write) when readers did not finish within DRAIN_TIMEOUT_S."""
        assert self.path is not None
        with self._cond:
            self._swapping = True
            try:
                if not self._cond.wait_for(lambda: self._readers == 0, DRAIN_TIMEOUT_S):
                    return False
                # the old database closes when its last reference goes; an iterator still
                # alive somewhere keeps it open (and its lock taken) until that iterator ends
                self._store = None
                self._store = _reattach(self.path)
                self.reopened += 1
                _malloc_trim()
                return True
            finally:
                self._swapping = False
                self._cond.notify_all()


def _reattach(path: Path) -> ox.Store:
    """The folder opened again; while an iterator of the old handle holds its lock (a
    reader's, which ends soon), retry for a few seconds before giving up loudly."""
    deadline = time.monotonic() + 10
    while True:
        try:
            return ox.Store(str(path))
        except OSError as exc:
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"the RDF store {path} could not be opened again after a write: something "
                    f"in this process still holds the old handle ({exc})"
                ) from exc
            time.sleep(0.05)
