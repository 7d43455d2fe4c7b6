"""The data folder as a library of plans the API can change: exact identity, safe writes.

Identity: a plan is its full file name (`doc`). Its IRI is built from the stem (kept so
existing data keeps its IRIs), so `X.md` beside `X.txt` would share one IRI: that upload is
refused (409, naming `X.txt`) instead of silently replacing it. The same bytes under any
name or format are a duplicate (409, naming the plan that has them). The same name with new
bytes replaces that plan (the answer says "replaced"). Deleting removes the plan's own named
graph in the RDF store, so nothing another plan owns is touched, whatever the names share.

Writes (the store is the one truth; see `graph/recovery.py` for the start-up repair):
1. the upload's bytes are staged at `uploads/.pending/<doc>` (fsynced);
2. the plan's triples replace its graph in ONE store transaction (inside `quiesce()`, so
   read-only store handles elsewhere are paused);
   the same transaction stamps in the store's META graph the version of the plan's write;
3. the staged file is renamed to `uploads/<doc>`; the in-memory indexes are updated for that
   plan alone; the three derived files are rewritten from a checkpoint of the store in a child
   process (`graph/derived_writer.py`), never in the serving one.
A crash between any two steps is repaired at the next start: a staged file whose bytes the
store holds is promoted, otherwise removed; derived files older than the store are rewritten;
the index snapshot is brought up to the store by replaying the plans written since it.

The index snapshot is not saved after each write (the pickle held the interpreter lock for
0.5 s at 1,000 plans): at a clean shutdown, and by the derived-files child once
`snapshot_every` writes have accumulated since the last one (bounding the replay at start).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import os
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

from plankg.api.app import Library
from plankg.api.plan_errors import DuplicatePlan, PlanConflict, UploadRejected, UploadTooLarge
from plankg.api.upload_worker import UploadWorker
from plankg.graph.data_lock import DataLock
from plankg.graph.derived_writer import DerivedWriter, write_in_child
from plankg.graph.guarded import Guarded
from plankg.graph.rdf_store import RdfStore, atomic_write
from plankg.graph.recovery import plan_hashes, recover
from plankg.ontology import iris

log = logging.getLogger("plankg.library")

ALLOWED = {".txt", ".md", ".docx", ".pdf", ".html", ".htm"}
MAX_NAME_BYTES = 200  # a temp name `.<doc>.XXXXXXXX` and a `.meta.toml` sidecar must still fit 255
PENDING = ".pending"
SNAPSHOT_EVERY = 25  # writes since the snapshot before a child saves a new one (~0.2 s each)

Quiesce = Callable[[], AbstractContextManager[Any]]


__all__ = [
    "DataLibrary",
    "DuplicatePlan",
    "PlanConflict",
    "UploadRejected",
    "UploadTooLarge",
    "data_library",
    "open_library",
]


def checked_name(name: str) -> str:
    """The upload's file name as a plan id, or UploadRejected saying what is wrong with it."""
    base = PurePath(name.replace("\\", "/")).name
    if not base or base != name or base.startswith("."):
        raise UploadRejected(f"{name!r}: give a plain file name (no folders, not hidden)")
    if any(ord(c) < 0x20 or c == "\x7f" for c in base):
        raise UploadRejected(f"{name!r}: the file name has control characters")
    if len(base.encode("utf-8")) > MAX_NAME_BYTES:
        raise UploadRejected(
            f"{base[:40]}…: the file name is {len(base.encode('utf-8'))} bytes; "
            f"at most {MAX_NAME_BYTES} bytes (UTF-8) are accepted"
        )
    suffix = PurePath(base).suffix.lower()
    if suffix not in ALLOWED:
        raise UploadRejected(f"{base}: unsupported file type; send one of {sorted(ALLOWED)}")
    return base


@dataclass
class Catalog:
    """Which plans the store holds: by doc, by content hash, by IRI (the stem)."""

    sha_of: dict[str, str] = field(default_factory=dict)  # doc → sha256 ("" if unknown)

    def doc_with_sha(self, sha: str) -> str | None:
        return next((d for d, s in self.sha_of.items() if s == sha), None)

    def doc_with_iri(self, doc: str) -> str | None:
        iri = iris.plan_iri(doc)
        return next((d for d in self.sha_of if iris.plan_iri(d) == iri), None)


class DataLibrary:
    """Uploads and deletions on one data folder, one at a time, under the folder's lock.

    `embedded` is the `Guarded` embedded store the app answers from; `quiesce()` wraps each
    store transaction (the SPARQL sandbox pauses its read-only handles in it).
    """

    def __init__(
        self,
        data_dir: str | Path,
        *,
        rdf_store: RdfStore,
        embedded: Any,
        quiesce: Quiesce | None = None,
        worker: UploadWorker | None = None,
        lock: DataLock | None = None,
        snapshot_every: int = SNAPSHOT_EVERY,
    ) -> None:
        self.data = Path(data_dir)
        self.uploads = self.data / "uploads"
        self.rdf_store = rdf_store
        self.embedded = embedded if isinstance(embedded, Guarded) else Guarded(embedded)
        self.quiesce: Quiesce = quiesce or contextlib.nullcontext
        self.worker = worker or UploadWorker()
        self.lock = lock
        self._catalog: Catalog | None = None  # read from the store on first use (`catalog`)
        self._write = threading.Lock()  # one change at a time
        # held for each store transaction and for the derived files' checkpoint: a checkpoint
        # taken while a write flushed failed ("File smaller than expected for copy: ….log")
        self._store_write = threading.Lock()
        self.snapshot_every = snapshot_every
        self.snapshot_version = getattr(self.embedded.wrapped, "snapshot_version", None)
        self._derived = DerivedWriter(self._write_derived)

    @property
    def catalog(self) -> Catalog:
        """The plans' docs and hashes, read from the store by the first write that needs them,
        not at start (the query takes 0.1–0.4 s at 10,000 plans, before the first answer)."""
        if self._catalog is None:
            self._catalog = Catalog(plan_hashes(self.rdf_store))
        return self._catalog

    # ---------------------------------------------------------------- the Library calls
    def add_plan(self, name: str, content: bytes) -> tuple[Any, Any, dict]:
        doc = checked_name(name)
        sha = hashlib.sha256(content).hexdigest()
        with self._write:
            self._refuse_clashes(doc, sha)
            replacing = doc in self.catalog.sha_of
            plan = self.worker.extract(doc, content)
            lines = plan.ntriples.decode("utf-8").splitlines(keepends=True)
            staged = self.uploads / PENDING / doc
            atomic_write(staged, content)
            try:
                self._transaction(lambda: self.rdf_store.replace_plan(doc, lines))
            except BaseException:
                staged.unlink(missing_ok=True)
                raise
            os.replace(staged, self.uploads / doc)
            self.catalog.sha_of[doc] = sha
            self._update_indexes(doc, lines)
            self._derived.schedule()
            verb = "replaced" if replacing else "added"
            return self._answer(f"{verb} {doc}", plan.warnings)

    def remove_plan(self, doc: str) -> tuple[Any, Any, dict]:
        with self._write:
            if doc not in self.catalog.sha_of:
                raise KeyError(doc)
            self._transaction(lambda: self.rdf_store.remove_plan(doc))
            del self.catalog.sha_of[doc]
            (self.uploads / doc).unlink(missing_ok=True)
            self._update_indexes(doc, None)
            self._derived.schedule()
            return self._answer(f"removed {doc}", [])

    def reload(self) -> tuple[Any, Any, dict]:
        """Re-read the catalog and rebuild the indexes from the store (after outside changes)."""
        with self._write:
            self._catalog = Catalog(plan_hashes(self.rdf_store))
            self._rebuild_indexes()
            return self._answer("reloaded", [])

    def flush(self) -> None:
        """Wait until the derived files reflect the last write."""
        self._derived.wait()

    @property
    def writes_since_snapshot(self) -> int | None:
        """Store writes the index snapshot on disk lacks (each write bumps the version by
        one); None when there is no snapshot of this store."""
        if self.snapshot_version is None:
            return None
        return self.rdf_store.version() - self.snapshot_version

    def close(self) -> None:
        """Finish the derived files, save the index snapshot if it lags, stop the worker,
        release the folder."""
        self._derived.stop()
        with self._write:
            if self.writes_since_snapshot != 0:
                try:  # at shutdown a pickle holding the interpreter lock stalls no one
                    self.embedded.wrapped.save_snapshot(self.data)
                    self.snapshot_version = self.embedded.wrapped.snapshot_version
                except Exception:  # the next start replays or rebuilds instead
                    log.exception("saving the index snapshot at shutdown failed")
        self.worker.close()
        _OPEN.pop(self.data.resolve(), None)
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def library(self) -> Library:
        return Library(self.add_plan, self.remove_plan, self.reload, close=self.close)

    # ---------------------------------------------------------------- the steps
    def _refuse_clashes(self, doc: str, sha: str) -> None:
        same = self.catalog.doc_with_sha(sha)
        if same is not None:
            raise DuplicatePlan(
                f"{doc}: the same content is already the plan {same}; nothing was added", same
            )
        clash = self.catalog.doc_with_iri(doc)
        if clash is not None and clash != doc:
            raise PlanConflict(
                f"{doc}: the plan {clash} has the same name before its extension, and the two "
                f"would share the IRI {iris.plan_iri(doc)}; delete {clash} first or rename "
                "the file",
                clash,
            )

    def _transaction(self, write: Callable[[], Any]) -> None:
        """One store write inside `quiesce()`. If resuming the readers fails after the write
        committed (the store's version moved), the write stands and the rest of the change
        (catalog, indexes, files) must follow it: the error is logged, not raised (raising
        left the indexes and catalog behind the store until a restart)."""
        before = self.rdf_store.version()
        try:
            with self.quiesce(), self._store_write:
                write()
        except Exception:
            if self.rdf_store.version() == before:
                raise  # nothing was written: the request fails as a whole
            log.exception("the store write committed; resuming the paused readers failed")

    def _update_indexes(self, doc: str, lines: list[str] | None) -> None:
        """One plan's part of the indexes, after its store transaction. If that fails the
        store is still right: the indexes are rebuilt from it instead."""
        try:
            with self.embedded.write() as store:
                if lines is None:
                    store.remove_plan(doc)
                else:
                    store.apply_plan(doc, lines)
        except Exception:
            log.exception("updating the indexes for %s failed; rebuilding them from the store", doc)
            self._rebuild_indexes()

    def _rebuild_indexes(self) -> None:
        """A full rebuild from the store (rare: a failed incremental update, a reload)."""
        from plankg.graph.embedded import EmbeddedStore

        self._derived.wait()  # no child renaming older files over the ones written here
        self.rdf_store.write_derived(self.data)
        fresh = EmbeddedStore.open(self.data, snapshot=False)
        with self.embedded.write():
            object.__setattr__(self.embedded, "_store", fresh)
        self.snapshot_version = None  # the snapshot on disk may be of a wrong index
        gc.collect()  # the old indexes are cyclic garbage (networkx views): free them now

    def _write_derived(self) -> None:
        """The three files from a checkpoint of the store in a child process; with them the
        index snapshot once it lags `snapshot_every` writes (or there is none)."""
        lag = self.writes_since_snapshot
        snapshot = lag is None or lag >= self.snapshot_every
        _, version = write_in_child(
            self.rdf_store, self.data, snapshot=snapshot, checkpoint_lock=self._store_write
        )
        if snapshot:
            self.snapshot_version = version

    def _answer(self, changed: str, warnings: list[str]) -> tuple[Any, Any, dict]:
        plans = self.embedded.plans()
        summary = {
            "plans": len(plans),
            "tasks": sum(p.task_count for p in plans),
            "triples": self.rdf_store.triples,
            "changed": changed,
            "warnings": warnings,
        }
        return self.embedded, self.rdf_store, summary


_OPEN: dict[Path, DataLibrary] = {}
_OPENING = threading.Lock()


def close_all() -> None:
    """Close every library this process opened (tests; a server closes its own)."""
    for lib in list(_OPEN.values()):
        lib.close()


def data_library(data_dir: str | Path, *, quiesce: Quiesce | None = None) -> Library:
    """The Library of a data folder (see `open_library`)."""
    return open_library(data_dir, quiesce=quiesce).library()


def open_library(data_dir: str | Path, *, quiesce: Quiesce | None = None) -> DataLibrary:
    """Lock the folder (`DataFolderLocked` if another process has it), repair it after a
    crash (`graph.recovery`), open the RDF store and the indexes. One per folder per process:
    a second call returns the same library (Oxigraph opens a folder once per process too)."""
    from plankg.graph.embedded import EmbeddedStore

    data = Path(data_dir)
    with _OPENING:
        found = _OPEN.get(data.resolve())
        if found is not None:
            return found
        lock = DataLock(data).acquire()
        try:
            rdf_store = RdfStore.open(data)
            recover(data, rdf_store)
            embedded = EmbeddedStore.open(data)
            lib = DataLibrary(
                data, rdf_store=rdf_store, embedded=embedded, quiesce=quiesce, lock=lock
            )
        except BaseException:
            lock.release()
            raise
        lib.worker.warm()  # started meanwhile, before the first upload needs it
        lag = lib.writes_since_snapshot
        if lag is None or lag >= lib.snapshot_every:  # a long replay at start: not twice
            lib._derived.schedule()
        _OPEN[data.resolve()] = lib
        return lib
