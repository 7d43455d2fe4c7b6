"""Batches: bad files are reported and skipped, duplicates detected, the rest ingested."""

from __future__ import annotations

import shutil

from conftest import PLANS_DIR

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
