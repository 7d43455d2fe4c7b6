"""The embedded store's data folder as a library of plans the API can change.

An upload is read and extracted from a temporary file first; only a plan that yields a graph
is added. The new graph files are written atomically (temporary file, then rename), so a crash
mid-upload leaves the previous graph intact; the uploaded file is kept under `uploads/` so a
restart serves it again.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from rdflib import URIRef

from plankg.api.app import Library
from plankg.graph.embedded import EmbeddedStore
from plankg.ingest.extract import extract_plan
from plankg.ingest.rdf import add_plan
from plankg.ingest.reading import PlanReadError
from plankg.ingest.serialize import atomic_write, load_graph, write_graph
from plankg.ontology import iris
from plankg.ontology.namespaces import PK

ALLOWED = {".txt", ".md", ".docx", ".pdf", ".html", ".htm"}


def _plan_nodes(rdf, doc: str) -> set[URIRef]:
    plan = str(iris.plan_iri(doc))
    task_prefix = str(iris.ID) + "task/" + iris.segment(iris.doc_stem(doc)) + "-t"
    return {
        s
        for s in set(rdf.subjects())
        if str(s) == plan or str(s).startswith((plan + "/", task_prefix))
    }


def _remove(rdf, doc: str) -> bool:
    nodes = _plan_nodes(rdf, doc)
    for s, p, o in list(rdf):
        if s in nodes or o in nodes:
            rdf.remove((s, p, o))
    return bool(nodes)


def _summary(store: EmbeddedStore, rdf, changed: str, warnings: list[str]) -> dict:
    plans = store.plans()
    return {
        "plans": len(plans),
        "tasks": sum(p.task_count for p in plans),
        "triples": len(rdf),
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
        rdf = load_graph(data)
        _remove(rdf, plan.doc)  # re-uploading a plan replaces it
        add_plan(rdf, plan)
        atomic_write(uploads / name, content)
        write_graph(rdf, data)
        store = EmbeddedStore(rdf)
        return (
            store,
            rdf,
            _summary(store, rdf, f"added {plan.doc}", [str(w) for w in plan.warnings]),
        )

    def remove(doc: str):
        rdf = load_graph(data)
        if not _remove(rdf, doc):
            raise KeyError(doc)
        write_graph(rdf, data)
        (uploads / doc).unlink(missing_ok=True)
        store = EmbeddedStore(rdf)
        return store, rdf, _summary(store, rdf, f"removed {doc}", [])

    def reload():
        rdf = load_graph(data)
        store = EmbeddedStore(rdf)
        return store, rdf, _summary(store, rdf, "reloaded", [])

    return Library(add, remove, reload)


__all__ = ["PK", "data_library"]
