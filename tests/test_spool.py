"""The line spool: sorted distinct N-Triples lines through run files, same answer as in memory."""

from __future__ import annotations

import pytest

from plankg.graph import spool as spool_module
from plankg.graph.spool import LineSpool
from plankg.ingest.pipeline import ingest
from plankg.ingest.rdf import build_lines, plan_lines


def test_spilled_runs_merge_to_the_in_memory_lines(sample_plans, tmp_path):
    with LineSpool(chunk_lines=500, directory=tmp_path) as spool:
        for line in build_lines(sample_plans * 2):
            spool.add_line(line.encode())
        merged = list(spool)
        assert spool.runs > 3
        assert list(spool) == merged  # a second pass gives the same lines
    assert merged == [line.encode() for line in build_lines(sample_plans)]
    assert list(tmp_path.iterdir()) == []  # closing removed the run files


def test_lines_repeated_across_runs_come_out_once(tmp_path):
    with LineSpool(chunk_lines=2, directory=tmp_path) as spool:
        for line in (
            b"<b> <p> <o> .\n",
            b"<a> <p> <o> .\n",
            b"<b> <p> <o> .\n",
            b"<c> <p> <o> .\n",
        ):
            spool.add_line(line)
        spool.add_line(b"<a> <p> <o> .\n")
        assert list(spool) == [b"<a> <p> <o> .\n", b"<b> <p> <o> .\n", b"<c> <p> <o> .\n"]


def test_a_small_corpus_never_touches_the_disk(sample_plans, tmp_path):
    with LineSpool(directory=tmp_path) as spool:
        for line in build_lines(sample_plans):
            spool.add_line(line.encode())
        assert len(list(spool)) > 1000 and spool.runs == 0
        assert list(tmp_path.iterdir()) == []


def test_chunk_size_must_be_positive():
    with pytest.raises(ValueError):
        LineSpool(chunk_lines=0)


def test_ingest_writes_the_same_bytes_whether_or_not_it_spills(sample_paths, tmp_path, monkeypatch):
    in_memory = ingest(sample_paths, tmp_path / "memory")
    monkeypatch.setattr(spool_module, "CHUNK_LINES", 300)
    spilled = ingest(sample_paths, tmp_path / "spilled")
    assert spilled.triples == in_memory.triples > 1000
    for name in ("plankg.nt", "plankg.ttl", "plankg.jsonld"):
        assert (tmp_path / "spilled" / name).read_bytes() == (
            tmp_path / "memory" / name
        ).read_bytes()


def test_blocks_of_lines_and_write_to_give_the_sorted_distinct_lines(sample_plans, tmp_path):
    """`add_lines` (a plan's block) and `write_to`, in memory and through run files."""
    blocks = ["".join(plan_lines(p)).encode() for p in sample_plans]
    expected = b"".join(line.encode() for line in build_lines(sample_plans))
    for chunk in (None, 700):
        with LineSpool(chunk_lines=chunk, directory=tmp_path) as spool:
            for block in blocks * 2:
                spool.add_lines(block)
            assert (spool.runs > 3) == (chunk is not None)
            count = spool.write_to(tmp_path / "out.nt")
        assert (tmp_path / "out.nt").read_bytes() == expected
        assert count == expected.count(b"\n") > 9000
