"""The embedded store's indexes persisted next to the RDF store, so `plankg serve` starts fast.

Building the in-memory graph means parsing every triple into Python objects; loading them back
from this snapshot is several times faster. The snapshot records the RDF store state (id,
version) it reflects; the caller uses it only when that is the store's state now, otherwise
the store is rebuilt from the sorted triples and the snapshot rewritten ("the store is the
truth").

Format (why not a pickle of the networkx graph: 8.8 s to load at 10,000 plans, 2.9 GB): the
graph's own dicts (`_node`, `_succ` with one edge-key dict per set of edge types, shared by
every pair that has it; `_pred` is derived on first use; both by `graph/pred_on_demand.py`,
1 s of a start and 350 MB saved at 10,000 plans), the indexes and the plan list (`/health`'s
answer, 0.5 s to count at 10,000 plans), written with `marshal` in one part, which makes plain
dicts, lists, sets and strings in C with no class lookups and keeps shared objects shared (one
part, not one per index: a string is then read once, 25 % less CPU than separate parts). The
builder interns every string it keeps and marshal re-interns them when loading, so the parts
only updates use (`_LAZY`, kept as raw bytes until first touched: `IndexBuilder.__getattr__`)
share those strings too.

    b"PLANKGIX" | u32 header length | marshal(header) | part | part | …
    header = (FORMAT, store id, store version, ((name, length, crc32), …))

A missing, truncated, garbled or older snapshot loads as None (rebuilt), never an error. It is
only ever read from the data folder plankg itself wrote, never from user input.
"""

from __future__ import annotations

import dataclasses
import logging
import marshal
import os
import struct
import threading
import zlib
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from plankg.graph.pred_on_demand import PredOnDemandGraph, sharing_key_dicts
from plankg.graph.rdf_store import atomic_file
from plankg.graph.store import PlanInfo
from plankg.ontology.ntriples import collector_paused

if TYPE_CHECKING:
    from plankg.graph.embedded import EmbeddedStore

log = logging.getLogger("plankg.snapshot")

SNAPSHOT = "embedded.snapshot"
LEGACY = ("embedded.pickle",)  # older snapshots: removed when a new one is written
FORMAT = 3  # bump when the store's attributes or this layout change
READS = (2, 3)  # 2: with `_pred`, without the plan list (counted on first use then)
MAGIC = b"PLANKGIX"
_HEAD = struct.Struct("<8sI")
_MARSHAL_VERSION = 4
_INDEXES = (
    "by_type",
    "jurisdiction_of",
    "plans_by_doc",
    "task_by_id",
    "alias_index",
    "roles",
    "evidence",
    "spatial",
)
_LAZY = ("_positions", "_locations", "unit_labels")  # only updates read them
# defaultdicts (marshal writes plain dicts): their factories, restored on load
_DEFAULTS: dict[str, Any] = {
    "by_type": list,
    "alias_index": set,
    "evidence": tuple,
    "roles": lambda: {"lead": [], "assist": []},
}


def save(store: EmbeddedStore, data_dir: str | Path, state: tuple[str, int]) -> Path:
    """Write the snapshot of `store`, which reflects RDF store `state`, atomically."""
    g = store.g
    indexes = {name: _plain(getattr(store, name)) for name in _INDEXES}
    with collector_paused():
        # the plan list too: `/health` asks for it first, and counting it took 0.5 s at 10,000
        plans = tuple(dataclasses.astuple(info) for info in store.plans())
        hot = (g._node, sharing_key_dicts(g._succ), indexes, plans)
        parts = [("graph", marshal.dumps(hot, _MARSHAL_VERSION))]
        pending = store.__dict__.get("_pending") or {}
        for name in _LAZY:  # a part never touched since loading is written back as it was
            raw = pending.get(name) if name not in store.__dict__ else None
            if raw is None:
                raw = marshal.dumps(getattr(store, name), _MARSHAL_VERSION)
            parts.append((name, raw))
    table = tuple((name, len(raw), zlib.crc32(raw)) for name, raw in parts)
    header = marshal.dumps((FORMAT, str(state[0]), int(state[1]), table), _MARSHAL_VERSION)
    data = Path(data_dir)
    path = data / SNAPSHOT
    with atomic_file(path) as fh:
        fh.write(_HEAD.pack(MAGIC, len(header)))
        fh.write(header)
        for _, raw in parts:
            fh.write(raw)
    for name in LEGACY:
        (data / name).unlink(missing_ok=True)
    return path


def prefetch(data_dir: str | Path) -> None:
    """Read and check the snapshot's bytes in a thread, for the `load` that follows. Reading
    and the checksums release the GIL, so they overlap what a start does meanwhile (imports,
    the crash repair): 0.3 s of a start at 10,000 plans. `load` uses them only if the file is
    still the one read; a prefetch never used is dropped by the next `load` of that folder."""
    path = Path(data_dir) / SNAPSHOT
    out: list = []

    def run() -> None:
        out.append(_read_checked(path))

    thread = threading.Thread(target=run, name="plankg-snapshot-read", daemon=True)
    with _PREFETCH_LOCK:
        _PREFETCHED[path.resolve()] = (thread, out)
    thread.start()


_PREFETCHED: dict[Path, tuple[threading.Thread, list]] = {}
_PREFETCH_LOCK = threading.Lock()


def _prefetched(path: Path):
    """What `prefetch` read of `path`, if it is still the file there; else None."""
    with _PREFETCH_LOCK:
        entry = _PREFETCHED.pop(path.resolve(), None)
    if entry is None:
        return None
    thread, out = entry
    thread.join()
    if not out:
        return None
    identity, checked = out[0]
    return checked if identity is not None and identity == _identity(path) else None


def _identity(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def load(store_cls: type[EmbeddedStore], data_dir: str | Path):
    """(store, the RDF store state it reflects) from the snapshot in `data_dir`, or None when
    there is none or it cannot be used (another format, truncated, garbled). The caller
    compares the state."""
    path = Path(data_dir) / SNAPSHOT
    checked = _prefetched(path)
    if checked is None:
        checked = _read_checked(path)[1]
    if checked is None:  # no snapshot
        return None
    if not isinstance(checked, str):
        try:
            checked = _build(store_cls, *checked)
        except (ValueError, EOFError, TypeError, KeyError) as exc:
            checked = f"unreadable ({type(exc).__name__}: {exc})"
    if isinstance(checked, str):  # rebuilt from the store by the caller
        log.warning("index snapshot %s not used: %s; the indexes are rebuilt", path, checked)
        return None
    return checked


def _read_checked(path: Path):
    """(the file's identity, its checked parts): the parts are (format, store id, version,
    {name: bytes}), or why the file cannot be used (a str), or None when there is none."""
    identity = _identity(path)
    try:
        with open(path, "rb") as fh:
            return identity, _checked_parts(fh)
    except FileNotFoundError:
        return identity, None
    except (ValueError, EOFError, TypeError, KeyError, struct.error, OSError) as exc:
        return identity, f"unreadable ({type(exc).__name__}: {exc})"


def _checked_parts(fh):
    magic, size = _HEAD.unpack(fh.read(_HEAD.size))
    if magic != MAGIC:
        return "not a plankg index snapshot"
    form, store_id, version, table = marshal.loads(fh.read(size))
    if form not in READS:
        return f"format {form}, this plankg reads formats {READS}"
    raw: dict[str, bytes] = {}
    for name, length, crc in table:
        chunk = fh.read(length)
        if len(chunk) != length:
            return f"part {name!r} truncated ({len(chunk)} of {length} bytes)"
        if zlib.crc32(chunk) != crc:
            return f"part {name!r} does not match its checksum"
        raw[name] = chunk
    if set(raw) != {"graph", *_LAZY}:
        return f"parts {sorted(raw)}"
    return form, store_id, version, raw


def _build(store_cls: type[EmbeddedStore], form: int, store_id, version, raw: dict[str, bytes]):
    with collector_paused():  # millions of dicts, no cyclic garbage among them
        hot = marshal.loads(raw.pop("graph"))
    if form >= 3:  # predecessors derived on first use
        (node, succ, indexes, plans), pred = hot, None
    else:
        (node, succ, pred, indexes), plans = hot, None
    dicts = (node, succ, indexes) if pred is None else (node, succ, pred, indexes)
    if not all(isinstance(x, dict) for x in dicts):
        return "the graph part is not the graph's dicts"
    if pred is None:
        g = PredOnDemandGraph.from_dicts(node, succ)
    else:
        g = nx.MultiDiGraph()
        g._node, g._adj, g._pred = node, succ, pred
    store = store_cls.__new__(store_cls)
    store.g = g
    for name in _INDEXES:
        value = indexes[name]
        factory = _DEFAULTS.get(name)
        setattr(store, name, defaultdict(factory, value) if factory else value)
    store._pending = raw  # the lazy parts, decoded on first use
    if plans is not None:
        store._plans_memo = tuple(PlanInfo(*row) for row in plans)
    store._lines, store._rdf = None, None
    return store, (str(store_id), int(version))


def _plain(value: Any) -> Any:
    """A defaultdict as the plain dict marshal can write (its factory is restored on load)."""
    return dict(value) if isinstance(value, defaultdict) else value
