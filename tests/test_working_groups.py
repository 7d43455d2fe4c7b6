"""Working groups from 推进机制 paragraphs, checked against the gold task forces."""

import csv
import json
import re
from pathlib import Path

import pytest

from plankg.ingest.agencies import ONTOLOGY, AgencyDirectory
from plankg.ingest.model import Agency, Span
from plankg.ingest.working_groups import parse_working_group, parse_working_groups

ROOT = Path(__file__).resolve().parent.parent
GOLD = [
    json.loads(line)
    for line in (ROOT / "tests" / "gold" / "taskforces.jsonl").read_text().splitlines()
]


def canonical_only_directory() -> AgencyDirectory:
    """The alias table without its aliases: how resolution does on an unseen county."""
    with (ONTOLOGY / "agencies.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return AgencyDirectory(Agency(r["canonical"], r["jurisdiction"], r["kind"]) for r in rows)


def _mechanism_section(doc: str) -> str:
    text = (ROOT / "data" / "plans" / doc).read_text(encoding="utf-8").replace("**", "")
    text = re.sub(r"(?<=[\u4e00-\u9fff]) +(?=[\u4e00-\u9fff])", "", text)
    return text[text.index("推进机制") :]


def _span(s: int, e: int) -> Span:
    return Span(s, e)


@pytest.mark.parametrize("aliases", [True, False], ids=["alias-table", "canonical-only"])
@pytest.mark.parametrize("gold", GOLD, ids=[g["doc"][:3] for g in GOLD])
def test_sample_working_groups(gold, aliases):
    directory = AgencyDirectory.load() if aliases else canonical_only_directory()
    jurisdiction = "大通湖区" if gold["doc"].startswith("004") else "平江县"
    text = _mechanism_section(gold["doc"])
    group = parse_working_group(text, directory.resolver(jurisdiction), gold["doc"], _span)
    assert group is not None
    record = group.to_record()
    for key in ("doc", "name", "convener", "deputy_conveners", "office_agency", "members"):
        assert record[key] == gold[key], key
    quoted = text[group.span.start : group.span.end]
    assert quoted.startswith("成立") and quoted.endswith("。")
    for m in group.members:
        assert text[m.span.start : m.span.end] == m.raw


def test_leading_group_with_leaders_and_member_posts():
    text = (
        "（一）加强组织领导。成立市数字经济发展领导小组，由市长任组长，分管副市长、"
        "市政府秘书长任副组长，成员由市发展改革委、市工业和信息化局、市财政局等单位主要负责同志组成。"
        "领导小组办公室设在市工业和信息化局，负责统筹协调。"
    )
    resolver = AgencyDirectory().resolver("长沙市")
    group = parse_working_group(text, resolver, "x.txt", _span)
    assert group is not None
    assert group.name == "市数字经济发展领导小组"
    assert group.convener == "市长"
    assert group.deputy_conveners == ["分管副市长", "市政府秘书长"]
    assert [m.raw for m in group.members] == ["市发展改革委", "市工业和信息化局", "市财政局"]
    assert [m.agency.canonical for m in group.members] == [
        "长沙市发展和改革委员会",
        "长沙市工业和信息化局",
        "长沙市财政局",
    ]
    assert group.office_agency is not None
    assert group.office_agency.agency.canonical == "长沙市工业和信息化局"


def test_group_led_by_phrase_and_labelled_members():
    text = (
        "成立以区长为组长的区优化营商环境工作领导小组，成员单位：区发改局、区住建局、"
        "区市场监管局。办公室设在区发改局。"
    )
    group = parse_working_group(text, AgencyDirectory().resolver("雨花区"), "y.txt", _span)
    assert group is not None
    assert group.name == "区优化营商环境工作领导小组"
    assert group.convener == "区长"
    assert [m.agency.canonical for m in group.members] == [
        "雨花区发展和改革局",
        "雨花区住房和城乡建设局",
        "雨花区市场监督管理局",
    ]
    assert group.office_agency.agency.canonical == "雨花区发展和改革局"


def test_group_led_by_phrase_with_you():
    text = "成立由县委书记、县长任组长的县乡村振兴领导小组，成员单位包括县农业农村局、县财政局。"
    group = parse_working_group(text, AgencyDirectory().resolver("平江县"), "v", _span)
    assert group.name == "县乡村振兴领导小组"
    assert group.convener == "县委书记、县长"
    assert [m.agency.canonical for m in group.members] == ["平江县农业农村局", "平江县财政局"]


def test_no_group_in_plain_text():
    text = "加强督查考核。将重点任务纳入年度绩效考核，定期通报进展情况。"
    assert parse_working_group(text, AgencyDirectory().resolver("平江县"), "z", _span) is None


def test_several_groups_in_one_section():
    text = (
        "成立招商引资工作专班，由县政府分管副县长任召集人，成员单位包括县商务局、县发改局。\n"
        "成立要素保障工作专班，由县政府办主任任召集人，成员单位包括县自然资源局、县财政局。"
    )
    groups = parse_working_groups(text, AgencyDirectory().resolver("平江县"), "w", _span)
    assert [g.name for g in groups] == ["招商引资工作专班", "要素保障工作专班"]
    second = groups[1]
    assert text[second.span.start : second.span.end].startswith("成立要素保障")
