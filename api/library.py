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
3. the staged file is renamed to `uploads/<doc>`; the in-memory indexes are updated for that
   plan alone; the three derived files are rewritten from the store in the background.
A crash between any two steps is repaired at the next start: a staged file whose bytes the
store holds is promoted, otherwise removed; derived files older than the store are rewritten.
"""

from __future__ import annotations

import contextlib
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
from plankg.ingest.serialize import atomic_write
from plankg.ontology import iris

log = logging.getLogger("plankg.library")

ALLOWED = {".txt", ".md", ".docx", ".pdf", ".html", ".htm"}
MAX_NAME_BYTES = 200  # a temp name `.<doc>.XXXXXXXX` and a `.meta.toml` sidecar must still fit 255
PENDING = ".pending"

Quiesce = Callable[[], AbstractContextManager[Any]]


__all__ = [
    "DataLibrary",
    "DuplicatePlan",
    "PlanConflict",
    "UploadRejected",
    "UploadTooLarge",
    "data_library",
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
    """Uploads and deletions on one data folder, one at a time, held under the folder's lock."""

    def __init__(
        self,
        data_dir: str | Path,
        *,
        rdf_store: Any,
        embedded: Any,
        quiesce: Quiesce | None = None,
        worker: UploadWorker | None = None,
        lock: DataLock | None = None,
        derived: Callable[[], None] | None = None,
    ) -> None:
        self.data = Path(data_dir)
        self.uploads = self.data / "uploads"
        self.rdf_store = rdf_store
        self.embedded = embedded
        self.quiesce: Quiesce = quiesce or contextlib.nullcontext
        self.worker = worker or UploadWorker()
        self.lock = lock
        self.catalog = Catalog(plan_hashes(rdf_store))
        self._write = threading.Lock()
        self._derived = DerivedWriter(derived or (lambda: rdf_store.write_derived(self.data)))

    # ---------------------------------------------------------------- the Library calls
    def add_plan(self, name: str, content: bytes) -> tuple[Any, Any, dict]:
        doc = checked_name(name)
        sha = hashlib.sha256(content).hexdigest()
        with self._write:
            same = self.catalog.doc_with_sha(sha)
            if same is not None:
                raise DuplicatePlan(
                    f"{doc}: the same content is already the plan {same}; nothing was added",
                    same,
                )
            clash = self.catalog.doc_with_iri(doc)
            if clash is not None and clash != doc:
                raise PlanConflict(
                    f"{doc}: the plan {clash} has the same name before its extension, and the "
                    f"two would share the IRI {iris.plan_iri(doc)}; delete {clash} first or "
                    "rename the file",
                    clash,
                )
            replacing = doc in self.catalog.sha_of
            plan = self.worker.extract(doc, content)
            staged = self.uploads / PENDING / doc
            atomic_write(staged, content)
            try:
                with self.quiesce():
                    self.rdf_store.replace_plan(doc, plan.ntriples)
            except BaseException:
                staged.unlink(missing_ok=True)
                raise
            os.replace(staged, self.uploads / doc)
            self.catalog.sha_of[doc] = sha
            self.embedded.apply_plan(doc, plan.ntriples)
            self._derived.schedule()
            verb = "replaced" if replacing else "added"
            return self._answer(f"{verb} {doc}", plan.warnings)

    def remove_plan(self, doc: str) -> tuple[Any, Any, dict]:
        with self._write:
            if doc not in self.catalog.sha_of:
                raise KeyError(doc)
            with self.quiesce():
                self.rdf_store.remove_plan(doc)
            del self.catalog.sha_of[doc]
            (self.uploads / doc).unlink(missing_ok=True)
            self.embedded.remove_plan(doc)
            self._derived.schedule()
            return self._answer(f"removed {doc}", [])

    def reload(self) -> tuple[Any, Any, dict]:
        with self._write:
            self.catalog = Catalog(plan_hashes(self.rdf_store))
            return self._answer("reloaded", [])

    def flush(self) -> None:
        """Wait until the derived files reflect the last write."""
        self._derived.wait()

    def close(self) -> None:
        """Finish the derived files, stop the worker, release the folder."""
        self._derived.wait()
        self._derived.stop()
        self.worker.close()
        if self.lock is not None:
            self.lock.release()

    def library(self) -> Library:
        return Library(self.add_plan, self.remove_plan, self.reload, close=self.close)

    def _answer(self, changed: str, warnings: list[str]) -> tuple[Any, Any, dict]:
        store = self.embedded
        plans = store.plans()
        summary = {
            "plans": len(plans),
            "tasks": sum(p.task_count for p in plans),
            "triples": self.rdf_store.triples,
            "changed": changed,
            "warnings": warnings,
        }
        return store, store.rdf, summary


def plan_hashes(rdf_store: Any) -> dict[str, str]:
    """doc → sha256 of every plan in the store (from each plan's pk:sha256)."""
    return dict(rdf_store.plan_hashes())


def data_library(
    data_dir: str | Path,
    *,
    rdf_store: Any = None,
    embedded: Any = None,
    quiesce: Quiesce | None = None,
) -> Library:
    """The Library of a data folder (see `open_library` for what is opened)."""
    return open_library(data_dir, rdf_store=rdf_store, embedded=embedded, quiesce=quiesce).library()


def open_library(
    data_dir: str | Path,
    *,
    rdf_store: Any = None,
    embedded: Any = None,
    quiesce: Quiesce | None = None,
) -> DataLibrary:
    """Lock the folder, repair it (`graph.recovery`), then open the store and the indexes
    (unless given). A second process on the folder gets `DataFolderLocked`."""
    from plankg.graph.recovery import recover

    data = Path(data_dir)
    lock = DataLock(data).acquire()
    try:
        if rdf_store is None:
            from plankg.graph.rdf_store import RdfStore

            rdf_store = RdfStore.open(data)
        recover(data, rdf_store)
        if embedded is None:
            from plankg.graph.embedded import EmbeddedStore

            embedded = EmbeddedStore.open(data)
        return DataLibrary(data, rdf_store=rdf_store, embedded=embedded, quiesce=quiesce, lock=lock)
    except BaseException:
        lock.release()
        raise
