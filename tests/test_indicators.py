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
        ("新增两个省级平台", [(2, "个", "=", None)]),
    ],
)
def test_targets(text, expected):
    assert _targets(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # traditional script: units and magnitudes read like simplified
        ("計劃投資12.5億元建設冷鏈物流中心", [(1250000000, "元")]),
        ("新增城市綠地2.4萬平方米", [(24000, "平方米")]),
        ("年內新增糧食產能3萬噸", [(30000, "吨")]),
        # dimensions and capacities of what the task itself builds
        ("建设一座日供水10万吨的第三水厂", [(100000, "吨")]),
        ("新建滨江大道，全长约3.5公里，宽24米", [(3.5, "公里"), (24, "米")]),
        ("改造老旧管网1.2万米", [(12000, "米")]),
    ],
)
def test_units_and_dimensions(text, expected):
    assert [(i.norm_value, i.norm_unit) for i in extract_indicators(text)] == expected


def test_unit_is_reported_as_written():
    (ind,) = extract_indicators("建設輸水管道25公里、水廠日供水30萬噸")[1:]
    assert (ind.value, ind.unit, ind.norm_value, ind.norm_unit) == (30, "萬噸", 300000, "吨")


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
        # ranges promise no single value
        "培育2-3家年产值超亿元的节能环保龙头企业",
        "新建3～5个村级综合服务站",
        "創建1-2家國家級示範基地",
        # ordinals, document numbers, deadlines and periods
        "举办第五届农民丰收节",
        "根据市政发〔2022〕15号文件要求",
        "按照府發〔2021〕8號精神",
        "2022年6月底前完成摸底",
        "1-10月累计完成情况",
        # policy names that contain numbers
        "落实“稳经济12条”",
        "出台支持民营企业发展20条措施",
        "兑现惠企10项举措",
        "构建“1+3+N”政策体系",
        "完善1+3+5政策体系",
        # level thresholds and Chinese-numeral kinds
        "推动三级以上医院全部接入平台",
        "二级及以上医疗机构实现全覆盖",
        "实施六大工程",
        "培育五大产业集群",
        # page damage that only looks like a number
        "为IO(X)人提供康复辅具租赁服务",
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
