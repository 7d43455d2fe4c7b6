"""Batches: bad files are reported and skipped, duplicates detected, the rest ingested."""

from __future__ import annotations

import os
import shutil

from conftest import PLANS_DIR

from plankg.ingest import pipeline
from plankg.ingest.extract import extract_text
from plankg.ingest.pipeline import ingest


def test_a_batch_goes_on_past_bad_files_and_reports_duplicates(tmp_path):
    src = tmp_path / "plans"
    src.mkdir()
    for name in ("000_99d16d149e72ffbe.txt", "004_3395e04ab8c3aead.txt"):
        shutil.copy(PLANS_DIR / name, src / name)
    shutil.copy(PLANS_DIR / "000_99d16d149e72ffbe.txt", src / "copy-of-000.txt")
    (src / "empty.txt").write_bytes(b"")
    (src / "binary.txt").write_bytes(b"\x00\x01\x02" * 50)
    summary = ingest(
        [src, tmp_path / "missing.txt", str(tmp_path / "nothing-*.txt")], tmp_path / "out"
    )
    assert sorted(p.doc for p in summary.plans) == [
        "000_99d16d149e72ffbe.txt",
        "004_3395e04ab8c3aead.txt",
    ]
    assert any("copy-of-000.txt" in d and "duplicate" in d for d in summary.duplicates)
    errors = "\n".join(summary.errors)
    for name in ("empty.txt", "binary.txt", "missing.txt", "nothing-*.txt"):
        assert name in errors
    assert summary.counts()["errors"] == 5
    assert (tmp_path / "out" / "plankg.nt").exists()


def test_undetectable_jurisdiction_is_a_warning_not_a_guess():
    plan = extract_text("1.推进改革。深化放管服改革。（发改局牵头，财政局配合）", "x.txt")
    assert plan.jurisdiction == "未知辖区"
    assert any(w.code == "no-jurisdiction" and "--jurisdiction" in w.message for w in plan.warnings)
    assert [m.raw for m in plan.tasks[0].lead] == ["发改局"]


def test_a_batch_freezes_finished_plans_and_thaws_them_at_the_end(monkeypatch):
    """Finished plans are kept out of the cyclic collector's scans during a batch (so cost per
    plan stays flat), and the process is left as it was: nothing frozen, collector on."""
    import gc

    from plankg.ingest import pipeline

    monkeypatch.setattr(pipeline, "FREEZE_EVERY", 2)
    frozen_during: list[int] = []
    real_extract = pipeline.extract_plan

    def spy(*args, **kwargs):
        frozen_during.append(gc.get_freeze_count())
        return real_extract(*args, **kwargs)

    monkeypatch.setattr(pipeline, "extract_plan", spy)
    summary = pipeline.extract_all([PLANS_DIR])
    assert len(summary.plans) == 5
    assert frozen_during[0] == 0 and frozen_during[-1] > 0  # frozen after the second plan
    assert gc.get_freeze_count() == 0 and gc.isenabled()


def test_bulk_graph_work_restores_the_collector_even_on_error():
    import gc

    import pytest

    from plankg.ontology.ntriples import collector_paused

    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_any_number_of_jobs_and_any_hash_seed_write_the_same_bytes(tmp_path):
    """`plankg ingest --jobs 1` and `--jobs 2`, under two hash seeds, in fresh processes:
    the same N-Triples, Turtle and JSON-LD bytes (duplicates still decided in file order)."""
    import subprocess
    import sys

    src = tmp_path / "plans"
    shutil.copytree(PLANS_DIR, src)
    shutil.copy(PLANS_DIR / "000_99d16d149e72ffbe.txt", src / "zz-copy-of-000.txt")
    runs = {}
    CLI = [sys.executable, "-c", "from plankg.api.cli import main; main()"]
    for jobs, seed in ((1, "1"), (2, "2")):
        out = tmp_path / f"out{jobs}"
        done = subprocess.run(
            [*CLI, "ingest", str(src), "--out", str(out), "--jobs", str(jobs)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr
        assert "zz-copy-of-000.txt: same content as" in done.stderr
        runs[jobs] = {
            n: (out / n).read_bytes() for n in ("plankg.nt", "plankg.ttl", "plankg.jsonld")
        }
    assert runs[1] == runs[2]
    assert len(runs[1]["plankg.nt"].splitlines()) > 9000


def test_jobs_in_process_match_one_job(tmp_path):
    one = ingest([PLANS_DIR], tmp_path / "one", jobs=1)
    two = ingest([PLANS_DIR], tmp_path / "two", jobs=2)
    assert [p.doc for p in one.plans] == [p.doc for p in two.plans]
    assert one.counts() == two.counts()
    for name in ("plankg.nt", "plankg.ttl", "plankg.jsonld"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_overlapped_ingest_builds_the_store_and_files_one_job_builds(tmp_path, monkeypatch):
    """With jobs > 1, plan graphs load in small batches in a thread and Turtle / JSON-LD are
    serialised in child processes (forced here for the samples): the same files, the same
    store contents as one job doing each step in turn."""
    from plankg.graph import rdf_store
    from plankg.graph.rdf_store import META, RdfStore

    one = ingest([PLANS_DIR], tmp_path / "one", jobs=1)
    monkeypatch.setattr(pipeline, "SERIALISE_APART_BYTES", 0)
    monkeypatch.setattr(rdf_store, "BATCH_BYTES", 50_000)
    two = ingest([PLANS_DIR], tmp_path / "two", jobs=2)
    assert two.triples == one.triples > 9000
    for name in ("plankg.nt", "plankg.ttl", "plankg.jsonld"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    assert not list((tmp_path / "two").glob(".*"))  # no temporary file left behind
    stores = [RdfStore.open(tmp_path / d, read_only=True) for d in ("one", "two")]
    quads = [{str(q) for q in s.store if str(q.graph_name) != f"<{META}>"} for s in stores]
    assert quads[0] == quads[1] and len(quads[0]) > 2 * 9000 - 1
    assert stores[0].plans() == stores[1].plans() and len(stores[1].plans()) == len(one.plans)
