"""The RDF database behind plankg: a persistent pyoxigraph (Oxigraph) store at `<data>/store/`.

The store is the truth; `plankg.nt`, `plankg.ttl`, `plankg.jsonld` and the embedded store's
index snapshot are derived from it and record the store version they reflect.

Layout. One named graph per plan, named by the plan IRI (`iris.plan_iri(doc)`). A triple about
a shared node (an agency's label, a jurisdiction's parent) sits in every plan graph that states
it, so removing a plan is exactly dropping its graph: shared facts survive while another plan
still states them. Queries see the union of all graphs as the default graph. One housekeeping
graph, `<urn:plankg:store>`, holds the store version: a single triple, so a union query sees
it too (`triples` does not count it).

Calls (the API's upload/delete path codes against these):

- `RdfStore.open(data_dir, read_only=False)`; `RdfStore.in_memory()` for tests;
  `path`, `triples` (distinct triples over the plan graphs), `plans()` (docs present);
- `replace_plan(doc, triples)` / `remove_plan(doc)`: one SPARQL Update each — drop the plan's
  graph, insert its triples, bump the version — which Oxigraph applies in one transaction
  (all or nothing), then `flush()`. `triples` are pyoxigraph `Triple`s or N-Triples lines
  (`ingest.rdf.plan_lines`);
- `version()`: changes with every write (written in the same transaction as the write);
- `describe(iri)`: that resource's triples; `serialize(triples, fmt)` with the project's
  prefixes; `query(sparql)` for in-process use;
- `write_derived(out_dir)`: the three files from the sorted distinct triples, atomically,
  plus `derived.json` with the store version and triple count (`derived_version(out_dir)`).

`bulk_load(plans)` builds a fresh store at ingest without transactions (Oxigraph's bulk loader).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from plankg.ontology import iris
from plankg.ontology.namespaces import DCTERMS, PREFIXES

STORE_DIR = "store"
NT, TTL, JSONLD, DERIVED = "plankg.nt", "plankg.ttl", "plankg.jsonld", "derived.json"
META = "urn:plankg:store"
_VERSION = "urn:plankg:version"
_XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "text/turtle": ox.RdfFormat.TURTLE,
    "json-ld": ox.RdfFormat.JSON_LD,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "nt": ox.RdfFormat.N_TRIPLES,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
}
PREFIX_MAP = {p: str(ns) for p, ns in sorted(PREFIXES.items())}

Triples = Iterable[ox.Triple | str]


class StoreMissing(FileNotFoundError):
    """No RDF store in the data folder (run `plankg ingest`)."""


def graph_name(doc: str) -> str:
    """The named graph of a plan: its plan IRI."""
    return str(iris.plan_iri(doc))


def as_line(t: ox.Triple | str) -> str:
    """A triple as one N-Triples line ending in ' .\\n' (N-Triples lines pass through)."""
    if isinstance(t, str):
        return t if t.endswith("\n") else t + "\n"
    return f"{t} .\n"


def _bump_version() -> str:
    return (
        f"DELETE {{ GRAPH <{META}> {{ <{META}> <{_VERSION}> ?v }} }} "
        f"INSERT {{ GRAPH <{META}> {{ <{META}> <{_VERSION}> ?n }} }} "
        f"WHERE {{ OPTIONAL {{ GRAPH <{META}> {{ <{META}> <{_VERSION}> ?v }} }} "
        "BIND(COALESCE(?v, 0) + 1 AS ?n) }"
    )


class RdfStore:
    """A pyoxigraph store holding one named graph per plan (see the module docstring)."""

    def __init__(self, store: ox.Store, path: Path | None, read_only: bool = False) -> None:
        self.store = store
        self.path = path
        self.read_only = read_only
        self._count: tuple[int, int] | None = None  # (version, distinct triples)

    @classmethod
    def open(cls, data_dir: str | Path, *, read_only: bool = False) -> RdfStore:
        path = Path(data_dir) / STORE_DIR
        if read_only or not path.exists():
            if not path.exists():
                if read_only:
                    raise StoreMissing(f"no RDF store in {data_dir}: run `plankg ingest` first")
                path.mkdir(parents=True)
            elif read_only:
                return cls(ox.Store.read_only(str(path)), path, read_only=True)
        return cls(ox.Store(str(path)), path)

    @classmethod
    def in_memory(cls) -> RdfStore:
        return cls(ox.Store(), None)

    # ------------------------------------------------------------------ reading
    def version(self) -> int:
        quads = self.store.quads_for_pattern(
            ox.NamedNode(META), ox.NamedNode(_VERSION), None, ox.NamedNode(META)
        )
        for q in quads:
            return int(q.object.value)
        return 0

    def plans(self) -> list[str]:
        """The docs of the plans in the store, sorted."""
        rows = self.store.query(
            f"SELECT DISTINCT ?doc WHERE {{ GRAPH ?g {{ ?g <{DCTERMS.source}> ?doc }} }}"
        )
        return sorted(str(row["doc"].value) for row in rows)

    def has_plan(self, doc: str) -> bool:
        return self.store.contains_named_graph(ox.NamedNode(graph_name(doc)))

    @property
    def triples(self) -> int:
        """Distinct triples over the plan graphs (counted once per store version)."""
        version = self.version()
        if self._count is None or self._count[0] != version:
            rows = self.store.query(
                "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE "
                f"{{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{META}>) }} }}"
            )
            self._count = (version, int(next(iter(rows))["n"].value))
        return self._count[1]

    def plan_triples(self, doc: str) -> list[ox.Triple]:
        """The triples of one plan's graph, sorted."""
        quads = self.store.quads_for_pattern(None, None, None, ox.NamedNode(graph_name(doc)))
        return sorted((q.triple for q in quads), key=str)

    def describe(self, iri: str) -> list[ox.Triple]:
        """The distinct triples whose subject is `iri`, sorted (empty if unknown)."""
        seen: dict[str, ox.Triple] = {}
        for q in self.store.quads_for_pattern(ox.NamedNode(iri), None, None, None):
            if q.graph_name != ox.NamedNode(META):
                seen.setdefault(str(q.triple), q.triple)
        return [seen[k] for k in sorted(seen)]

    def query(self, sparql: str, **options: Any) -> Any:
        """A SPARQL query over the union of the plan graphs (in process, no deadline: user
        queries run in the sandbox's worker processes)."""
        options.setdefault("use_default_graph_as_union", True)
        return self.store.query(sparql, **options)

    # ------------------------------------------------------------------ writing
    def replace_plan(self, doc: str, triples: Triples) -> None:
        """Replace a plan's graph by `triples`, atomically (one SPARQL Update), and flush."""
        g = graph_name(doc)
        body = "".join(as_line(t) for t in triples)
        self._update(f"DROP SILENT GRAPH <{g}> ;\nINSERT DATA {{ GRAPH <{g}> {{\n{body}}} }} ;")

    def remove_plan(self, doc: str) -> bool:
        """Drop a plan's graph atomically; False (and nothing written) if it is not there."""
        if not self.has_plan(doc):
            return False
        self._update(f"DROP SILENT GRAPH <{graph_name(doc)}> ;")
        return True

    def _update(self, operations: str) -> None:
        self.store.update(f"{operations}\n{_bump_version()}")
        self.store.flush()

    def bulk_load(self, plans: Iterable[tuple[str, Iterable[str]]]) -> int:
        """Load (doc, N-Triples lines) pairs into an empty store with the bulk loader; returns
        the number of quads loaded. Not transactional: only for a store being built."""
        count = [0]

        def quads() -> Iterator[ox.Quad]:
            for doc, lines in plans:
                tail = f" <{graph_name(doc)}> .\n"
                text = "".join(line[:-3] + tail for line in lines)
                for quad in ox.parse(text, format=ox.RdfFormat.N_QUADS):
                    count[0] += 1
                    yield quad
            yield ox.Quad(
                ox.NamedNode(META),
                ox.NamedNode(_VERSION),
                ox.Literal("1", datatype=ox.NamedNode(_XSD_INTEGER)),
                ox.NamedNode(META),
            )

        self.store.bulk_extend(quads())
        self.store.flush()
        return count[0]

    # ------------------------------------------------------------------ files
    def sorted_lines(self) -> Iterator[bytes]:
        """Every distinct triple of the plan graphs as sorted N-Triples lines (bytes)."""
        from plankg.graph.spool import LineSpool

        meta = ox.NamedNode(META)
        with LineSpool() as spool:
            for q in self.store.quads_for_pattern(None, None, None, None):
                if q.graph_name != meta:
                    spool.add_line(f"{q.triple} .\n".encode())
            yield from spool

    def write_derived(self, out_dir: str | Path, lines: Iterable[bytes] | None = None) -> dict:
        """Write plankg.nt (sorted distinct lines), plankg.ttl and plankg.jsonld (pyoxigraph's
        serialisers fed the sorted triples: their output follows input order, so the bytes
        are the same on every run), each via a temporary file and a rename, then
        `derived.json` with the store version they reflect. `lines` (sorted distinct N-Triples
        lines of this store's state) saves reading the store back when the caller has them."""
        out = Path(out_dir)
        version = self.version()
        paths = {"nt": out / NT, "ttl": out / TTL, "jsonld": out / JSONLD}
        count = [0]

        def counted(source: Iterable[bytes]) -> Iterator[bytes]:
            for line in source:
                count[0] += 1
                yield line

        atomic_write(paths["nt"], counted(self.sorted_lines() if lines is None else lines))
        for key, fmt in (("ttl", ox.RdfFormat.TURTLE), ("jsonld", ox.RdfFormat.JSON_LD)):
            with atomic_file(paths[key]) as fh:
                ox.serialize(
                    ox.parse(path=paths["nt"], format=ox.RdfFormat.N_TRIPLES),
                    output=fh,
                    format=fmt,
                    prefixes=PREFIX_MAP,
                )
        record = {"version": version, "triples": count[0]}
        atomic_write(out / DERIVED, (json.dumps(record, sort_keys=True) + "\n").encode())
        return {**paths, "record": record}


def derived_version(out_dir: str | Path) -> int | None:
    """The store version the derived files in `out_dir` reflect (None: none written)."""
    try:
        return int(json.loads((Path(out_dir) / DERIVED).read_text("utf-8"))["version"])
    except (FileNotFoundError, KeyError, ValueError):
        return None


def serialize(triples: Iterable[ox.Triple], fmt: str) -> bytes:
    """Triples as Turtle, JSON-LD or N-Triples (`fmt`: a name or media type), with the
    project's prefixes."""
    try:
        format_ = FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown RDF format {fmt!r}; one of {sorted(FORMATS)}") from None
    return ox.serialize(list(triples), format=format_, prefixes=PREFIX_MAP)


class atomic_file:
    """A binary file written under a temporary name in the same folder and renamed into place
    on success (fsynced); on failure the temporary file is removed and `path` is untouched."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        self.fh = os.fdopen(fd, "wb")
        return self.fh

    def __exit__(self, kind, exc, tb) -> None:
        try:
            if kind is None:
                self.fh.flush()
                os.fsync(self.fh.fileno())
            self.fh.close()
            if kind is None:
                os.chmod(self.tmp, 0o644)  # mkstemp makes files private; these are shared
                os.replace(self.tmp, self.path)
        finally:
            if os.path.exists(self.tmp):
                os.unlink(self.tmp)


def atomic_write(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write bytes (or chunks streamed one by one) to `path` atomically."""
    with atomic_file(path) as fh:
        if isinstance(data, bytes):
            fh.write(data)
        else:
            fh.writelines(data)


def swap_in(new_store: Path, data_dir: Path) -> Path:
    """Move a freshly built store folder into `<data_dir>/store`, replacing the old one."""
    target = data_dir / STORE_DIR
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=".store-old-", dir=data_dir))
        os.replace(target, old / STORE_DIR)
    os.replace(new_store, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return target
