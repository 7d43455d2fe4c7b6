"""The embedded store's data folder as a library of plans the API can change.

An upload is read and extracted from a temporary file first; only a plan that yields a graph
is added. The RDF store (the truth) takes the plan in one transaction (`RdfStore.replace_plan`
/ `remove_plan`); the graph files are then rewritten from it atomically, so a crash leaves the
previous files, which record the store version they reflect and are rebuilt when stale. The
uploaded file is kept under `uploads/` so a restart serves it again.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from plankg.api.app import Library
from plankg.graph.embedded import EmbeddedStore
from plankg.graph.rdf_store import RdfStore, atomic_write
from plankg.ingest.extract import extract_plan
from plankg.ingest.rdf import plan_lines
from plankg.ingest.reading import PlanReadError
from plankg.ontology.namespaces import PK

ALLOWED = {".txt", ".md", ".docx", ".pdf", ".html", ".htm"}


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
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / name
            path.write_bytes(content)
            try:
                plan = extract_plan(path)
            except PlanReadError as exc:
                raise ValueError(str(exc).replace(str(Path(tmp)) + "/", "")) from exc
        if not plan.tasks:
            raise ValueError(f"{name}: no responsibility clauses found; nothing was added")
        atomic_write(uploads / name, content)
        rdf = RdfStore.open(data)
        rdf.replace_plan(plan.doc, plan_lines(plan))  # a re-upload replaces it
        rdf.write_derived(data)
        store = EmbeddedStore.open(data)
        return (
            store,
            store.rdf,
            _summary(store, f"added {plan.doc}", [str(w) for w in plan.warnings]),
        )

    def remove(doc: str):
        rdf = RdfStore.open(data)
        if not rdf.remove_plan(doc):
            raise KeyError(doc)
        rdf.write_derived(data)
        (uploads / doc).unlink(missing_ok=True)
        store = EmbeddedStore.open(data)
        return store, store.rdf, _summary(store, f"removed {doc}", [])

    def reload():
        store = EmbeddedStore.open(data)
        return store, store.rdf, _summary(store, "reloaded", [])

    return Library(add, remove, reload)


__all__ = ["PK", "data_library"]
