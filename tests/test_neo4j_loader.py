"""The loader's batching and read-ahead, without a server (the server side is in
test_neo4j_server.py and the contract suite)."""

from __future__ import annotations

import threading

import pytest

from plankg.graph.neo4j_store import _ahead, _Batches


def test_batches_are_cut_by_rows_and_by_bytes_per_statement():
    batches = _Batches(3, None)
    full = [batches.add(s, {"i": i}) for i, s in enumerate("ababab" + "a")]
    assert full[:6] == [None] * 6
    assert full[6] == [{"i": 0}, {"i": 2}, {"i": 4}]  # the fourth 'a' row displaces three
    assert list(batches.drain()) == [("a", [{"i": 6}]), ("b", [{"i": 1}, {"i": 3}, {"i": 5}])]
    by_bytes = _Batches(1000, 40)
    cuts = [by_bytes.add("s", {"text": "一二三四五"}) for _ in range(4)]  # 29 bytes each
    assert [c is not None for c in cuts] == [False, True, True, True]


def test_read_ahead_keeps_order_and_passes_errors_on():
    assert list(_ahead(iter(range(1000)))) == list(range(1000))

    def failing():
        yield 1
        raise ValueError("line 2 is not N-Triples")

    with pytest.raises(ValueError, match="line 2"):
        list(_ahead(failing()))


def test_a_consumer_that_stops_early_stops_the_reader():
    before = threading.active_count()
    for i in _ahead(iter(range(10**9))):
        if i == 5:
            break
    assert threading.active_count() == before
