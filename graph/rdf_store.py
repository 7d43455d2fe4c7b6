"""The RDF database behind plankg: a persistent pyoxigraph (Oxigraph) store at `<data>/store/`.

The store is the truth; `plankg.nt`, `plankg.ttl`, `plankg.jsonld` and the embedded store's
index snapshot are derived from it and record the store version they reflect.

Layout. One named graph per plan, named by the plan IRI (`iris.plan_iri(doc)`). A triple about
a shared node (an agency's label, a jurisdiction's parent) sits in every plan graph that states
it, so removing a plan is exactly dropping its graph: shared facts survive while another plan
still states them. The default graph holds the union of the plan graphs, each triple once, and
queries run on it: Oxigraph's own union-of-graphs mode answers a triple once per graph that
holds it (an agency named by four plans came back four times). Every write keeps the default
graph equal to that union, in the same transaction. One housekeeping graph,
`<urn:plankg:store>` (`META`), holds the store's id and version and, per plan graph, when the
plan was first added and last written (`<plan> urn:plankg:added / urn:plankg:updated`, UTC
xsd:dateTime) and, for each plan written through `replace_plan` / `remove_plan`, the
version of its last write (a tombstone when that write removed it): a start-up replays only
the plans written since its index snapshot. Queries over the default graph and the derived
files do not see it, and a user query's `GRAPH` is given `plan_graphs(store)` only
(graph/query_worker.py), so a plan's triples, every RDF file and every SPARQL answer stay
the same whenever the plan was loaded.

Calls (the API's upload/delete path codes against these):

- `RdfStore.open(data_dir, read_only=False)`; `RdfStore.in_memory()` for tests;
  `path`, `triples` (distinct triples over the plan graphs), `plans()` (docs present);
- `replace_plan(doc, triples)` / `remove_plan(doc)`: one SPARQL Update each — drop the plan's
  graph, insert its triples, bump the version — which Oxigraph applies in one transaction
  (all or nothing), then `flush()`, then the RocksDB handle is reopened (its caches kept
  growing otherwise: graph/store_handle.py). `triples` are pyoxigraph `Triple`s or
  N-Triples lines (`ingest.rdf.plan_lines`);
- `added_dates()` / `updated_dates()`: doc → UTC ISO 8601 timestamp (`2026-12-03T17:40:05Z`),
  stamped in the same update as the write: `replace_plan` sets `added` for a new plan and keeps
  a replaced plan's first `added` (its `updated` moves on), `remove_plan` drops both, and the
  bulk loader stamps every plan it loaded with the end of the load;
- `version()`: changes with every write (written in the same transaction as the write);
  `written_since(version)`: the plans written after `version`, in order of their last
  write, with a flag for the removed ones (from META, stamped in the write's transaction);
  `state()` is (store id, version): a rebuilt store gets a new id, so files derived from
  an older store are never taken for current;
- every read takes the handle through `handle.reading()` and returns lists, never a lazy
  iterator (one left open would hold the old handle, and its folder lock, at a reopen);
  `store` is the raw pyoxigraph store for code that owns it outright (bulk loading, tests);
- `describe(iri)`: that resource's triples; `serialize(triples, fmt)` with the project's
  prefixes; `query(sparql)` for in-process use (over the default graph; a worker process
  opening the folder with `pyoxigraph.Store.read_only` queries the same default graph);
- `write_derived(out_dir)`: the three files from the sorted distinct triples, atomically,
  then `derived.json` with the store state and triple count (`derived_state(out_dir)`).

`BulkLoader` / `bulk_load(plans)` build a fresh store without transactions (Oxigraph's bulk
loader, in batches, optionally from a background thread), for `plankg ingest`; `Serialiser`
writes the Turtle and JSON-LD of a sorted plankg.nt in child processes, for `write_derived`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import uuid
import weakref
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from plankg.graph.store_handle import StoreHandle
from plankg.ontology import iris
from plankg.ontology.namespaces import DCTERMS, PREFIXES

STORE_DIR = "store"
NT, TTL, JSONLD, DERIVED = "plankg.nt", "plankg.ttl", "plankg.jsonld", "derived.json"
META = "urn:plankg:store"
_VERSION, _ID = "urn:plankg:version", "urn:plankg:id"
# per plan graph in META: the version of its last write, its doc, and a tombstone if removed
_WRITTEN, _DOC, _REMOVED = "urn:plankg:written", "urn:plankg:doc", "urn:plankg:removed"
_XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
_ADDED, _UPDATED = "urn:plankg:added", "urn:plankg:updated"
_XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"
FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "text/turtle": ox.RdfFormat.TURTLE,
    "json-ld": ox.RdfFormat.JSON_LD,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "nt": ox.RdfFormat.N_TRIPLES,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
}
PREFIX_MAP = {p: str(ns) for p, ns in sorted(PREFIXES.items())}
SERIALISED = {"ttl": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD}
BATCH_BYTES = 64 * 1024 * 1024  # N-Quads per bulk-load batch (≈ 180 synthetic plans)

Triples = Iterable[ox.Triple | str]
_OPEN: weakref.WeakValueDictionary[Path, RdfStore] = weakref.WeakValueDictionary()


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


def _only_in(g: str) -> str:
    """The pattern of the triples only graph `g` states (what `g` alone puts in the default
    graph): the one `_unshare` deletes and `RdfStore._sole` counts."""
    return (
        f"GRAPH <{g}> {{ ?s ?p ?o }} "
        f"FILTER NOT EXISTS {{ GRAPH ?h {{ ?s ?p ?o }} FILTER(?h != <{g}>) }}"
    )


def _unshare(g: str) -> str:
    """The update that takes out of the default graph the triples only graph `g` states."""
    return f"DELETE {{ ?s ?p ?o }} WHERE {{ {_only_in(g)} }}"


def _bump_version() -> str:
    return (
        f"DELETE {{ GRAPH <{META}> {{ <{META}> <{_VERSION}> ?v }} }} "
        f"INSERT {{ GRAPH <{META}> {{ <{META}> <{_VERSION}> ?n }} }} "
        f"WHERE {{ OPTIONAL {{ GRAPH <{META}> {{ <{META}> <{_VERSION}> ?v }} }} "
        "BIND(COALESCE(?v, 0) + 1 AS ?n) }"
    )


def utc_now() -> str:
    """Now in UTC, ISO 8601 to the second: the timestamp a write records (tests patch it)."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _stamp(g: str) -> str:
    """The update recording in META that plan graph `g` was written now: `added` only if it
    has none (a replaced plan keeps its first date), `updated` always."""
    at = f'"{utc_now()}"^^<{_XSD_DATETIME}>'
    return (
        f"DELETE WHERE {{ GRAPH <{META}> {{ <{g}> <{_UPDATED}> ?u }} }} ;\n"
        f"INSERT {{ GRAPH <{META}> {{ <{g}> <{_ADDED}> {at} }} }} "
        f"WHERE {{ FILTER NOT EXISTS {{ GRAPH <{META}> {{ <{g}> <{_ADDED}> ?a }} }} }} ;\n"
        f"INSERT DATA {{ GRAPH <{META}> {{ <{g}> <{_UPDATED}> {at} }} }} ;"
    )


def _unstamp(g: str) -> str:
    """The update dropping plan graph `g`'s dates from META."""
    return "".join(
        f"DELETE WHERE {{ GRAPH <{META}> {{ <{g}> <{p}> ?t }} }} ;\n" for p in (_ADDED, _UPDATED)
    )


def _stamp_loaded() -> str:
    """The update giving every plan graph of a freshly bulk-loaded store its dates (now)."""
    at = f'"{utc_now()}"^^<{_XSD_DATETIME}>'
    return (
        f"INSERT {{ GRAPH <{META}> {{ ?g <{_ADDED}> {at} . ?g <{_UPDATED}> {at} }} }} "
        f"WHERE {{ GRAPH ?g {{ ?g <{DCTERMS.source}> ?doc }} }}"
    )


def plan_graphs(store: ox.Store) -> list[ox.NamedNode | ox.BlankNode]:
    """Every named graph but META: what a user query's `GRAPH` may see (the housekeeping
    graph, with the store id, version and plan dates, stays out of every answer)."""
    return [g for g in store.named_graphs() if g != ox.NamedNode(META)]


def _stamp_plan(doc: str, *, removed: bool) -> str:
    """The update (after the version bump, in the same SPARQL Update) recording in META that
    plan `doc` was written at the new version, with a tombstone when the write removed it."""
    g, doc_literal = graph_name(doc), str(ox.Literal(doc))
    facts = f"<{g}> <{_WRITTEN}> ?v ; <{_DOC}> {doc_literal}"
    facts += f" ; <{_REMOVED}> true" if removed else ""
    return (
        f"DELETE {{ GRAPH <{META}> {{ <{g}> ?p ?x }} }} WHERE {{ GRAPH <{META}> {{ <{g}> ?p ?x "
        f"FILTER(?p IN (<{_WRITTEN}>, <{_DOC}>, <{_REMOVED}>)) }} }} ;\n"
        f"INSERT {{ GRAPH <{META}> {{ {facts} }} }} "
        f"WHERE {{ GRAPH <{META}> {{ <{META}> <{_VERSION}> ?v }} }}"
    )


class RdfStore:
    """A pyoxigraph store holding one named graph per plan (see the module docstring)."""

    def __init__(self, store: ox.Store, path: Path | None, read_only: bool = False) -> None:
        # a read-write store on disk is reopened after each write (graph/store_handle.py)
        self.handle = StoreHandle(store, None if read_only else path)
        self.path = path
        self.read_only = read_only
        self._count: tuple[int, int] | None = None  # (version, distinct triples)

    @classmethod
    def open(cls, data_dir: str | Path, *, read_only: bool = False) -> RdfStore:
        """The store of a data folder. A read-write store is opened once per process (Oxigraph
        locks its folder): a second `open` of the same folder returns the same object."""
        path = (Path(data_dir) / STORE_DIR).resolve()
        if read_only:
            if not path.exists():
                raise StoreMissing(f"no RDF store in {data_dir}: run `plankg ingest` first")
            return cls(ox.Store.read_only(str(path)), path, read_only=True)
        found = _OPEN.get(path)
        if found is None:
            path.mkdir(parents=True, exist_ok=True)
            found = _OPEN[path] = cls(ox.Store(str(path)), path)
        return found

    @classmethod
    def in_memory(cls) -> RdfStore:
        return cls(ox.Store(), None)

    @property
    def store(self) -> ox.Store:
        """The pyoxigraph store itself, for code that owns this store outright (the bulk
        loader, tests); threads sharing it read through `self.handle.reading()`."""
        return self.handle.raw

    def _select(self, sparql: str) -> list[ox.QuerySolution]:
        with self.handle.reading() as store:
            return list(store.query(sparql))

    def _quads(self, *pattern: Any) -> list[ox.Quad]:
        with self.handle.reading() as store:
            return list(store.quads_for_pattern(*pattern))

    # ------------------------------------------------------------------ reading
    def _meta(self, key: str) -> str | None:
        meta = ox.NamedNode(META)
        for q in self._quads(meta, ox.NamedNode(key), None, meta):
            return str(q.object.value)
        return None

    def version(self) -> int:
        return int(self._meta(_VERSION) or 0)

    def state(self) -> tuple[str, int]:
        """(store id, version): what derived files record to know they are current."""
        return self._meta(_ID) or "", self.version()

    def written_since(self, version: int) -> list[tuple[int, str, bool]]:
        """(version, doc, removed) of each plan whose last write came after `version`, oldest
        first (META's stamps; plans bulk-loaded by `plankg ingest` have none)."""
        rows = self._select(
            f"SELECT ?v ?doc ?gone WHERE {{ GRAPH <{META}> {{ ?g <{_WRITTEN}> ?v ; <{_DOC}> ?doc "
            f"OPTIONAL {{ ?g <{_REMOVED}> ?gone }} FILTER(?v > {int(version)}) }} }}"
        )
        found = [(int(r["v"].value), str(r["doc"].value), r["gone"] is not None) for r in rows]
        return sorted(found)

    def plans(self) -> list[str]:
        """The docs of the plans in the store, sorted."""
        rows = self._select(
            f"SELECT DISTINCT ?doc WHERE {{ GRAPH ?g {{ ?g <{DCTERMS.source}> ?doc }} }}"
        )
        return sorted(str(row["doc"].value) for row in rows)

    def added_dates(self) -> dict[str, str]:
        """doc → when the plan was first added (UTC, ISO 8601); plans stored before dates were
        recorded have none."""
        return self._dates(_ADDED)

    def updated_dates(self) -> dict[str, str]:
        """doc → when the plan's graph was last written (UTC, ISO 8601)."""
        return self._dates(_UPDATED)

    def _dates(self, predicate: str) -> dict[str, str]:
        rows = self._select(
            f"SELECT ?doc ?t WHERE {{ GRAPH <{META}> {{ ?g <{predicate}> ?t }} "
            f"GRAPH ?g {{ ?g <{DCTERMS.source}> ?doc }} }}"
        )
        return dict(sorted((str(row["doc"].value), str(row["t"].value)) for row in rows))

    def has_plan(self, doc: str) -> bool:
        with self.handle.reading() as store:
            return store.contains_named_graph(ox.NamedNode(graph_name(doc)))

    @property
    def triples(self) -> int:
        """Distinct triples over the plan graphs: the default graph's size. Counted once (a
        full scan: 4.6 s at 10,000 plans), or taken from `derived.json` when it records this
        state, then carried through each write by the plan-sized change (`_counted_write`)."""
        known = self._known_count()
        if known is None:
            version = self.version()
            rows = self._select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
            known = self._count = (version, int(rows[0]["n"].value))
        return known[1]

    def _known_count(self) -> tuple[int, int] | None:
        """(version, triples) for the store's current version without scanning it: the
        count kept since the last write, or the one `derived.json` records for this state."""
        version = self.version()
        if self._count is not None and self._count[0] == version:
            return self._count
        if self.path is not None:
            record = _derived_record(self.path.parent)
            if record is not None and record[2] is not None and record[:2] == self.state():
                self._count = (version, record[2])
                return self._count
        return None

    def _sole(self, g: str) -> int:
        """How many triples of plan graph `g` no other graph states: what `g` alone puts
        in the default graph."""
        rows = self._select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {_only_in(g)} }}")
        return int(rows[0]["n"].value)

    def plan_triples(self, doc: str) -> list[ox.Triple]:
        """The triples of one plan's graph, sorted."""
        quads = self._quads(None, None, None, ox.NamedNode(graph_name(doc)))
        return sorted((q.triple for q in quads), key=str)

    def describe(self, iri: str) -> list[ox.Triple]:
        """The distinct triples whose subject is `iri`, sorted (empty if unknown)."""
        quads = self._quads(ox.NamedNode(iri), None, None, ox.DefaultGraph())
        return sorted((q.triple for q in quads), key=str)

    def query(self, sparql: str, **options: Any) -> Any:
        """A SPARQL query over the default graph, the union of the plan graphs (in process, no
        deadline: user queries run in the sandbox's worker processes): the ASK's bool, else
        the solutions or triples as a list (nothing lazy outlives the read)."""
        with self.handle.reading() as store:
            result = store.query(sparql, **options)
            return result if isinstance(result, bool) else list(result)

    def backup(self, dest: str | Path) -> None:
        """A consistent copy of the store in `dest` (a folder that must not exist)."""
        with self.handle.reading() as store:
            store.backup(str(dest))

    # ------------------------------------------------------------------ writing
    def replace_plan(self, doc: str, triples: Triples) -> None:
        """Replace a plan's graph by `triples`, atomically (one SPARQL Update), and flush."""
        g = graph_name(doc)
        body = "".join(as_line(t) for t in triples)
        self._counted_write(
            g,
            f"{_unshare(g)} ;\nDROP SILENT GRAPH <{g}> ;\n"
            f"INSERT DATA {{ GRAPH <{g}> {{\n{body}}} }} ;\nINSERT DATA {{\n{body}}} ;\n"
            + _stamp(g),
            _stamp_plan(doc, removed=False),
        )

    def remove_plan(self, doc: str) -> bool:
        """Drop a plan's graph atomically; False (and nothing written) if it is not there."""
        if not self.has_plan(doc):
            return False
        g = graph_name(doc)
        self._counted_write(
            g,
            f"{_unshare(g)} ;\nDROP SILENT GRAPH <{g}> ;\n{_unstamp(g)}",
            _stamp_plan(doc, removed=True),
        )
        return True

    def _counted_write(self, g: str, operations: str, stamp: str) -> None:
        """`_update`, carrying a known triple count across it: the default graph loses what
        only the old graph `g` stated and gains what only the new one states (one writer at a
        time: the data folder's lock and the library's write lock)."""
        known = self._known_count()
        before = self._sole(g) if known is not None else 0
        self._update(operations, stamp)
        if known is not None:
            self._count = (self.version(), known[1] - before + self._sole(g))

    def _update(self, operations: str, stamp: str = "") -> None:
        """`operations`, the version bump, then `stamp` (which reads the new version): one
        SPARQL Update, so one transaction."""
        after = f" ;\n{stamp}" if stamp else ""
        with self.handle.reading() as store:
            store.update(f"{operations}\n{_bump_version()}{after}")
            store.flush()
        del store  # a reopen (in `wrote`) closes the old handle: no reference may remain
        self.handle.wrote()

    def bulk_load(self, plans: Iterable[tuple[str, Iterable[str]]]) -> int:
        """Load (doc, N-Triples lines) pairs into an empty store with the bulk loader; returns
        the number of quads loaded. Not transactional: only for a store being built."""
        loader = BulkLoader(self)
        union: set[str] = set()
        for doc, lines in plans:
            lines = [as_line(x) for x in lines]
            loader.add(doc, lines)
            union.update(lines)
        return loader.close(x.encode() for x in sorted(union))

    # ------------------------------------------------------------------ files
    def sorted_lines(self) -> Iterator[bytes]:
        """Every distinct triple of the plan graphs (the default graph) as sorted N-Triples
        lines (bytes). Oxigraph dumps the graph in Rust to a temporary file and the lines are
        sorted through the spool, never parsed in Python (iterating the store's quads from
        Python was 8x slower than parsing the same triples from a file)."""
        from plankg.graph.spool import LineSpool

        with tempfile.TemporaryDirectory(prefix="plankg-dump-") as tmp:
            dump = Path(tmp) / "default.nt"
            with self.handle.reading() as store:
                store.dump(dump, format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
            with LineSpool(directory=tmp) as spool, open(dump, "rb") as fh:
                for line in fh:
                    spool.add_line(line)
                yield from spool

    def write_derived(
        self,
        out_dir: str | Path,
        lines: Iterable[bytes] | None = None,
        nt: Path | None = None,
        *,
        triples: int | None = None,
        serialised: dict[str, Path] | None = None,
    ) -> dict:
        """Write plankg.nt (sorted distinct lines), plankg.ttl and plankg.jsonld (pyoxigraph's
        serialisers fed the sorted triples: their output follows input order, so the bytes
        are the same on every run), each via a temporary file and a rename, then
        `derived.json` with the store version they reflect. `lines` (sorted distinct N-Triples
        lines of this store's state), or `nt`, a finished sorted file of them on the same
        file system (moved into place; `triples` its line count, if known), saves reading the
        store back; `serialised` the Turtle and JSON-LD files already made from `nt`
        (`Serialiser`), moved into place too."""
        out = Path(out_dir)
        store_id, version = self.state()
        paths = {"nt": out / NT, "ttl": out / TTL, "jsonld": out / JSONLD}
        count = [0]

        def counted(source: Iterable[bytes]) -> Iterator[bytes]:
            for line in source:
                count[0] += 1
                yield line

        if nt is not None:
            if triples is None:
                with open(nt, "rb") as fh:
                    triples = sum(1 for _ in fh)
            count[0] = triples
            os.chmod(nt, 0o644)
            os.replace(nt, paths["nt"])
        else:
            atomic_write(paths["nt"], counted(self.sorted_lines() if lines is None else lines))
        for key in SERIALISED:
            if serialised is not None and key in serialised:
                os.replace(serialised[key], paths[key])
            else:
                serialise_file(paths["nt"], paths[key], key)
        record = {"store": store_id, "version": version, "triples": count[0]}
        atomic_write(out / DERIVED, (json.dumps(record, sort_keys=True) + "\n").encode())
        return {**paths, "record": record}


def serialise_file(nt: str | Path, dest: str | Path, key: str) -> None:
    """`dest` as Turtle (`key` "ttl") or JSON-LD ("jsonld") of a sorted N-Triples file,
    written atomically. A module-level function: `Serialiser` runs it in child processes."""
    with atomic_file(Path(dest)) as fh:
        ox.serialize(
            ox.parse(path=nt, format=ox.RdfFormat.N_TRIPLES),
            output=fh,
            format=SERIALISED[key],
            prefixes=PREFIX_MAP,
        )


class Serialiser:
    """plankg.ttl and plankg.jsonld of a sorted N-Triples file, made in two child processes
    while the caller goes on (loading the default graph). Parsing the lines into Python
    terms is most of the cost and holds the GIL: two threads took 1.04 s where one after the
    other took 1.2 s, so processes it is: plain `python -c` children (a spawned
    multiprocessing child re-runs the caller's main script; forking would copy RocksDB's
    threads' state). `wait` returns the finished files, in `dest_dir` under temporary names,
    for `write_derived`."""

    def __init__(self, nt: Path, dest_dir: Path) -> None:
        self.files = {key: Path(dest_dir) / f".serialised.{key}" for key in SERIALISED}
        # the child imports plankg from where this process did (its sys.path, passed along)
        code = "import json, sys; sys.path[:0] = json.loads(sys.argv[1]); "
        code += "from plankg.graph.rdf_store import serialise_file; serialise_file(*sys.argv[2:])"
        paths = json.dumps([p for p in sys.path if p])
        self._children = [
            subprocess.Popen(
                [sys.executable, "-c", code, paths, str(nt), str(path), key],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            for key, path in self.files.items()
        ]

    def wait(self) -> dict[str, Path]:
        """The files, once both children are done; a child's failure is a RuntimeError with
        its last words."""
        failed = []
        for key, child in zip(self.files, self._children, strict=True):
            _, err = child.communicate()
            if child.returncode != 0:
                tail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["(no output)"]
                failed.append(f"{key}: exit {child.returncode}: {tail[0]}")
        if failed:
            raise RuntimeError("serialising plankg.nt failed: " + "; ".join(failed))
        return self.files


class BulkLoader:
    """Builds a fresh store with Oxigraph's bulk loader, batch by batch: each plan's N-Quads
    join a batch, and a full batch (`batch_bytes`) is loaded at once, or by a background
    thread when `background` (Oxigraph releases the GIL while it loads, so loading overlaps
    the extraction of the next plans). Batches cost no more than one run over a file of
    everything (measured at 100 plans: 1.27 s of CPU in batches of 25 plans, 1.47 s in one
    run) and hold far less in memory. `close` loads the default graph and the store state."""

    def __init__(
        self, store: RdfStore, *, background: bool = False, batch_bytes: int | None = None
    ) -> None:
        self.store = store
        self.batch_bytes = BATCH_BYTES if batch_bytes is None else batch_bytes
        self.count = 0
        self._batch: list[bytes] = []
        self._size = 0
        self._error: BaseException | None = None
        self._queue: queue.Queue[bytes | None] | None = None
        self._thread: threading.Thread | None = None
        if background:  # one batch waiting at most: memory stays bounded
            self._queue = queue.Queue(maxsize=1)
            self._thread = threading.Thread(target=self._run, name="plankg-bulk-load")
            self._thread.start()

    def add(self, doc: str, lines: Iterable[str]) -> None:
        """A plan's N-Triples lines (each ending in ' .\\n') into its graph."""
        self.add_ntriples(doc, "".join(lines).encode("utf-8"))

    def add_ntriples(self, doc: str, ntriples: bytes) -> None:
        """A plan's N-Triples (lines ending in ' .\\n') into its graph. A raw newline only
        ends a line (literals escape theirs), so one replace makes the N-Quads."""
        self._raise()
        self._batch.append(ntriples.replace(b" .\n", f" <{graph_name(doc)}> .\n".encode()))
        self.count += ntriples.count(b"\n")
        self._size += len(self._batch[-1])
        if self._size >= self.batch_bytes:
            self._send()

    def _send(self) -> None:
        data, self._batch, self._size = b"".join(self._batch), [], 0
        if not data:
            return
        if self._queue is None:
            self._load(data)
            return
        while self._thread is not None and self._thread.is_alive():
            try:
                self._queue.put(data, timeout=1)
                return
            except queue.Full:
                continue
        self._raise()  # the thread stopped: it failed

    def _load(self, data: bytes) -> None:
        self.store.store.bulk_load(input=data, format=ox.RdfFormat.N_QUADS)

    def _run(self) -> None:
        assert self._queue is not None
        while (data := self._queue.get()) is not None:
            try:
                self._load(data)
            except BaseException as exc:  # handed to the ingesting thread by _raise
                self._error = exc
                return

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def _finish(self) -> None:
        """The last batch loaded, the background thread ended."""
        self._send()
        if self._thread is not None and self._queue is not None:
            while self._thread.is_alive():
                try:
                    self._queue.put(None, timeout=1)
                    break
                except queue.Full:
                    continue
            self._thread.join()
            self._thread = None
        self._raise()

    def discard(self) -> None:
        self._batch, self._size = [], 0
        self._finish()

    def close(self, union: Path | Iterable[bytes]) -> int:
        """Load the last plan graphs, then `union` (the sorted distinct lines of all plans, or
        an N-Triples file of them) into the default graph, write a new store id and version 1
        and every plan's dates (`_stamp_loaded`), flush; returns the quads loaded into plan
        graphs."""
        self._finish()
        raw = self.store.store
        if isinstance(union, Path):
            raw.bulk_load(path=union, format=ox.RdfFormat.N_TRIPLES)
        else:
            raw.bulk_load(input=b"".join(union), format=ox.RdfFormat.N_TRIPLES)
        one = f'"1"^^<{_XSD_INTEGER}>'
        raw.update(
            f"INSERT DATA {{ GRAPH <{META}> {{ <{META}> <{_VERSION}> {one} . "
            f'<{META}> <{_ID}> "{uuid.uuid4()}" }} }} ;\n{_stamp_loaded()}'
        )
        raw.flush()
        return self.count


def derived_state(out_dir: str | Path) -> tuple[str, int] | None:
    """The store state (id, version) the derived files in `out_dir` reflect (None: none)."""
    record = _derived_record(out_dir)
    return None if record is None else record[:2]


def _derived_record(out_dir: str | Path) -> tuple[str, int, int | None] | None:
    """(store id, version, triples) from `derived.json` (triples None if not recorded)."""
    try:
        record = json.loads((Path(out_dir) / DERIVED).read_text("utf-8"))
        count = record.get("triples")
        return str(record["store"]), int(record["version"]), None if count is None else int(count)
    except (FileNotFoundError, KeyError, ValueError, TypeError, AttributeError, OSError):
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
    _OPEN.pop(target.resolve(), None)  # an object still open on the old folder is not reused
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=".store-old-", dir=data_dir))
        os.replace(target, old / STORE_DIR)
    os.replace(new_store, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return target
