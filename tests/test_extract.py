"""End-to-end extraction: accuracy on the sample plans, the CLI contract, and clause styles
from other plans written as short realistic snippets."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import GOLD_DIR, PLANS_DIR

from plankg.ingest.evaluation import evaluate
from plankg.ingest.extract import extract_text


@pytest.fixture(scope="module")
def scores(sample_plans):
    records = [
        r
        for p in sample_plans
        for r in (*map(lambda t: t.to_record(), p.tasks), *map(lambda g: g.to_record(), p.goals))
    ]
    return evaluate(records, GOLD_DIR)


def test_accuracy_on_the_sample_plans(scores):
    assert scores["tasks"].recall == 1.0
    for field in ("lead", "assist", "lead_raw", "assist_raw"):
        assert scores[field].f1 >= 0.98, field
    assert scores["indicators"].f1 >= 0.90
    assert scores["goals"].f1 >= 0.90
    assert scores["parks"].f1 >= 0.80


def test_titles_jurisdictions_and_working_groups(sample_plans, gold_taskforces):
    assert [p.jurisdiction for p in sample_plans] == ["平江县"] * 4 + ["大通湖区"]
    assert sample_plans[0].title == "平江县产业培塑行动实施方案"
    groups = {g.doc: g for p in sample_plans for g in p.working_groups}
    for gold in gold_taskforces:
        group = groups[gold["doc"]]
        assert group.name == gold["name"]
        assert group.office_agency.agency.canonical == gold["office_agency"]
        assert sorted(m.agency.canonical for m in group.members) == sorted(gold["members"])


def test_every_span_maps_back_to_the_source(sample_plans):
    import re

    for plan in sample_plans:
        for task in plan.tasks:
            source = plan.source_text[task.span.start : task.span.end]
            written = re.sub(r"\s|\*\*", "", re.sub(r"(?m)^#+", "", source))
            assert written == re.sub(r"\s", "", task.text)
            for m in (*task.lead, *task.assist):
                assert re.sub(r"\s", "", plan.source_text[m.span.start : m.span.end]) == m.raw


def _one(text: str, **kw):
    plan = extract_text(text, "snippet.txt", jurisdiction=kw.pop("jurisdiction", "临湘市"), **kw)
    return plan


@pytest.mark.parametrize(
    ("text", "lead", "assist"),
    [
        # several leads, 等负责
        (
            "（一）强化要素保障\n1.保障用地。优先保障重点项目用地。（市自然资源局、市发改委牵头，市财政局等负责）",
            ["市自然资源局", "市发改委"],
            ["市财政局"],
        ),
        # 牵头 then 配合
        (
            "1.推进数字政府建设。完善政务云平台。（市数据局牵头，市政务服务中心配合）",
            ["市数据局"],
            ["市政务服务中心"],
        ),
        # bare list: every agency leads jointly
        (
            "1.加强耕地保护。严守耕地红线。（市农业农村局、市自然资源局）",
            ["市农业农村局", "市自然资源局"],
            [],
        ),
        # labelled style on its own line
        (
            "1.推进园区标准化建设。\n牵头单位：市工业和信息化局；配合单位：市商务局、市市场监管局",
            ["市工业和信息化局"],
            ["市商务局", "市市场监管局"],
        ),
        # 责任单位 with the first-is-lead convention stated in the plan
        (
            "各项任务责任单位中排在第一位的为牵头单位。\n1.优化营商环境。推行一网通办。"
            "（责任单位：市行政审批服务局、市司法局）",
            ["市行政审批服务局"],
            ["市司法局"],
        ),
        # half-width brackets and 按职能分工负责
        (
            "1.发展新能源。建设风电场。(市发改委牵头,市林业局按职能分工负责)",
            ["市发改委"],
            ["市林业局"],
        ),
    ],
)
def test_clause_styles_from_other_plans(text, lead, assist):
    plan = _one(text)
    assert len(plan.tasks) == 1, plan.warnings
    task = plan.tasks[0]
    assert [m.raw for m in task.lead] == lead
    assert [m.raw for m in task.assist] == assist


def test_flattened_task_table():
    text = (
        "二、重点任务\n"
        "序号\t工作任务\t牵头单位\t责任单位\t完成时限\n"
        "1\t建设冷链物流中心\t县商务局\t县发改局、县财政局\t2024年底\n"
        "2\t新增规模以上企业20家\t县工信局\t县统计局\t2024年12月\n"
    )
    plan = _one(text, jurisdiction="华容县")
    assert [[m.raw for m in t.lead] for t in plan.tasks] == [["县商务局"], ["县工信局"]]
    assert [[m.raw for m in t.assist] for t in plan.tasks] == [
        ["县发改局", "县财政局"],
        ["县统计局"],
    ]
    assert plan.tasks[1].indicators[0].norm_value == 20


def test_traditional_characters():
    plan = _one(
        "1.推進產業園建設。加快標準廠房建設。（縣發改局牽頭，縣財政局配合）", jurisdiction="平江县"
    )
    assert [m.agency.canonical for m in plan.tasks[0].lead] == ["平江县发展和改革局"]
    assert [m.agency.canonical for m in plan.tasks[0].assist] == ["平江县财政局"]


def test_unparsable_clause_is_reported_with_its_location():
    plan = _one("1.加强督查。定期通报进展。（牵头：待定；责任单位：）")
    assert not plan.tasks
    codes = [w.code for w in plan.warnings]
    assert "unparsed-clause" in codes or "no-tasks" in codes
    assert any(w.span is not None for w in plan.warnings if w.code == "unparsed-clause")


def test_goals_section_gives_goals_not_tasks():
    plan = _one(
        "一、工作目标\n到2025年，全市规模以上工业企业达到1200家左右，单位GDP能耗下降3%以内。\n"
        "二、重点任务\n1.扩大投资。新增投资100亿元以上。（市发改委牵头）"
    )
    assert len(plan.tasks) == 1
    (goal,) = plan.goals  # one goal, one record, its two targets inside
    targets = [(i.norm_value, i.norm_unit, i.comparator) for i in goal.indicators]
    assert targets == [(1200, "家", "~"), (3, "%", "<=")]
    record = goal.to_record()
    assert record["kind"] == "goal" and len(record["indicators"]) == 2


def test_cli_extract_contract(tmp_path):
    missing = tmp_path / "missing.txt"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "plankg.api.cli",
            "extract",
            str(PLANS_DIR / "000_99d16d149e72ffbe.txt"),
            str(missing),
            "--format",
            "jsonl",
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert "missing.txt" in proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    tasks = [r for r in records if r["kind"] == "task"]
    assert len(tasks) == 12
    fields = {
        "doc",
        "section",
        "title",
        "lead",
        "assist",
        "lead_raw",
        "assist_raw",
        "indicators",
        "projects",
        "parks",
        "text",
        "span",
    }
    assert fields <= set(tasks[0])
    assert tasks[0]["doc"] == "000_99d16d149e72ffbe.txt"
    assert any(r["kind"] == "goal" for r in records)


def test_cli_jurisdiction_override_and_sidecar(tmp_path):
    plan = tmp_path / "plan.txt"
    plan.write_text("1.推进改革。（县发改局牵头）", encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "plankg.api.cli", "extract", str(plan), "--jurisdiction", "华容县"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    plan_line, task_line = (json.loads(line) for line in out.splitlines())
    assert plan_line == {
        "kind": "plan",
        "doc": "plan.txt",
        "title": "plan",
        "jurisdiction": "华容县",
        "division_code": "430623",
        "jurisdiction_path": ["湖南省", "岳阳市", "华容县"],
    }
    assert task_line["lead"] == ["华容县发展和改革局"]
    (tmp_path / "plan.txt.meta.toml").write_text('jurisdiction = "岳阳县"\n', encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "plankg.api.cli", "extract", str(plan)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(out.splitlines()[1])["lead"] == ["岳阳县发展和改革局"]


def test_one_goal_is_one_record_in_the_sample_plans(sample_plans):
    for plan in sample_plans:
        texts = [g.text for g in plan.goals]
        assert len(texts) == len(set(texts)), plan.doc  # never the same goal twice
        assert all(g.indicators for g in plan.goals)
    assert any(len(g.indicators) > 1 for p in sample_plans for g in p.goals)
