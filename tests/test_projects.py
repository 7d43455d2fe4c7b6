"""Project recognition: one test per shape on short snippets written for the test (invented
names, not the sample plans), the floors on the sample gold, and a sweep of the real plans
that nothing absurd comes out (whole sentences, agencies, numbers, kinds)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from plankg.ingest.entities import (
    extract_parks,
    extract_projects,
    locate_projects,
    project_vocabulary,
)
from plankg.ingest.evaluation import evaluate
from plankg.ingest.normalize import normalize

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an explicit project list: every item, whatever the verb before it
        (
            "加快推进云湖光电、鑫达新材料、智联装备产业园二期等重点产业项目建设",
            ["云湖光电", "鑫达新材料", "智联装备产业园二期"],
        ),
        ("新开工华腾纸业、恒鑫机械等12个工业项目", ["华腾纸业", "恒鑫机械"]),
        ("全力支持白鹭湾、凤凰古渡等文旅项目加快建设", ["白鹭湾", "凤凰古渡"]),
        # …but not its kinds, nor a list of kinds of facility
        ("推进乡村旅游、高标准农田、马鞍山风电场等项目", ["马鞍山风电场"]),
        ("完成东区、西区两个工业园污水管网、供水站等配套项目建设", []),
        # a list of bare places says where one project is
        (
            "完成青石镇、柳河乡、双桥镇等中心卫生院改扩建项目",
            ["青石镇、柳河乡、双桥镇等中心卫生院改扩建"],
        ),
    ],
)
def test_explicit_project_lists(text, expected):
    assert extract_projects(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("全力推进县中医院迁建项目建设", ["县中医院迁建"]),
        ("积极推进鸿远智能制造产业园项目建成投产", ["鸿远智能制造产业园"]),
        ("力争年内开工，东江水厂二期项目通过环评审批", ["东江水厂二期"]),  # no verb: planning
        ("依托城南物流枢纽项目（一期）完善配套", ["城南物流枢纽项目（一期）"]),
        ("确保县一中“育才楼项目”按期完工", ["育才楼项目"]),
        ("实施沙河流域综合治理工程", ["沙河流域综合治理工程"]),
        # 项目 qualifying another noun, counts, indefinite words, programmes
        ("推动园区新签约项目开工率达到80%", []),
        ("争取2个乡镇污水处理项目", []),
        ("争取新选址的垃圾发电项目纳入规划", []),
        ("实施中小企业梯度培育工程", []),
        ("组织实施“智造强基项目”", []),
        ("积极申报省级农业产业化项目", []),
    ],
)
def test_named_projects_and_works(text, expected):
    assert extract_projects(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a facility after a verb of building
        ("建成青峰山森林康养基地", ["青峰山森林康养基地"]),
        ("新建翠湖小学和翠湖中学", ["翠湖小学", "翠湖中学"]),
        ("新建城东和城西农贸市场", ["城东农贸市场", "城西农贸市场"]),
        ("建设面向全省的锂电材料检测中心", ["锂电材料检测中心"]),
        ("建设220KV桃源变、110KV城北变和石门变", ["220KV桃源变", "110KV城北变", "石门变"]),
        ("建成投用县档案馆、县图书馆新馆", ["县档案馆", "县图书馆新馆"]),
        ("开工建设沪渝蓉高铁常德段", ["沪渝蓉高铁常德段"]),
        ("加快建设临港物流园和保税仓库", ["临港物流园", "保税仓库"]),
        # a facility after a verb of pushing work on, with what follows it
        ("加快沅水大桥建设", ["沅水大桥"]),
        ("推动国家级陶瓷检测中心落地", ["国家级陶瓷检测中心"]),
        ("积极争取长益城际铁路列入国家规划", ["长益城际铁路"]),
        ("，岳望高速进入省高速公路网规划", ["岳望高速"]),
        (
            "加快推进S308青山至白石公路、X021李家至王坪公路改造工程建设进程",
            ["S308青山至白石公路", "X021李家至王坪公路"],
        ),
        ("合力推动桃花岛度假区一期在双河村建设落地", ["桃花岛度假区一期"]),
        ("完成红旗水库除险加固", ["红旗水库除险加固"]),
        ("依托县一中整体搬迁，建设城北教育园", ["县一中整体搬迁"]),
    ],
)
def test_facilities_and_undertakings(text, expected):
    assert extract_projects(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "推动县科技馆升级为省级科普基地",  # no construction: an existing facility upgraded
        "依托县人民医院胸痛中心，提升救治能力",  # uses what exists
        "建设城市社区养老服务中心",  # a kind of place: a kind of facility
        "建设省级创新创业基地、校企协同创新中心",  # nothing but planning words
        "鼓励企业建设研发中心、技术中心等创新平台",  # encourages: kinds
        "探索建设概念验证中心",
        "打造全省新能源装备制造示范基地",  # a goal, not a construction
        "加快云峰工业园建设",  # a park
        "实施数字乡村建设行动",  # the title of a programme
        "建设坚强智能电网",
    ],
)
def test_kinds_goals_and_parks_are_not_projects(text):
    assert extract_projects(text) == []


def test_a_project_named_inside_a_park_is_located_there():
    text = "重点实施金山经济开发区污水处理厂提标改造项目，推进园区循环化改造。"
    assert "金山经济开发区" in extract_parks(text)
    (loc,) = locate_projects(text)
    assert (loc.project, loc.park) == ("金山经济开发区污水处理厂提标改造", "金山经济开发区")
    assert loc.evidence.startswith("重点实施金山经济开发区") and loc.span.start == 0


def test_project_floors_on_the_sample_gold(sample_plans):
    records = [t.to_record() for p in sample_plans for t in p.tasks]
    score = evaluate(records, ROOT / "tests" / "gold")["projects"]
    assert score.precision >= 0.98, score
    assert score.recall >= 0.93, score


def _real_names() -> list[tuple[str, str]]:
    out = []
    for path in sorted((ROOT / "tests" / "realplans" / "docs").glob("*.txt")):
        for line in normalize(path.read_text(encoding="utf-8")).text.split("\n"):
            out += [(path.name, name) for name in extract_projects(line)]
    return out


def test_nothing_absurd_on_the_real_plans():
    v = project_vocabulary()
    names = _real_names()
    assert names  # the recogniser does find projects there
    for doc, name in names:
        assert 3 <= len(name) <= 40, (doc, name)
        assert not re.search(r"[，。；！？]", name), (doc, name)  # never a sentence
        assert re.search(r"[\u4e00-\u9fff]{2}", name), (doc, name)  # never numbers only
        assert not re.search(r"(局|委|办|厅|政府|管委会)$", name), (doc, name)  # never an agency
        assert not name.startswith(tuple(v.verb_kind)), (doc, name)  # starts after its verb
