"""Jurisdictions come from the gazetteer of China's divisions: a real place with its code and
parents, or one the user gives; never a word of the text, never a guess."""

from __future__ import annotations

import pytest

from plankg.ingest import jurisdiction
from plankg.ingest.extract import extract_text
from plankg.ontology.gazetteer import gazetteer


def test_the_gazetteer_is_the_official_table_with_codes_and_parents():
    gaz = gazetteer()
    assert len(gaz.by_code) > 3000  # every county, district and county-level city
    assert sum(1 for d in gaz.by_code.values() if d.level == "province") == 34
    county = gaz.find("平江县")
    assert county.code == "430626"
    assert [d.name for d in gaz.path(county)] == ["湖南省", "岳阳市", "平江县"]
    # names shared by several places are qualified by their city
    assert {gaz.display_name(d) for d in gaz.by_name["鼓楼区"]} >= {"南京市鼓楼区", "福州市鼓楼区"}
    assert gaz.find("湘西州").name == "湘西土家族苗族自治州"


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("平江县人民政府办公室关于印发某方案的通知\n县发改局、县财政局要抓好落实。", "平江县"),
        # a short name, at the level the plan's bodies are written with
        (
            "县《政府工作报告》涉及嘉鱼的重点事项\n各镇人民政府，嘉鱼经济开发区：\n"
            "（牵头单位：县发改局；责任单位：嘉鱼经济开发区）",
            "嘉鱼县",
        ),
        # the organisation code in an 索引号 holds the division code
        ("索引号: 113706850042672474/2022-04772\n（责任单位：市教育局）全市34所学校", "招远市"),
        # a province's document number
        ("黔府发〔2015〕29号\n各市、自治州人民政府：我省就业…（牵头单位：省人社厅）", "贵州省"),
        # a named city with a single county: a county plan of it
        ("分管县领导\n县教育局\n支持芜湖科技工程学校发展", "南陵县"),
        # traditional script reads the same
        ("綿陽市2023年民生實事\n責任單位：市住建委", "绵阳市"),
    ],
)
def test_detection(text, want):
    from plankg.ontology.folding import fold

    found = jurisdiction.detect(fold(text))
    assert found.division is not None and found.division.name == want


@pytest.mark.parametrize(
    "text",
    [
        "根据省里要求，县发改局牵头推进改革，县财政局配合。",  # no place of the level
        "创建全国卫生县和健康县，举办第四届运动会。",  # 康县 is not in 健康县
        "区政府工作报告：区发改委牵头推进大通湖区建设",  # 大通 (淮南) is not 大通湖区
    ],
)
def test_no_place_named_is_said_not_guessed(text):
    assert jurisdiction.detect(text).division is None


def test_the_web_address_of_a_government_site_is_the_last_resort():
    text = "区政府工作报告\n区发改委牵头"
    assert jurisdiction.detect(text).division is None
    found = jurisdiction.detect(text, url="https://www.cqstl.gov.cn/zwgk/a.html")
    assert found.division.name == "铜梁区" and found.how == "url"
    # only .gov.cn hosts are read
    assert jurisdiction.detect(text, url="https://cqstl.example.com/a").division is None


def test_a_plan_says_when_it_names_no_place():
    plan = extract_text("1.推进改革。（县发改局牵头）", "x.txt")
    assert plan.to_record()["jurisdiction"] is None
    assert plan.to_record()["jurisdiction_path"] is None
    assert any(w.code == "no-jurisdiction" for w in plan.warnings)


def test_a_given_place_outside_the_table_keeps_the_parents_written_before_it():
    plan = extract_text(
        "1.推进改革。（区发改局牵头，市生态环境局配合）",
        "x.txt",
        jurisdiction="湖南省益阳市大通湖区",
    )
    record = plan.to_record()
    assert record["jurisdiction"] == "大通湖区"
    assert record["jurisdiction_path"] == ["湖南省", "益阳市", "大通湖区"]
    assert record["division_code"] is None
    # an upper body resolves into the parent city written in the path
    assert plan.tasks[0].assist[0].agency.jurisdiction == "益阳市"


def test_upper_level_bodies_resolve_to_the_parent_and_same_names_stay_apart():
    text = "1.推进改革。（县发改局牵头，市发改委配合）"
    a = extract_text(text, "a.txt", jurisdiction="缙云县")
    b = extract_text(text, "b.txt", jurisdiction="平江县")
    assert a.tasks[0].assist[0].agency.canonical == "丽水市发展和改革委员会"
    assert a.tasks[0].assist[0].agency.jurisdiction == "丽水市"
    assert b.tasks[0].assist[0].agency.jurisdiction == "岳阳市"
    lead_a, lead_b = a.tasks[0].lead[0].agency, b.tasks[0].lead[0].agency
    assert (lead_a.jurisdiction, lead_b.jurisdiction) == ("缙云县", "平江县")
    assert lead_a.canonical != lead_b.canonical


def test_jurisdiction_nodes_carry_their_code_and_parents_in_the_graph():
    from rdflib.namespace import DCTERMS

    from plankg.graph.property_graph import to_property_graph
    from plankg.ingest.rdf import build_graph
    from plankg.ontology import iris
    from plankg.ontology.namespaces import PK

    plan = extract_text("1.推进改革。（县发改局牵头）", "x.txt", jurisdiction="平江县")
    graph = build_graph([plan])
    node = graph.value(iris.plan_iri("x.txt"), DCTERMS.spatial)
    chain = []
    while node is not None:
        code, level = graph.value(node, PK.divisionCode), graph.value(node, PK.divisionLevel)
        chain.append((str(code), str(level)))
        node = graph.value(node, PK.withinJurisdiction)
    assert chain == [("430626", "county"), ("430600", "prefecture"), ("430000", "province")]
    # and in the property graph loaded into Neo4j: codes on the nodes, WITHIN between them
    from plankg.ingest.rdf import build_lines

    pg = to_property_graph(build_lines([plan]))
    codes = {r["name"]: r.get("division_code") for r in pg.nodes["Jurisdiction"]}
    assert codes == {"平江县": "430626", "岳阳市": "430600", "湖南省": "430000"}
    (within,) = [rows for (kind, _, _), rows in pg.rels.items() if kind == "WITHIN"]
    assert len(within) == 2
