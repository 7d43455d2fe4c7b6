"""The synthetic benchmark corpus (`bench/corpus.py`): deterministic, renamed, gold consistent."""

from __future__ import annotations

import csv
import itertools
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `bench` is not part of the installed package
    sys.path.insert(0, str(ROOT))

from bench import places  # noqa: E402
from bench.corpus import (  # noqa: E402
    SOURCE_PLACES,
    generate,
    iter_stems,
    load_sources,
    main,
    renumber,
    split_blocks,
)

_WS = re.compile(r"\s+")
SAMPLE_NAMES = ("平江", "大通湖")
COLLECTIVES = {"各镇", "区直各单位"}  # canonical as written: no place in the sample either


def _jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """50 plans, 10 jurisdictions (seed 0 has both 县 and 区 among them)."""
    out = tmp_path_factory.mktemp("corpus")
    info = generate(50, out, seed=0)
    docs = _jsonl(out / "gold" / "docs.jsonl")
    tasks = defaultdict(list)
    for rec in _jsonl(out / "gold" / "tasks.jsonl"):
        tasks[rec["doc"]].append(rec)
    goals = defaultdict(list)
    for rec in _jsonl(out / "gold" / "goals.jsonl"):
        goals[rec["doc"]].append(rec)
    texts = {d["doc"]: (out / "plans" / d["doc"]).read_bytes().decode("utf-8") for d in docs}
    return {
        "out": out,
        "info": info,
        "docs": docs,
        "tasks": tasks,
        "goals": goals,
        "texts": texts,
    }


# ---------------------------------------------------------------- the samples it is built from


def test_samples_cut_consistently_with_their_gold(gold_tasks, gold_goals):
    src = load_sources()  # raises if a task block, anchor or section path disagrees with gold
    n_tasks = sum(1 for ss in src.sections.values() for s in ss for c in s.children if c.task)
    assert n_tasks == len(gold_tasks)
    n_goals = sum(len(k.goals) for ks in src.skeletons.values() for k in ks) + sum(
        len(s.goals) + sum(len(c.goals) for c in s.children)
        for ss in src.sections.values()
        for s in ss
    )
    assert n_goals == len(gold_goals)
    assert len(src.skeletons["县"]) == 4 and len(src.skeletons["区"]) == 1


def test_page_break_fragments_stay_in_their_block():
    text = (
        "（一）标题\n\n休闲食品。持续培强“省\n\n字号”等品牌。（县发改局牵头）\n\n"
        "光电。做强。（区科技工信局等负责）\n"
    )
    blocks = split_blocks(text)
    assert [text[b.start : b.end].split("。")[0] for b in blocks] == [
        "（一）标题",
        "休闲食品",
        "光电",
    ]
    assert [b.closed for b in blocks] == [False, True, True]
    # a parenthesis that is not a clause does not end a task: 中国（平江）
    blocks = split_blocks("1. 节会。举办中国（平江）\n\n休闲食品文化节。（县商务局牵头）")
    assert len(blocks) == 1 and blocks[0].closed


def test_renumber_keeps_the_marker_form():
    assert renumber("（三）", 1) == "（一）"
    assert renumber("(四)", 12) == "(十二)"
    assert renumber("一、", 21) == "二十一、"
    assert renumber("1．", 3) == "3．"
    assert renumber("(1)", 10) == "(10)"


# ---------------------------------------------------------------- determinism


def test_same_seed_same_bytes_other_seed_other_corpus(tmp_path):
    generate(10, tmp_path / "a", seed=3)
    generate(10, tmp_path / "b", seed=3)
    generate(10, tmp_path / "c", seed=4)
    a, b, c = (_files(tmp_path / x) for x in "abc")
    assert a == b
    assert set(a) != set(c)  # doc names carry a content hash
    assert [v for k, v in a.items() if k.startswith("plans")] != [
        v for k, v in c.items() if k.startswith("plans")
    ]


def test_a_smaller_corpus_is_a_prefix_of_a_larger_one(tmp_path):
    small = generate(10, tmp_path / "s", seed=1)
    generate(20, tmp_path / "l", seed=1)
    s_plans = _files(tmp_path / "s" / "plans")
    l_plans = _files(tmp_path / "l" / "plans")
    assert s_plans == {k: v for k, v in l_plans.items() if int(k.split("_")[0]) < small.plans}


def test_regenerating_into_the_same_folder_replaces_the_corpus(tmp_path):
    generate(12, tmp_path, seed=0)
    generate(6, tmp_path, seed=0)
    assert len(list((tmp_path / "plans").glob("*.txt"))) == 6


# ---------------------------------------------------------------- invented jurisdictions


def test_invented_names_are_unique_plausible_and_not_real():
    stems = list(itertools.islice(iter_stems(0), 3000))
    assert len(set(stems)) == len(stems)
    assert all(len(s) == 2 for s in stems)
    real = places.real_stems()
    assert "怀安" in real and "平江" in real
    for s in stems:
        assert s not in real
        assert not set(s) & places.FORBIDDEN
        assert s[-1] not in places.FORBIDDEN_LAST
        assert not any(name in s or s in name for name in SAMPLE_NAMES)
    assert stems != list(itertools.islice(iter_stems(1), 3000))


def test_jurisdictions_in_the_corpus(corpus):
    out = corpus["out"]
    with (out / "gold" / "jurisdictions.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    names = [r["name"] for r in rows]
    assert len(names) == len(set(names)) == corpus["info"].jurisdictions == 10
    assert {n[-1] for n in names} == {"县", "区"}
    assert all(r["short"] == r["name"][:-1] for r in rows)
    assert not set(names) & {full for full, _ in SOURCE_PLACES.values()}
    per_place = defaultdict(list)
    for d in corpus["docs"]:
        per_place[d["jurisdiction"]].append(d["doc"])
        assert d["level"] == d["jurisdiction"][-1]
        assert d["skeleton"].startswith("004") == (d["level"] == "区")
    assert sorted(per_place) == sorted(names)
    assert all(len(v) == 5 for v in per_place.values())


# ---------------------------------------------------------------- text and gold


def test_no_sample_place_name_survives(corpus):
    for name, data in _files(corpus["out"]).items():
        text = data.decode("utf-8")
        for sample in SAMPLE_NAMES:
            assert sample not in text, (name, sample)


def test_every_plan_names_its_own_jurisdiction(corpus):
    for d in corpus["docs"]:
        text = corpus["texts"][d["doc"]]
        assert d["jurisdiction"][:-1] in text
        others = {x["jurisdiction"][:-1] for x in corpus["docs"]} - {d["jurisdiction"][:-1]}
        assert not any(o in text for o in others)


def test_anchors_unique_and_present_in_their_doc(corpus):
    assert corpus["info"].tasks == sum(len(v) for v in corpus["tasks"].values())
    for d in corpus["docs"]:
        flat = _WS.sub("", corpus["texts"][d["doc"]])
        tasks = corpus["tasks"][d["doc"]]
        assert len(tasks) == d["tasks"] > 0
        for rec in tasks:
            assert flat.count(_WS.sub("", rec["anchor"])) == 1, (d["doc"], rec["anchor"])
        for rec in corpus["goals"][d["doc"]]:
            assert _WS.sub("", rec["anchor"]) in flat


def test_sections_exist_in_the_text_and_are_numbered_in_order(corpus):
    for d in corpus["docs"]:
        flat = _WS.sub("", corpus["texts"][d["doc"]]).replace("*", "")
        by_container = defaultdict(list)
        for rec in corpus["tasks"][d["doc"]]:
            for heading in rec["section"]:
                assert heading in flat
            *container, own = rec["section"]
            if own not in by_container[tuple(container)]:
                by_container[tuple(container)].append(own)
        for headings in by_container.values():
            numbers = [re.match(r"[（(]?([一二三四五六七八九十\d]+)", h).group(1) for h in headings]
            expected = [renumber(numbers[0], n) for n in range(1, len(numbers) + 1)]
            assert numbers == expected


def test_paragraphs_copied_byte_for_byte_with_page_breaks(corpus):
    src = load_sources()
    damaged = 0
    for d in corpus["docs"]:
        stem, level = d["jurisdiction"][:-1], d["level"]
        short = SOURCE_PLACES[level][1]
        text = corpus["texts"][d["doc"]]
        children = {
            c.task["anchor"].replace(short, stem): c
            for s in src.sections[level]
            for c in s.children
            if c.task
        }
        for rec in corpus["tasks"][d["doc"]]:
            c = children[rec["anchor"]]
            body = c.text[c.marker[1] if c.marker else 0 :].replace(short, stem)
            assert body in text
            damaged += "\n\n" in body
    assert damaged > 0  # page-break damage is carried over, not repaired


def test_gold_agencies_belong_to_the_invented_jurisdiction(corpus):
    out = corpus["out"]
    with (out / "gold" / "agencies.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    known = defaultdict(set)
    for row in rows:
        known[row["jurisdiction"]].add(row["canonical"])
        stem = row["jurisdiction"][:-1]
        assert row["canonical"] in COLLECTIVES or stem in row["canonical"]
    sample_rows = {lv: len(r) for lv, r in load_sources().agencies.items()}
    for name, canon in known.items():
        assert len(canon) == sample_rows[name[-1]]

    jurisdiction = {d["doc"]: d["jurisdiction"] for d in corpus["docs"]}
    for doc, tasks in corpus["tasks"].items():
        place = jurisdiction[doc]
        for rec in tasks:
            for name in rec["lead"] + rec["assist"]:
                assert name in known[place], (doc, name)
                assert name in COLLECTIVES or place[:-1] in name
            for name in rec["lead"] + rec["assist"]:
                if name.endswith("局") and not name.startswith(("人民银行", "金融监管局", "岳阳")):
                    assert name.startswith(place), name  # 平江县科技和工业信息化局 → X县…


def test_taskforces_follow_their_skeleton(corpus):
    forces = _jsonl(corpus["out"] / "gold" / "taskforces.jsonl")
    assert {f["doc"] for f in forces} == {d["doc"] for d in corpus["docs"]}
    assert corpus["info"].taskforces == len(forces)


def test_counts_and_sidecars(tmp_path):
    info = generate(7, tmp_path, seed=2, plans_per_jurisdiction=3, sidecars=True)
    plans = sorted((tmp_path / "plans").glob("*.txt"))
    assert info.plans == len(plans) == 7
    assert info.jurisdictions == 3
    assert info.bytes == sum(p.stat().st_size for p in plans)
    docs = {d["doc"]: d for d in _jsonl(tmp_path / "gold" / "docs.jsonl")}
    from plankg.ingest.jurisdiction import given
    from plankg.ingest.metadata import read_sidecar

    for p in plans:
        written = read_sidecar(p)["jurisdiction"]
        place = docs[p.name]["jurisdiction"]
        # the invented place, written out under the sample's real parents
        assert written.startswith("湖南省") and written.endswith(place)
        found = given(written)
        assert found.division is None and found.name == place
        assert [d.name for d in found.parents][-1] in ("岳阳市", "益阳市")


def test_the_command_line_writes_a_corpus(tmp_path, capsys):
    load_sources()
    assert main(["10", str(tmp_path), "--seed", "5"]) == 0
    assert "10 plans" in capsys.readouterr().out


def test_the_project_evaluator_scores_the_corpus(tmp_path):
    """The gold is in the evaluator's format: with the jurisdiction given (sidecars) and the
    corpus alias rows loaded, the extractor scores on synthetic plans as on the samples."""
    from plankg.ingest.agencies import AgencyDirectory
    from plankg.ingest.evaluation import evaluate
    from plankg.ingest.extract import extract_plan

    generate(10, tmp_path, seed=0, sidecars=True)
    directory = AgencyDirectory.load()
    for agency in AgencyDirectory.load(tmp_path / "gold" / "agencies.csv").all_agencies():
        directory.add(agency)
    records = []
    for path in sorted((tmp_path / "plans").glob("*.txt")):
        plan = extract_plan(path, directory=directory)
        records += [t.to_record() for t in plan.tasks] + [g.to_record() for g in plan.goals]
    scores = evaluate(records, tmp_path / "gold")
    assert scores["tasks"].tp > 100
    for metric in ("tasks", "lead", "assist", "lead_raw", "goals"):
        assert scores[metric].f1 >= 0.95, (metric, scores[metric])


def test_no_two_plans_have_the_same_text(tmp_path):
    """Seed 0 used to give plans 5186 and 5189 (one district, one skeleton) the same text,
    which ingestion rightly skips as a duplicate; the generator now draws again."""
    from bench.corpus import generate

    generate(5200, tmp_path, seed=0)
    digests = [p.name.split("_")[1] for p in (tmp_path / "plans").glob("*.txt")]
    assert len(digests) == 5200 and len(set(digests)) == 5200
