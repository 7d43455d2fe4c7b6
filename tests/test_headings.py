"""Heading numbering styles and the outline they imply."""

import pytest

from plankg.ingest.headings import OutlineStack, parse_heading, run_in_title


@pytest.mark.parametrize(
    ("line", "style", "heading", "has_body"),
    [
        ("一、工作目标", "cn", "一、工作目标", False),
        ("（一）突出做强支柱产业", "paren_cn", "（一）突出做强支柱产业", False),
        ("(四)做大做强县域产业", "paren_cn", "(四)做大做强县域产业", False),
        ("1.对接高能级创新体系", "arabic", "1.对接高能级创新体系", False),
        ("1．新能源。以千山红镇为重点，大力发展风电。", "arabic", "1．新能源", True),
        ("2、加强组织领导。各单位要……", "arabic", "2、加强组织领导", True),
        (
            "（1）对接标志性工程。积极争取岳麓山实验室。",
            "paren_arabic",
            "（1）对接标志性工程",
            True,
        ),
        ("①完善机制。建立台账。", "circled", "①完善机制", True),
        ("第一章 总体要求", "chapter", "第一章总体要求", False),
    ],
)
def test_numbering_styles(line, style, heading, has_body):
    h = parse_heading(line)
    assert h is not None
    assert h.style == style
    assert h.heading == heading
    assert (h.body_start < len(line)) == has_body


@pytest.mark.parametrize(
    "line",
    [
        "2024年拟投资1.2亿元完成2座中型水库除险加固工程。",
        "1.2亿元用于园区建设。",
        "小（1）型水库除险加固。",
        "（1）型水库",
        "十大湘菜名县品牌。",
        "8%以上的增长。",
    ],
)
def test_not_headings(line):
    assert parse_heading(line) is None


def test_run_in_title():
    assert run_in_title("休闲食品。培育传统优势食品产区，推进农产品初加工。") == "休闲食品"
    assert (
        run_in_title("壮大科技型企业集群。深入实施科技型企业高质量发展行动。")
        == "壮大科技型企业集群"
    )
    # a first sentence that is already a body sentence is no title
    assert run_in_title("推进创新型县建设，鼓励企业建设工程技术中心。") == ""


def test_outline_pops_back_to_a_style_seen_before():
    o = OutlineStack()
    o.push("cn", "一、工作任务")
    o.push("paren_cn", "（一）做强支柱产业")
    o.push("arabic", "1.石膏建材")
    o.push("paren_cn", "（二）培育优势产业")
    assert o.path() == ["一、工作任务", "（二）培育优势产业"]
    o.push("cn", "二、推进机制")
    assert o.path() == ["二、推进机制"]


def test_outline_when_plan_starts_at_arabic_numbers():
    o = OutlineStack()
    o.push("arabic", "1.总体要求")
    o.push("paren_arabic", "（1）目标")
    o.push("arabic", "2.重点任务")
    assert o.path() == ["2.重点任务"]
