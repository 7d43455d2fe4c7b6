"""Quantities and targets: magnitudes, comparators, years, lists, and what is not a target."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plankg.ingest.indicators import extract_indicators
from plankg.ingest.quantities import find_quantities, parse_number


def _targets(text):
    return [(i.norm_value, i.norm_unit, i.comparator, i.year) for i in extract_indicators(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("培育规模以上食品加工企业130家以上", [(130, "家", ">=", None)]),
        ("力争2024年食品加工总产值达到390亿以上", [(39000000000, "元", ">=", 2024)]),
        ("建成高标准农田3.29万亩", [(32900, "亩", "=", None)]),
        ("实际使用外资数200万美元", [(2000000, "美元", "=", None)]),
        ("到2025年，全市规模以上工业企业达到1200家左右", [(1200, "家", "~", 2025)]),
        ("单位GDP能耗下降3%以内", [(3, "%", "<=", None)]),
        ("新增就业不少于5000人", [(5000, "人", ">=", None)]),
        ("城乡居民收入增长8%和10%以上", [(8, "%", ">=", None), (10, "%", ">=", None)]),
        ("“五好”园区创建综合评价进入全省前十", [(10, "名", "<=", None)]),
        ("培育2-3家年产值超亿元的节能环保龙头企业", [(2, "家", ">=", None)]),
        ("新增两个省级平台", [(2, "个", "=", None)]),
    ],
)
def test_targets(text, expected):
    assert _targets(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "举办第三届中国休闲食品文化节",
        "完成G536平江县青冲至伍市公路建设",
        "支持天岳石牛寨创建国家5A级景区",
        "加快推动年产25万吨正宗辣条产业园一期工程建设",
        "全面落实“民营经济31条”等惠企政策",
        "打造市民“15分钟”生活圈",
        "建设35KV冬塔变",
    ],
)
def test_numbers_that_are_not_targets(text):
    assert _targets(text) == []


def test_each_and_respectively_distribute_over_subjects():
    each = extract_indicators("新增省级农业产业化龙头企业、农民专业合作社、家庭农场各1家")
    assert [i.subject for i in each] == [
        "新增省级农业产业化龙头企业",
        "新增省级农民专业合作社",
        "新增省级家庭农场",
    ]
    resp = extract_indicators(
        "力争云母、休闲食品、石膏建材、电子信息四大产业产值分别达到60亿元、420亿元、50亿元和30亿元"
    )
    assert [(i.subject, i.norm_value) for i in resp] == [
        ("云母产业产值", 6e9),
        ("休闲食品产业产值", 4.2e10),
        ("石膏建材产业产值", 5e9),
        ("电子信息产业产值", 3e9),
    ]


def test_parse_number():
    assert parse_number("1,200.5") == 1200.5
    assert parse_number("两") == 2
    assert parse_number("十二") == 12
    assert parse_number("一百二十") == 120
    assert parse_number("abc") is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_never_raises_and_spans_point_at_the_number(text):
    for q in find_quantities(text):
        assert 0 <= q.start < q.end <= len(text)
    for ind in extract_indicators(text):
        assert 0 <= ind.span.start < ind.span.end <= len(text)
