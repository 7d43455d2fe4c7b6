"""The read-write store's RocksDB handle is reopened after each write (graph/store_handle.py):
writes and reads go on across reopenings, a reader in progress delays one, and nothing of
the old handle is lost. The memory it saves is measured in `make soak` (b), not here."""

from __future__ import annotations

import threading
import time

import pyoxigraph as ox
import pytest

from plankg.graph import rdf_store, store_handle
from plankg.graph.rdf_store import RdfStore
from plankg.ingest.rdf import plan_lines


@pytest.fixture
def disk_store(tmp_path):
    return RdfStore.open(tmp_path / "data")


def test_each_write_reopens_the_folder_and_keeps_every_triple(disk_store, sample_plans):
    for plan in sample_plans:
        disk_store.replace_plan(plan.doc, plan_lines(plan))
    assert disk_store.handle.reopened == len(sample_plans)
    assert disk_store.plans() == sorted(p.doc for p in sample_plans)
    first = sample_plans[0]
    assert [f"{t} .\n" for t in disk_store.plan_triples(first.doc)] == plan_lines(first)
    assert disk_store.remove_plan(first.doc)
    assert disk_store.handle.reopened == len(sample_plans) + 1
    assert first.doc not in disk_store.plans() and disk_store.version() == len(sample_plans) + 1


def test_an_in_memory_or_read_only_store_is_never_reopened(tmp_path, sample_plans):
    memory = RdfStore.in_memory()
    memory.replace_plan(sample_plans[0].doc, plan_lines(sample_plans[0]))
    assert memory.handle.reopened == 0
    writer = RdfStore.open(tmp_path)
    writer.replace_plan(sample_plans[0].doc, plan_lines(sample_plans[0]))
    reader = RdfStore.open(tmp_path, read_only=True)
    assert reader.handle.path is None and reader.plans() == [sample_plans[0].doc]


def test_a_reopen_waits_for_a_reader_and_gives_up_after_the_timeout(
    disk_store, sample_plans, monkeypatch
):
    monkeypatch.setattr(store_handle, "DRAIN_TIMEOUT_S", 0.3)
    plan = sample_plans[0]
    release = threading.Event()

    def hold():
        with disk_store.handle.reading() as store:
            assert len(store) >= 0
            release.wait(5)

    reader = threading.Thread(target=hold)
    reader.start()
    time.sleep(0.05)
    started = time.perf_counter()
    disk_store.replace_plan(plan.doc, plan_lines(plan))  # its reopen waits, then gives up
    assert time.perf_counter() - started >= 0.3
    assert disk_store.handle.reopened == 0 and disk_store.plans() == [plan.doc]
    release.set()
    reader.join()
    assert disk_store.remove_plan(plan.doc) and disk_store.handle.reopened == 1


def test_readers_in_other_threads_go_on_across_reopenings(disk_store, sample_plans):
    plan, errors, answers = sample_plans[0], [], []
    graph = rdf_store.graph_name(plan.doc)
    stop = threading.Event()

    def read():
        while not stop.is_set():
            try:
                answers.append(len(disk_store.plans()) + len(disk_store.describe(graph)))
            except Exception as exc:  # any failure is the finding
                errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(3)]
    for t in readers:
        t.start()
    for _ in range(10):
        disk_store.replace_plan(plan.doc, plan_lines(plan))
        disk_store.remove_plan(plan.doc)
    stop.set()
    for t in readers:
        t.join()
    assert not errors and answers and disk_store.handle.reopened == 20


def test_an_iterator_left_open_on_the_old_handle_delays_the_reopen_until_it_ends(
    disk_store, sample_plans
):
    """Oxigraph closes a folder when its last user goes; an unfinished iterator is one, so
    the reopen finds the folder locked and retries until the iterator is dropped."""
    plan = sample_plans[0]
    disk_store.replace_plan(plan.doc, plan_lines(plan))
    opened = threading.Event()

    def hold_an_iterator():  # pyoxigraph's iterators must be dropped by their own thread
        left_open = disk_store.store.quads_for_pattern(None, None, None)
        opened.set()
        time.sleep(0.3)
        del left_open

    holder = threading.Thread(target=hold_an_iterator)
    holder.start()
    opened.wait(5)
    started = time.perf_counter()
    assert disk_store.remove_plan(plan.doc)
    holder.join()
    assert time.perf_counter() - started >= 0.2 and disk_store.handle.reopened == 2
    assert disk_store.plans() == [] and isinstance(disk_store.store, ox.Store)
