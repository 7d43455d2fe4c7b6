"""The normaliser: page-break repair, furniture, markup, spaces, and the map back to the source."""

from __future__ import annotations

import re

from conftest import PLANS_DIR
from hypothesis import given, settings
from hypothesis import strategies as st

from plankg.ingest.normalize import normalize


def _sample(name: str) -> str:
    return (PLANS_DIR / name).read_text(encoding="utf-8")


def test_agency_split_across_a_page_break_is_joined():
    source = _sample("000_99d16d149e72ffbe.txt")
    assert "县商务粮\n\n食局" in source
    text = normalize(source).text
    assert "县商务粮食局、县财政局" in text
    assert "商务粮\n" not in text


def test_page_headers_markup_and_stray_spaces_go():
    text = normalize(
        "\n\n附件 2\n\n### 一、工作目标\n\n规模工业增加值增长 8%，新增 130 家以上。\n\n— 3 —\n"
    ).text
    assert text.split("\n") == ["一、工作目标", "规模工业增加值增长8%，新增130家以上。"]
    bold = normalize("**（一）激发释放消费潜力。**把恢复和扩大消费摆在优先位置。").text
    assert bold == "（一）激发释放消费潜力。把恢复和扩大消费摆在优先位置。"


def test_headings_and_titles_keep_their_own_lines():
    text = normalize(_sample("001_13505c27ad81fa3b.txt")).text
    lines = text.split("\n")
    assert "培育好强科创兴产业的动能实施方案" in lines
    assert "（一）主要指标" in lines
    assert "1.对接高能级创新体系" in lines


def test_a_bracket_mid_sentence_does_not_end_a_paragraph():
    text = normalize(
        "1.开展消费活动。争取举办第三届中国（平江）\n\n休闲食品文化节。（商务局牵头）"
    ).text
    assert "\n" not in text


def test_full_width_digits_and_traditional_characters():
    assert normalize("新增１３０家").text == "新增130家"
    # the text keeps the plan's script; parsers read the one-for-one simplified fold
    norm = normalize("縣發改局牽頭")
    assert norm.text == "縣發改局牽頭"
    assert norm.folded == "县发改局牵头"


def test_spans_map_back_to_the_source():
    source = _sample("003_bee47bce3ca4c6d7.txt")
    norm = normalize(source)
    for start in range(0, len(norm.text) - 30, 97):
        span = norm.source_span(start, start + 30)
        original = re.sub(r"\s|\*\*|#", "", source[span.start : span.end])
        assert original == re.sub(r"\s", "", norm.text[start : start + 30])


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_never_raises_and_offsets_are_monotonic(source):
    norm = normalize(source)
    assert len(norm.offsets) == len(norm.text) + 1
    assert all(a < b for a, b in zip(norm.offsets[:-1], norm.offsets[1:], strict=True) if a >= 0)
    for i, ch in enumerate(norm.text):
        if ch != "\n":
            assert 0 <= norm.offsets[i] < len(source)
