"""Indicator subjects: the clean form (`clean_subject`), the matching key (`subject_key`), and a
sweep over every sample and real plan that no extracted subject carries item numbers, tabs,
hedges or verbs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from plankg.ingest.extract import extract_plan
from plankg.ingest.indicators import extract_indicators
from plankg.ingest.normalize import normalize
from plankg.ontology.folding import fold
from plankg.ontology.subjects import clean_subject, subject_key, vocabulary

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "data" / "plans").glob("*.txt"))
REAL = sorted((ROOT / "tests" / "realplans" / "docs").glob("*.txt"))


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("1.努力实现地区生产总值增长率", "地区生产总值增长率"),
        ("3\t固定资产投资增长率", "固定资产投资增长率"),
        ("（二）力争全县规上工业增加值", "规上工业增加值"),
        ("二、确保完成粮食播种面积", "粮食播种面积"),
        ("7城镇居民人均可支配收入", "城镇居民人均可支配收入"),  # a table row number
        ("五、民生 | 12.新建学校|计划完成新建幼儿园", "新建幼儿园"),  # table cells
        ("2025年全市新增就业人数", "新增就业人数"),  # 新增 says what is counted: kept
        ("1-6月份城乡居民收入", "城乡居民收入"),
        ("力爭實現外貿進出口總額", "外貿進出口總額"),  # matched folded, kept as written
        ("落实好消费券发放", "消费券发放"),
        ("森林覆盖率稳定在", "森林覆盖率"),
        ("5G基站", "5G基站"),
        ("确保", ""),  # nothing but a hedge: the caller falls back to the words after the value
    ],
)
def test_clean_subject(raw, clean):
    assert clean_subject(raw) == clean


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("1.努力实现地区生产总值增长率", "地区生产总值增速", True),
        ("全区一般公共预算收入增幅", "一般公共预算收入增长", True),
        ("平江县固定资产投资增长率", "固定资产投资增长率", True),
        ("地區生產總值增長率", "地区生产总值增长率", True),
        ("（三）社会消费品零售总额", "社会消费品零售总额", True),
        ("新增规模以上工业企业", "规模以上工业企业", False),
        ("确保", "力争", False),  # empty once cleaned: compared as written
    ],
)
def test_subject_key(a, b, same):
    assert (subject_key(a, "平江县") == subject_key(b, "平江县")) is same


def test_extraction_reports_clean_subjects_with_units_as_written():
    (ind,) = extract_indicators("1.力爭實現全市糧食產量達到30萬噸以上")
    assert (ind.subject, ind.unit, ind.norm_value, ind.norm_unit) == (
        "糧食產量",
        "萬噸",
        300000,
        "吨",
    )
    (growth,) = extract_indicators("3\t努力实现地区生产总值增长6.5%左右")
    assert growth.subject == "地区生产总值增长率"


_ITEM_NUMBER = re.compile(
    r"^(\d(?![A-Za-z])|[（(][\d一二三四五六七八九十]+[）)]|[一二三四五六七八九十]+、|[①-⑳])"
)


def _every_indicator():
    """(where, subject) for every indicator the pipeline extracts from the sample and real
    plans, and for every indicator `extract_indicators` finds in each line of the real plans
    (raw and normalised), so the sweep does not depend on how tasks are segmented."""
    for path in [*SAMPLES, *REAL]:
        plan = extract_plan(path)
        for task in plan.tasks:
            for ind in task.indicators:
                yield f"{path.name} task {task.ordinal}", ind.subject
        for goal in plan.goals:
            for ind in goal.indicators:
                yield f"{path.name} goal", ind.subject
    for path in REAL:
        raw = path.read_text(encoding="utf-8")
        for n, line in enumerate([*raw.splitlines(), *normalize(raw).text.splitlines()]):
            for ind in extract_indicators(line):
                yield f"{path.name} line {n}", ind.subject


def test_no_subject_carries_item_numbers_tabs_hedges_or_verbs():
    leading = vocabulary().leading
    found = list(_every_indicator())
    assert len(found) > 250  # the sweep really covers the documents
    bad = [
        (where, subject)
        for where, subject in found
        if "\t" in subject
        or "|" in subject
        or _ITEM_NUMBER.match(subject)
        or fold(subject).startswith(leading)
    ]
    assert bad == []
