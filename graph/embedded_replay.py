"""Bring an index snapshot up to the RDF store's state by replaying only the plans written
since it, instead of rebuilding the whole corpus from plankg.nt.

The API no longer pickles the indexes after every write (one `pickle.dump` of the corpus held
the interpreter lock for 0.5 s at 1,000 plans). Every write stamps, in its own store
transaction, the version at which the plan was written (a tombstone when removed:
`RdfStore.written_since`). A snapshot of the same store (same id) at an older version is
therefore current once those plans are re-applied from their graphs in the store — the same
`apply_plan` / `remove_plan` the write path uses. A snapshot of another store (rebuilt by
`plankg ingest`) or from a newer version than the store (a store restored from a backup) is
not used: the caller rebuilds.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from plankg.graph.embedded import EmbeddedStore
    from plankg.graph.rdf_store import RdfStore

log = logging.getLogger("plankg.embedded")


def replayed(
    loaded: tuple[EmbeddedStore, tuple[str, int]] | None, rdf: RdfStore
) -> EmbeddedStore | None:
    """The snapshot's store brought up to `rdf`'s state, or None when it cannot be (none,
    another store, a newer version). Sets `snapshot_version` and `replayed` on the store."""
    if loaded is None:
        return None
    store, (saved_id, saved_version) = loaded
    store_id, version = rdf.state()
    if saved_id != store_id or saved_version > version:
        log.warning(
            "the index snapshot is of store %s v%d, the store is %s v%d: rebuilding",
            saved_id,
            saved_version,
            store_id,
            version,
        )
        return None
    store._rdf = rdf
    t0 = time.perf_counter()
    writes = rdf.written_since(saved_version)
    try:
        for _, doc, removed in writes:
            if removed:
                store.remove_plan(doc)
            else:
                store.apply_plan(doc, rdf.plan_triples(doc))
    except Exception:  # the store is still right: the caller rebuilds from it
        log.exception("replaying the plans written since the index snapshot failed: rebuilding")
        return None
    store.snapshot_version = saved_version
    store.replayed = len(writes)
    if writes:
        log.info(
            "index snapshot v%d brought to v%d: %d plan(s) replayed in %.2f s",
            saved_version,
            version,
            len(writes),
            time.perf_counter() - t0,
        )
    return store
