"""Writes through the API never rewrite the whole corpus in the server: each stamps its plan's
version (or a tombstone) in the store's META graph, and a start brings the index snapshot up
to the store by replaying only those plans. A restart after writes whose snapshot was never
saved (a crash) must answer exactly as a fresh build from the store does."""

from __future__ import annotations

import shutil
import threading

import pytest
from conftest import PLANS_DIR

from plankg.graph import embedded as embedded_module
from plankg.graph import embedded_snapshot
from plankg.graph.embedded import EmbeddedStore
from plankg.graph.guarded import Guarded
from plankg.graph.rdf_store import META, swap_in

REAL = sorted((PLANS_DIR.parent.parent / "tests" / "realplans" / "docs").glob("*.txt"))


def answers(store) -> tuple:
    """What the API answers from the indexes, over every plan, agency and task."""
    agencies = store.agencies()
    return (
        store.plans(),
        agencies,
        [store.tasks_of_agency(a.iri) for a in agencies],
        [store.resolve_agency(a.name) for a in agencies[:40]],
        store.coordination(),
        store.load(),
        store.indicators(),
        store.parks(),
        store.working_groups(),
        store.search_tasks("建设", limit=500),
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from plankg.ingest.pipeline import ingest

    out = tmp_path_factory.mktemp("replay") / "data"
    ingest([PLANS_DIR], out)
    return out


@pytest.fixture
def data(built, tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(built, folder)
    return folder


def crash(lib) -> None:
    """Everything a killed server leaves undone: no snapshot saved at shutdown (the derived
    files are waited for so that the test compares indexes, not a race with their child)."""
    from plankg.api import library

    lib.flush()
    lib._derived.stop()
    lib.worker.close()
    library._OPEN.pop(lib.data.resolve(), None)
    lib.lock.release()


def refuse_rebuild(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("rebuilt from plankg.nt instead of replaying the snapshot")

    monkeypatch.setattr(embedded_module.EmbeddedStore, "from_ntriples", classmethod(refuse))


def fresh(data) -> EmbeddedStore:
    return EmbeddedStore.open(data, snapshot=False)


def test_a_restart_after_uploads_and_deletes_replays_them(data, monkeypatch):
    from plankg.api.library import open_library

    lib = open_library(data)
    saved = lib.snapshot_version
    assert saved == lib.rdf_store.version()  # the first start saved it
    lib.add_plan("r0.txt", REAL[0].read_bytes())
    lib.add_plan("r1.txt", REAL[1].read_bytes())
    lib.add_plan("r0.txt", REAL[2].read_bytes())  # new bytes under the same name
    lib.remove_plan("r1.txt")
    lib.remove_plan("001_13505c27ad81fa3b.txt")  # a plan of the ingest, not of an upload
    before = answers(lib.embedded)
    crash(lib)
    assert embedded_snapshot.load(EmbeddedStore, data)[1][1] == saved  # never saved since

    refuse_rebuild(monkeypatch)
    again = EmbeddedStore.open(data)
    assert again.replayed == 3  # r0 (last write only), r1 and 001: one each
    assert answers(again) == before
    monkeypatch.undo()
    assert answers(again) == answers(fresh(data))
    docs = [p.doc for p in again.plans()]
    assert "r0.txt" in docs and "r1.txt" not in docs and "001_13505c27ad81fa3b.txt" not in docs


def test_each_write_stamps_its_plan_and_removals_leave_tombstones(data):
    from plankg.api.library import open_library

    lib = open_library(data)
    rdf = lib.rdf_store
    start = rdf.version()
    lib.add_plan("t.txt", REAL[3].read_bytes())
    assert rdf.written_since(start) == [(start + 1, "t.txt", False)]
    lib.remove_plan("t.txt")
    assert rdf.written_since(start) == [(start + 2, "t.txt", True)]
    assert rdf.written_since(start + 2) == []
    lib.add_plan("t.txt", REAL[3].read_bytes())  # back: the tombstone goes
    assert rdf.written_since(start) == [(start + 3, "t.txt", False)]
    lib.flush()
    # the housekeeping graph stays out of the derived files and of query answers
    assert b"urn:plankg:" not in (data / "plankg.nt").read_bytes()
    rows = list(rdf.query("SELECT ?s WHERE { ?s <urn:plankg:written> ?v }"))
    assert rows == []
    stamped = rdf.store.query(f"SELECT ?s WHERE {{ GRAPH <{META}> {{ ?s ?p ?v }} }}")
    assert len(list(stamped)) > 3
    lib.close()


def test_a_snapshot_of_another_store_or_a_newer_version_is_not_replayed(data, monkeypatch):
    """Another store id (`plankg ingest` rebuilt it) or a snapshot newer than the store (a
    store restored from a backup): rebuilt from the store's files, never replayed."""
    import gc

    first = EmbeddedStore.open(data)
    rdf = first.rdf
    (data / "backup").mkdir()
    rdf.store.backup(str(data / "backup" / "store"))  # the store at this version
    rdf.remove_plan("003_bee47bce3ca4c6d7.txt")
    first.remove_plan("003_bee47bce3ca4c6d7.txt")
    first.save_snapshot(data)  # a snapshot from a newer version than the backup
    del first, rdf
    gc.collect()  # the store object goes: Oxigraph opens a folder once per process
    swap_in(data / "backup" / "store", data)
    built: list[bool] = []
    real = EmbeddedStore.from_ntriples.__func__

    def counting(cls, path):
        built.append(True)
        return real(cls, path)

    monkeypatch.setattr(embedded_module.EmbeddedStore, "from_ntriples", classmethod(counting))
    restored = EmbeddedStore.open(data)
    assert built and restored.replayed == 0
    assert "003_bee47bce3ca4c6d7.txt" in [p.doc for p in restored.plans()]  # the backup's
    assert restored.snapshot_version == restored.rdf.version()
    saved = embedded_snapshot.load(EmbeddedStore, data)[1]
    assert saved == restored.rdf.state()  # the rebuild wrote its own snapshot
    other = (saved[0] + "-other", saved[1])
    monkeypatch.setattr(embedded_snapshot, "load", lambda cls, d: (restored, other), raising=True)
    built.clear()
    assert answers(EmbeddedStore.open(data)) == answers(restored) and built


def test_the_library_saves_the_snapshot_every_n_writes_and_at_close(data):
    from plankg.api.library import open_library

    lib = open_library(data)
    lib.snapshot_every = 2
    first = lib.snapshot_version
    lib.add_plan("s0.txt", REAL[4].read_bytes())
    lib.flush()
    assert lib.snapshot_version == first  # one write behind: not yet
    lib.add_plan("s1.txt", REAL[5].read_bytes())
    lib.flush()  # two behind: the derived-files child saved one of its checkpoint
    assert lib.snapshot_version == first + 2
    assert embedded_snapshot.load(EmbeddedStore, data)[1] == lib.rdf_store.state()
    assert not [p for p in data.iterdir() if p.name.startswith(".checkpoint-")]
    lib.remove_plan("s0.txt")
    lib.close()  # a clean shutdown leaves nothing to replay
    assert embedded_snapshot.load(EmbeddedStore, data)[1] == lib.rdf_store.state()
    assert EmbeddedStore.open(data).replayed == 0


def test_the_plan_list_answers_while_a_write_holds_the_indexes(data):
    """/health runs on the event loop: it must not wait for a write in progress, and it
    sees the plans as of the last completed write."""
    guarded = Guarded(EmbeddedStore.open(data))
    before = guarded.plans()
    got: list = []
    with guarded.write() as store:
        assert store is guarded.wrapped  # the exclusive side is held: reads wait now
        reader = threading.Thread(target=lambda: got.append(guarded.plans()))
        reader.start()
        reader.join(5)
        assert got == [before]
        blocked = threading.Thread(target=lambda: got.append(guarded.agencies()))
        blocked.start()
        blocked.join(0.3)
        assert blocked.is_alive()  # the other reads do wait for the write
    blocked.join(5)
    assert len(got) == 2


def test_a_failure_resuming_readers_after_the_commit_does_not_leave_the_indexes_behind(data):
    """`quiesce()` (the SPARQL sandbox's pause) failing on exit, after the store committed:
    the change stands everywhere; failing before the write: nothing changes, the error goes
    up. (A 500 on a committed delete had left the plan in `/plans` until a restart.)"""
    import contextlib

    from plankg.api.library import open_library

    failing = {"enter": False, "exit": False}

    @contextlib.contextmanager
    def quiesce():
        if failing["enter"]:
            raise RuntimeError("could not pause the readers")
        yield
        if failing["exit"]:
            raise RuntimeError("a SPARQL worker could not reopen the store")

    lib = open_library(data, quiesce=quiesce)
    failing["exit"] = True
    lib.add_plan("q.txt", REAL[7].read_bytes())
    assert "q.txt" in [p.doc for p in lib.embedded.plans()]
    assert (data / "uploads" / "q.txt").exists()
    failing.update(exit=False, enter=True)
    version = lib.rdf_store.version()
    with pytest.raises(RuntimeError, match="could not pause"):
        lib.remove_plan("q.txt")
    assert lib.rdf_store.version() == version and "q.txt" in lib.catalog.sha_of
    failing.update(exit=True, enter=False)
    lib.remove_plan("q.txt")
    assert "q.txt" not in [p.doc for p in lib.embedded.plans()] and not lib.rdf_store.has_plan(
        "q.txt"
    )
    lib.close()


def test_a_replay_that_fails_falls_back_to_a_rebuild(data, monkeypatch):
    store = EmbeddedStore.open(data)
    store.rdf.remove_plan("000_99d16d149e72ffbe.txt")  # a write the snapshot lacks

    def broken(self, doc):
        raise KeyError("an index the snapshot does not have")

    monkeypatch.setattr(embedded_module.EmbeddedStore, "remove_plan", broken)
    again = EmbeddedStore.open(data)
    assert again.replayed == 0 and again.snapshot_version == again.rdf.version()
    assert "000_99d16d149e72ffbe.txt" not in [p.doc for p in again.plans()]
