"""The embedded store's data folder as a library of plans the API can change.

An upload is read and extracted from a temporary file first; only a plan that yields a graph
is added. The new graph files are written atomically (temporary file, then rename), so a crash
mid-upload leaves the previous graph intact; the uploaded file is kept under `uploads/` so a
restart serves it again.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from plankg.api.app import Library
from plankg.graph.embedded import EmbeddedStore
from plankg.ingest.extract import extract_plan
from plankg.ingest.rdf import build_ntriples
from plankg.ingest.reading import PlanReadError
from plankg.ingest.serialize import atomic_write, read_lines, write_lines
from plankg.ontology import iris
from plankg.ontology.namespaces import PK
from plankg.ontology.ntriples import parse_line

ALLOWED = {".txt", ".md", ".docx", ".pdf", ".html", ".htm"}


def _without_plan(lines: list[bytes], doc: str) -> tuple[list[bytes], bool]:
    """`lines` minus every triple about the plan `doc` (its own nodes, and edges into them);
    also whether the plan was there at all."""
    plan = str(iris.plan_iri(doc))
    task_prefix = str(iris.ID) + "task/" + iris.segment(iris.doc_stem(doc)) + "-t"
    needles = (plan.encode("utf-8"), task_prefix.encode("utf-8"))

    def owned(iri: str) -> bool:
        return iri == plan or iri.startswith((plan + "/", task_prefix))

    kept: list[bytes] = []
    found = False
    for line in lines:
        if needles[0] in line or needles[1] in line:  # cheap test before parsing the line
            s, _, o = parse_line(line.decode("utf-8")) or ("", "", "")
            if owned(s):
                found = True
                continue
            if isinstance(o, str) and owned(o):
                continue
        kept.append(line)
    return kept, found


def _current_lines(data: Path) -> list[bytes]:
    try:
        return read_lines(data)
    except FileNotFoundError:
        return []


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
        lines, _ = _without_plan(_current_lines(data), plan.doc)  # re-uploading replaces it
        atomic_write(uploads / name, content)
        write_lines(sorted({*lines, *build_ntriples([plan])}), data)
        store = EmbeddedStore.open(data)
        return (
            store,
            store.rdf,
            _summary(store, f"added {plan.doc}", [str(w) for w in plan.warnings]),
        )

    def remove(doc: str):
        lines, found = _without_plan(_current_lines(data), doc)
        if not found:
            raise KeyError(doc)
        write_lines(lines, data)
        (uploads / doc).unlink(missing_ok=True)
        store = EmbeddedStore.open(data)
        return store, store.rdf, _summary(store, f"removed {doc}", [])

    def reload():
        store = EmbeddedStore.open(data)
        return store, store.rdf, _summary(store, "reloaded", [])

    return Library(add, remove, reload)


__all__ = ["PK", "data_library"]
