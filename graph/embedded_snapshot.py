"""The embedded store's indexes persisted next to the RDF store, so `plankg serve` starts fast.

Building the in-memory graph means parsing every triple into Python objects (pyoxigraph's
parser, then a term conversion per triple); a pickle of the built graph and indexes loads
several times faster. The snapshot records the RDF store state (id, version) it reflects and
is used only when that is the store's state now; otherwise the store is rebuilt from the
sorted triples and the snapshot rewritten ("the store is the truth"). It is a pickle: it is
only ever read from the data folder plankg itself wrote, never from user input.
"""

from __future__ import annotations

import pickle
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx

from plankg.graph.rdf_store import atomic_file
from plankg.ontology.ntriples import collector_paused

if TYPE_CHECKING:
    from plankg.graph.embedded import EmbeddedStore

SNAPSHOT = "embedded.pickle"
FORMAT = 1  # bump when the store's attributes change
_FIELDS = (
    "g",
    "by_type",
    "jurisdiction_of",
    "plans_by_doc",
    "task_by_id",
    "alias_index",
    "roles",
    "evidence",
    "unit_labels",
    "_positions",
    "_locations",
    "spatial",
)


def save(store: EmbeddedStore, data_dir: str | Path, state: tuple[str, int]) -> Path:
    """Write the snapshot of `store`, which reflects RDF store `state`, atomically."""
    fields = {name: getattr(store, name) for name in _FIELDS}
    fields["roles"] = dict(fields["roles"])  # its default factory is a lambda
    path = Path(data_dir) / SNAPSHOT
    with collector_paused(), atomic_file(path) as fh:
        pickle.dump((FORMAT, list(state), fields), fh, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def load(store_cls: type[EmbeddedStore], data_dir: str | Path):
    """(store, the RDF store state it reflects) from the snapshot in `data_dir`, or None when
    there is none or it is of another format. The caller compares the state."""
    path = Path(data_dir) / SNAPSHOT
    if not path.exists():
        return None
    with collector_paused(), open(path, "rb") as fh:
        try:
            form, saved, fields = pickle.load(fh)
        except (pickle.UnpicklingError, EOFError, ValueError, AttributeError, ImportError):
            return None
    if form != FORMAT or not isinstance(fields.get("g"), nx.Graph):
        return None
    store = store_cls.__new__(store_cls)
    for name in _FIELDS:
        setattr(store, name, fields[name])
    store.roles = defaultdict(lambda: {"lead": [], "assist": []}, store.roles)
    store._lines, store._rdf = None, None
    return store, (str(saved[0]), int(saved[1]))
