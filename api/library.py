"""The embedded store's data folder as a library of plans the API can change.

An upload is read and extracted from a temporary file first; only a plan that yields a graph
is added. The new graph files are written atomically (temporary file, then rename), so a crash
mid-upload leaves the previous graph intact; the uploaded file is kept under `uploads/` so a
restart serves it again. The graph files are streamed, never held whole: a change costs one
pass over the corpus on disk, not its size in memory.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from plankg.api.app import Library
from plankg.graph.embedded import EmbeddedStore
from plankg.ingest.extract import extract_plan
from plankg.ingest.rdf import build_ntriples
from plankg.ingest.reading import PlanReadError, check_name
from plankg.ingest.serialize import NT, atomic_write, iter_file_lines, write_lines
from plankg.ingest.spool import merge_distinct
from plankg.ontology import iris
from plankg.ontology.namespaces import PK
from plankg.ontology.ntriples import parse_line

ALLOWED = {".txt", ".md", ".docx", ".pdf", ".html", ".htm"}


class PlanLines:
    """Which N-Triples lines belong to the plan `doc`: its own nodes, and edges into them."""

    def __init__(self, doc: str) -> None:
        self.plan = str(iris.plan_iri(doc))
        self.task_prefix = str(iris.ID) + "task/" + iris.segment(iris.doc_stem(doc)) + "-t"
        self._needles = (self.plan.encode("utf-8"), self.task_prefix.encode("utf-8"))

    def _owned(self, iri: str) -> bool:
        return iri == self.plan or iri.startswith((self.plan + "/", self.task_prefix))

    def classify(self, line: bytes) -> str:
        """Whether the plan's node is the line's subject ("own"), its object ("edge"), or
        neither ("other")."""
        if self._needles[0] not in line and self._needles[1] not in line:
            return "other"  # the cheap test before parsing the line
        s, _, o = parse_line(line.decode("utf-8")) or ("", "", "")
        if self._owned(s):
            return "own"
        return "edge" if isinstance(o, str) and self._owned(o) else "other"

    def present_in(self, lines: Iterable[bytes]) -> bool:
        return any(self.classify(line) == "own" for line in lines)

    def removed_from(self, lines: Iterable[bytes]) -> Iterator[bytes]:
        return (line for line in lines if self.classify(line) == "other")


def _current_lines(data: Path) -> Iterator[bytes]:
    """The written graph's lines, streamed (a 10,000-plan graph is 14 million lines)."""
    path = data / NT
    return iter_file_lines(path) if path.exists() else iter(())


def _summary(store: EmbeddedStore, changed: str, warnings: list[str]) -> dict:
    plans = store.plans()
    return {
        "plans": len(plans),
        "tasks": sum(p.task_count for p in plans),
        "triples": store.rdf.triples,
        "changed": changed,
        "warnings": warnings,
    }


def data_library(data_dir: str | Path) -> Library:
    data = Path(data_dir)
    uploads = data / "uploads"

    def add(name: str, content: bytes):
        suffix = Path(name).suffix.lower()
        if suffix not in ALLOWED:
            raise ValueError(f"{name}: unsupported file type; send one of {sorted(ALLOWED)}")
        try:
            check_name(name)  # before any path is named after it: an OSError would be a 500
        except PlanReadError as exc:
            raise ValueError(str(exc)) from exc
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / name
            path.write_bytes(content)
            try:
                plan = extract_plan(path)
            except PlanReadError as exc:
                raise ValueError(str(exc).replace(str(Path(tmp)) + "/", "")) from exc
        if not plan.tasks:
            raise ValueError(f"{name}: no responsibility clauses found; nothing was added")
        kept = PlanLines(plan.doc).removed_from(_current_lines(data))  # re-upload replaces it
        atomic_write(uploads / name, content)
        write_lines(merge_distinct(kept, build_ntriples([plan])), data)
        store = EmbeddedStore.open(data)
        return (
            store,
            store.rdf,
            _summary(store, f"added {plan.doc}", [str(w) for w in plan.warnings]),
        )

    def remove(doc: str):
        owned = PlanLines(doc)
        if not owned.present_in(_current_lines(data)):
            raise KeyError(doc)
        write_lines(owned.removed_from(_current_lines(data)), data)
        (uploads / doc).unlink(missing_ok=True)
        store = EmbeddedStore.open(data)
        return store, store.rdf, _summary(store, f"removed {doc}", [])

    def reload():
        store = EmbeddedStore.open(data)
        return store, store.rdf, _summary(store, "reloaded", [])

    return Library(add, remove, reload)


__all__ = ["PK", "data_library"]
