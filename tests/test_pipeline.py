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
