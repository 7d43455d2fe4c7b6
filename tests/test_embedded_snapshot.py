"""The index snapshot: used only when it reflects the RDF store's state; stale files repaired;
a store loaded from it answers exactly as one built from plankg.nt; an old, truncated or
garbled snapshot is rebuilt, never an error."""

from __future__ import annotations

import pickle
import threading
from pathlib import Path

import pytest

from plankg.graph import embedded as embedded_module
from plankg.graph import embedded_snapshot
from plankg.graph.embedded import EmbeddedStore
from plankg.graph.embedded_snapshot import SNAPSHOT
from plankg.graph.pred_on_demand import predecessors
from plankg.graph.rdf_store import NT, RdfStore, derived_state
from plankg.ingest.pipeline import ingest, write_plans
from plankg.ingest.rdf import plan_lines

REALPLANS = Path(__file__).resolve().parent / "realplans" / "docs"


def _answers(store: EmbeddedStore) -> tuple:
    return (
        store.plans(),
        store.agencies(),
        [store.tasks_of_agency(a.iri) for a in store.agencies()],
        store.resolve_agency("科工信局"),
        store.coordination(),
    )


@pytest.fixture
def data(sample_plans, tmp_path):
    write_plans(sample_plans, tmp_path)
    return tmp_path


def _no_rebuild(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("rebuilt from plankg.nt although the snapshot is current")

    monkeypatch.setattr(embedded_module.EmbeddedStore, "from_ntriples", classmethod(refuse))


def test_a_second_start_loads_the_snapshot(data, monkeypatch):
    first = EmbeddedStore.open(data)
    assert (data / SNAPSHOT).exists()
    _no_rebuild(monkeypatch)
    again = EmbeddedStore.open(data)
    assert _answers(again) == _answers(first)
    assert again.rdf is first.rdf and again.repairing is None


def test_a_store_changed_behind_the_files_is_repaired_at_start(data, sample_plans):
    EmbeddedStore.open(data)
    rdf = RdfStore.open(data)
    gone = sample_plans[0].doc
    rdf.remove_plan(gone)  # as if the process died before the files were rewritten
    assert derived_state(data) != rdf.state()
    store = EmbeddedStore.open(data)
    assert gone not in [p.doc for p in store.plans()]
    assert store.replayed == 1  # the snapshot was brought up to date, not rebuilt
    store.repairing.join(120)  # the graph files follow in the background
    assert derived_state(data) == rdf.state()
    assert gone.encode() not in (data / "plankg.nt").read_bytes()


def test_an_incremental_update_saved_as_a_snapshot_serves_at_once(data, sample_plans, monkeypatch):
    store = EmbeddedStore.open(data)
    rdf = store.rdf
    plan = sample_plans[1]
    rdf.remove_plan(plan.doc)
    store.remove_plan(plan.doc)
    store.save_snapshot(data)
    _no_rebuild(monkeypatch)
    again = EmbeddedStore.open(data)
    assert _answers(again) == _answers(store)
    again.repairing.join(120)  # the graph files catch up in the background
    assert derived_state(data) == rdf.state()
    rdf.replace_plan(plan.doc, plan_lines(plan))
    monkeypatch.undo()
    assert plan.doc in [p.doc for p in EmbeddedStore.open(data).plans()]


def _every_answer(store: EmbeddedStore) -> dict:
    """Every question of the Store API, over every agency, task, park and plan."""
    agencies = store.agencies()
    tasks = [t for a in agencies for t in store.tasks_of_agency(a.iri)]
    plans = store.plans()
    parks = store.parks()
    words = sorted({t.title[:2] for t in tasks if t.title})[:20]
    return {
        "agencies": agencies,
        "agency": [store.agency(a.iri) for a in agencies],
        "resolve": [store.resolve_agency(a.name, a.jurisdiction) for a in agencies],
        "aliases": [store.resolve_agency(x) for a in agencies for x in a.aliases],
        "tasks": [
            store.tasks_of_agency(a.iri, role, plan=plan)
            for a in agencies
            for role in ("lead", "assist", "any")
            for plan in (None, *(p.doc for p in plans[:2]))
        ],
        "task": [store.task(t.id) for t in tasks],
        "search": [store.search_tasks(w) for w in words],
        "indicators": [
            store.indicators(),
            store.indicators(include_goals=False),
            *[store.indicators(plan=p.doc) for p in plans],
            *[store.indicators(agency_iri=a.iri) for a in agencies[:30]],
        ],
        "parks": [parks, [store.park_by_name(p.name) for p in parks]],
        "projects": [store.projects_in_park(p.iri) for p in parks],
        "plans": plans,
        "groups": [store.working_groups(), *[store.working_groups(p.doc) for p in plans]],
        "coordination": [store.coordination(mode=m) for m in ("lead_assist", "co")],
        "load": [store.load(), *[store.load(plan=p.doc) for p in plans]],
        "centrality": store.centrality(),
        "communities": store.communities(),
    }


def _update_only_parts(store: EmbeddedStore) -> tuple:
    return store._positions, store._locations, store.unit_labels


@pytest.fixture(params=["samples", "realplans"])
def any_data(request, sample_plans, tmp_path):
    """A data folder of the sample plans, and one of the real-plan set."""
    if request.param == "samples":
        write_plans(sample_plans, tmp_path)
    else:
        ingest([REALPLANS], tmp_path)
    return tmp_path


def test_a_store_loaded_from_the_snapshot_answers_as_one_built_from_the_triples(
    any_data, monkeypatch
):
    built = EmbeddedStore.from_ntriples(any_data / NT)
    EmbeddedStore.open(any_data)  # writes the snapshot
    _no_rebuild(monkeypatch)
    loaded = EmbeddedStore.open(any_data)
    assert "_positions" not in vars(loaded)  # decoded on first use, not at start
    answers = _every_answer(built)
    assert answers["tasks"] and answers["indicators"][0] and answers["plans"]
    assert _every_answer(loaded) == answers
    assert sorted(loaded.g.nodes(data=True)) == sorted(built.g.nodes(data=True))
    edges = sorted(built.g.edges(keys=True, data=True))
    assert sorted(loaded.g.edges(keys=True, data=True)) == edges
    assert _update_only_parts(loaded) == _update_only_parts(built)


def test_an_update_on_a_loaded_store_matches_one_on_a_built_store(data, sample_plans, monkeypatch):
    EmbeddedStore.open(data)
    built = EmbeddedStore.from_ntriples(data / NT)
    _no_rebuild(monkeypatch)
    loaded = EmbeddedStore.open(data)
    rdf = built._rdf = loaded.rdf
    plan = sample_plans[0]
    rdf.remove_plan(plan.doc)
    for store in (built, loaded):  # the update reads the parts not decoded at load
        store.remove_plan(plan.doc)
    assert _every_answer(loaded) == _every_answer(built)
    rdf.replace_plan(plan.doc, plan_lines(plan))
    for store in (built, loaded):
        store.apply_plan(plan.doc, plan_lines(plan))
    assert _every_answer(loaded) == _every_answer(built)
    assert _update_only_parts(loaded) == _update_only_parts(built)


def test_the_plan_list_comes_with_the_snapshot_not_counted_at_start(data, monkeypatch):
    first = EmbeddedStore.open(data)
    expected = first.plan_infos()
    _no_rebuild(monkeypatch)

    def refuse(self):
        raise AssertionError("the plan list was counted although the snapshot holds it")

    monkeypatch.setattr(EmbeddedStore, "plan_infos", refuse)
    loaded = EmbeddedStore.open(data)
    assert loaded.plans() == expected and expected


def test_a_snapshot_of_format_2_still_loads_and_counts_its_plan_list(data, monkeypatch):
    first = EmbeddedStore.open(data)
    raw = (data / SNAPSHOT).read_bytes()
    size = embedded_snapshot._HEAD.size
    length = embedded_snapshot._HEAD.unpack(raw[:size])[1]
    form, store_id, version, table = embedded_snapshot.marshal.loads(raw[size : size + length])
    assert form == embedded_snapshot.FORMAT == 3
    parts, at = {}, size + length
    for name, n, _ in table:
        parts[name], at = raw[at : at + n], at + n
    node, succ, indexes, _ = embedded_snapshot.marshal.loads(parts["graph"])
    pred = predecessors(node, succ)
    parts["graph"] = embedded_snapshot.marshal.dumps((node, succ, pred, indexes), 4)  # format 2
    table = tuple((n, len(b), embedded_snapshot.zlib.crc32(b)) for n, b in parts.items())
    header = embedded_snapshot.marshal.dumps((2, store_id, version, table), 4)
    (data / SNAPSHOT).write_bytes(
        embedded_snapshot._HEAD.pack(embedded_snapshot.MAGIC, len(header))
        + header
        + b"".join(parts.values())
    )
    _no_rebuild(monkeypatch)
    loaded = EmbeddedStore.open(data)
    assert loaded.plans_memo() is None  # counted on first use, as format 2 did
    assert _every_answer(loaded) == _every_answer(first)


def test_saving_a_loaded_store_keeps_its_undecoded_parts(data, monkeypatch):
    first = EmbeddedStore.open(data)
    _no_rebuild(monkeypatch)
    loaded = EmbeddedStore.open(data)
    (data / SNAPSHOT).unlink()
    loaded.save_snapshot(data)  # `_positions` … written back from their bytes
    assert "_positions" not in vars(loaded)
    again = EmbeddedStore.open(data)
    assert _update_only_parts(again) == _update_only_parts(first)


def _truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _flipped(path: Path) -> None:
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))


def _other_format(path: Path) -> None:
    raw = path.read_bytes()
    _, *rest = embedded_snapshot.marshal.loads(raw[embedded_snapshot._HEAD.size :])
    header = embedded_snapshot.marshal.dumps((min(embedded_snapshot.READS) - 1, *rest))
    head = embedded_snapshot._HEAD.pack(embedded_snapshot.MAGIC, len(header))
    old_head = embedded_snapshot._HEAD.unpack(raw[: embedded_snapshot._HEAD.size])[1]
    path.write_bytes(head + header + raw[embedded_snapshot._HEAD.size + old_head :])


@pytest.mark.parametrize(
    "spoil",
    [
        _truncated,
        _flipped,
        _other_format,
        lambda p: p.write_bytes(b""),
        lambda p: p.write_bytes(b"PLANKGIX" + bytes(range(256)) * 10),
        lambda p: p.write_bytes(pickle.dumps((1, ["x", 1], {"g": None}))),
    ],
    ids=["truncated", "flipped-byte", "older-format", "empty", "garbage", "a-pickle"],
)
def test_a_spoiled_snapshot_is_rebuilt_not_an_error(data, spoil, caplog):
    first = EmbeddedStore.open(data)
    spoil(data / SNAPSHOT)
    assert embedded_snapshot.load(EmbeddedStore, data) is None
    assert f"index snapshot {data / SNAPSHOT} not used" in caplog.text  # said, with where
    again = EmbeddedStore.open(data)  # rebuilt from plankg.nt, the snapshot rewritten
    assert _answers(again) == _answers(first)
    assert embedded_snapshot.load(EmbeddedStore, data) is not None


def test_the_pickled_snapshot_of_format_1_is_ignored_and_replaced(data):
    first = EmbeddedStore.open(data)
    (data / SNAPSHOT).unlink()
    legacy = data / "embedded.pickle"
    legacy.write_bytes(pickle.dumps((1, ["id", 1], {"g": None})))
    again = EmbeddedStore.open(data)
    assert _answers(again) == _answers(first)
    assert (data / SNAPSHOT).exists() and not legacy.exists()


def test_edges_of_one_type_share_one_attribute_dict_built_loaded_and_updated(
    data, sample_plans, monkeypatch
):
    """1.9 M edge dicts fewer at 10,000 plans: an edge's attributes are its type only, one
    dict per type, however the store came to be."""
    built = EmbeddedStore.open(data)
    _no_rebuild(monkeypatch)
    loaded = EmbeddedStore.open(data)
    plan = sample_plans[0]
    loaded.rdf.remove_plan(plan.doc)
    loaded.remove_plan(plan.doc)
    loaded.rdf.replace_plan(plan.doc, plan_lines(plan))
    loaded.apply_plan(plan.doc, plan_lines(plan))
    for store in (built, loaded):
        dicts: dict[str, set[int]] = {}
        for _, _, key, attrs in store.g.edges(keys=True, data=True):
            assert attrs == {"type": key}
            dicts.setdefault(key, set()).add(id(attrs))
        assert {"LEADS", "ASSISTS"} <= set(dicts)
        # a loaded store: the snapshot's dict per type, and the builder's for edges added since
        most = 1 if store is built else 2
        assert all(len(ids) <= most for ids in dicts.values()), dicts


def test_a_prefetched_snapshot_is_used_once_and_only_if_it_is_still_the_file(data, monkeypatch):
    first = EmbeddedStore.open(data)
    embedded_snapshot.prefetch(data)
    embedded_snapshot._PREFETCHED[(data / SNAPSHOT).resolve()][0].join()
    real = embedded_snapshot._read_checked
    reads = []  # the reads `load` makes itself (not the prefetching thread's)

    def counted(path):
        if threading.current_thread() is threading.main_thread():
            reads.append(path)
        return real(path)

    monkeypatch.setattr(embedded_snapshot, "_read_checked", counted)
    loaded = embedded_snapshot.load(EmbeddedStore, data)
    assert loaded is not None and reads == []  # the prefetched bytes, not a second read
    assert loaded[0].plans() == first.plans()
    assert embedded_snapshot.load(EmbeddedStore, data) is not None and len(reads) == 1
    # the file replaced after the prefetch (an update saved a new snapshot): read again
    embedded_snapshot.prefetch(data)
    embedded_snapshot._PREFETCHED[(data / SNAPSHOT).resolve()][0].join()
    gone = first.plans()[0].doc
    first.rdf.remove_plan(gone)
    first.remove_plan(gone)
    first.save_snapshot(data)
    again = embedded_snapshot.load(EmbeddedStore, data)
    assert len(reads) == 2 and gone not in [p.doc for p in again[0].plans()]
    # a prefetch of a folder without a snapshot: nothing, and the caller rebuilds
    (data / SNAPSHOT).unlink()
    embedded_snapshot.prefetch(data)
    assert embedded_snapshot.load(EmbeddedStore, data) is None


def test_serving_reads_the_snapshot_while_it_imports_not_after(data, monkeypatch):
    from plankg.api.commands.serve import build_app

    EmbeddedStore.open(data)  # the snapshot
    real = embedded_snapshot._read_checked
    reads = []

    def counted(path):
        if threading.current_thread() is threading.main_thread():
            reads.append(path)
        return real(path)

    monkeypatch.setattr(embedded_snapshot, "_read_checked", counted)
    _no_rebuild(monkeypatch)
    app = build_app("memory", data, None, None, None)
    try:
        assert reads == []  # read by the prefetching thread, used by the store's open
        assert app.state.plankg.store.plans()
    finally:
        if app.state.plankg.sandbox is not None:
            app.state.plankg.sandbox.close()
        app.state.close_library()
