"""The real-plan development set (`tests/realplans/`): plans from other jurisdictions, as
the web pages give them, with hand-annotated tasks. The folder is read, not a fixed list, so
documents added there are measured too. Floors sit just under the figures reached, so a
change cannot lose them silently; the extractor is also measured on plans not in the
repository, so no rule here may name a document."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from plankg.ingest.evaluation import run_gold_set
from plankg.ontology.folding import fold
from plankg.ontology.names import is_agency_like, is_collective, starts_with_verb

REALPLANS = Path(__file__).resolve().parent / "realplans"
_WS = re.compile(r"\s+")


@pytest.fixture(scope="module")
def run():
    return run_gold_set(REALPLANS)


def test_every_document_of_the_folder_is_read(run):
    docs = sorted(p.name for p in (REALPLANS / "docs").glob("*.txt"))
    assert sorted(p.doc for p in run.plans) == docs
    assert not run.errors


def test_accuracy_floors(run):
    s = run.scores
    assert s["tasks"].recall >= 0.98
    assert s["tasks"].precision >= 0.97
    assert s["lead_raw"].f1 >= 0.98
    assert s["assist_raw"].f1 >= 0.98
    assert s["indicators"].f1 >= 0.97


def test_jurisdiction_right_on_every_plan(run):
    wrong = {
        p.doc: ("".join(p.jurisdiction_path), run.truth[p.doc])
        for p in run.plans
        if "".join(p.jurisdiction_path) != run.truth[p.doc]
    }
    assert not wrong
    for p in run.plans:  # a real place, with its code and parents
        assert p.division_code and re.fullmatch(r"\d{6}", p.division_code)
        assert p.jurisdiction_path[-1].endswith(p.jurisdiction[-2:])


def _gold_names() -> set[str]:
    names = set()
    with (REALPLANS / "tasks.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            task = json.loads(line)
            names |= {fold(_WS.sub("", n)) for n in task["lead_raw"] + task["assist_raw"]}
    return names


_ROLE_WORD = re.compile(r"(牵头|负责|配合|协办|主办|参与|分别|下同|为准)$")
_NOT_START = re.compile(r"^(根据|由|按照|依据|制定|列第|排在|\d)")


def test_every_name_in_the_output_is_an_agency(run):
    """Every lead and assist name the set produces is one the gold names, or one that reads
    as an agency by the name rules: an agency ending, no role word or lead-in, not a bare
    level (`市`) or a phrase (`列第一位者`)."""
    gold = _gold_names()
    emitted = {
        name for r in run.records if r["kind"] == "task" for name in r["lead_raw"] + r["assist_raw"]
    }
    assert emitted
    for name in emitted:
        if fold(name) in gold:
            continue
        assert is_agency_like(name) or is_collective(name), name
        assert len(name) >= 2 and not _ROLE_WORD.search(name), name
        assert not _NOT_START.match(name) and not starts_with_verb(name), name


def test_raw_names_keep_the_source_script(run):
    traditional = [
        n
        for r in run.records
        if r["kind"] == "task"
        for n in r["lead_raw"] + r["assist_raw"]
        if fold(n) != n
    ]
    assert traditional  # the set has traditional-script plans: their names stay traditional
    canonical = [n for r in run.records if r["kind"] == "task" for n in r["lead"] + r["assist"]]
    assert all(fold(n) == n for n in canonical)  # canonical names are simplified
    assert not any(re.search(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔù]+\)", n) for n in canonical)


def test_lead_and_assist_keep_the_order_the_plan_names_them(run):
    gold = {}
    with (REALPLANS / "tasks.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            t = json.loads(line)
            gold[(t["doc"], fold(_WS.sub("", t["anchor"])))] = t
    checked = 0
    for r in run.records:
        if r["kind"] != "task":
            continue
        text = fold(_WS.sub("", r["text"]))
        for (doc, anchor), g in gold.items():
            if doc == r["doc"] and anchor in text:
                assert [fold(n) for n in r["lead_raw"]] == [fold(n) for n in g["lead_raw"]]
                assert [fold(n) for n in r["assist_raw"]] == [fold(n) for n in g["assist_raw"]]
                checked += 1
                break
    assert checked >= 0.95 * len(gold)
