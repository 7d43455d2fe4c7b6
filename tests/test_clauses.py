"""Responsibility clauses: finding them, reading their roles, labelled and table styles."""

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plankg.ingest.clauses import (
    find_all_responsibility_clauses,
    find_conventions,
    find_responsibility_clause,
    header_role,
    looks_like_assignment,
    parse_clause,
    parse_labelled,
    parse_table_row,
    split_agencies,
)

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "gold"


def names(mentions):
    return [m.text for m in mentions]


# ---------------------------------------------------------------- parenthetical clauses


@pytest.mark.parametrize(
    ("inner", "lead", "assist", "style"),
    [
        # A牵头，B、C等按职责分工负责
        (
            "县科技和工业信息化局牵头，县农业农村局、县商务粮食局等按职责分工负责",
            ["县科技和工业信息化局"],
            ["县农业农村局", "县商务粮食局"],
            "lead+assist",
        ),
        # 牵头、 with 、 instead of ，
        (
            "县科技和工业信息化局牵头、县发改局、平江高新技术产业园区管委会等按职责分工负责",
            ["县科技和工业信息化局"],
            ["县发改局", "平江高新技术产业园区管委会"],
            "lead+assist",
        ),
        # several leads
        (
            "贸促会、商务粮食局牵头，发改局等负责",
            ["贸促会", "商务粮食局"],
            ["发改局"],
            "lead+assist",
        ),
        (
            "市发展改革委、市财政局牵头，各区县（市）人民政府负责",
            ["市发展改革委", "市财政局"],
            ["各区县（市）人民政府"],
            "lead+assist",
        ),
        # A牵头，B负责 / A牵头，B配合
        ("发改局牵头，国网公司负责", ["发改局"], ["国网公司"], "lead+assist"),
        (
            "省工业和信息化厅牵头，省财政厅、省商务厅配合",
            ["省工业和信息化厅"],
            ["省财政厅", "省商务厅"],
            "lead+assist",
        ),
        (
            "区住房城乡建设局牵头负责，区城管执法局、各街道办事处参与",
            ["区住房城乡建设局"],
            ["区城管执法局", "各街道办事处"],
            "lead+assist",
        ),
        # no 牵头: every named agency leads jointly
        ("科工信局、市场监督管理局等负责", ["科工信局", "市场监督管理局"], [], "joint"),
        ("县科工信局、平江高新区等按职责分工负责", ["县科工信局", "平江高新区"], [], "joint"),
        (
            "区发改财政局、区自然资源局、各镇按职能分工负责",
            ["区发改财政局", "区自然资源局", "各镇"],
            [],
            "joint",
        ),
        ("市教育局、市卫生健康委分别负责", ["市教育局", "市卫生健康委"], [], "joint"),
        # bare list
        (
            "县农业农村局、县科工信局、县林业局、县文旅广体局",
            ["县农业农村局", "县科工信局", "县林业局", "县文旅广体局"],
            [],
            "bare",
        ),
        # 牵头 alone
        ("住建局牵头", ["住建局"], [], "lead"),
        ("由市商务局牵头", ["市商务局"], [], "lead"),
        # lead repeated as assist is dropped
        (
            "县发改局牵头，县发改局、县科技和工业信息化局、平江县高新技术产业园区管委会等按职责分工负责",
            ["县发改局"],
            ["县科技和工业信息化局", "平江县高新技术产业园区管委会"],
            "lead+assist",
        ),
        (
            "区科技工信局牵头，区发改财政局、区科技工信局按职能分工负责",
            ["区科技工信局"],
            ["区发改财政局"],
            "lead+assist",
        ),
        # inline role
        ("县发改局（牵头）、县财政局", ["县发改局"], ["县财政局"], "lead+assist"),
        (
            "市发展改革委（牵头单位）、市财政局、市自然资源和规划局",
            ["市发展改革委"],
            ["市财政局", "市自然资源和规划局"],
            "lead+assist",
        ),
        # A负责，B配合: the responsible agency leads
        ("县教育局负责，县财政局配合", ["县教育局"], ["县财政局"], "responsible+assist"),
        # 和/及/与 between agencies, but not inside a name
        (
            "县发改局和县科技和工业信息化局牵头，县财政局及各乡镇（街道）配合",
            ["县发改局", "县科技和工业信息化局"],
            ["县财政局", "各乡镇（街道）"],
            "lead+assist",
        ),
        ("县人力资源和社会保障局牵头", ["县人力资源和社会保障局"], [], "lead"),
        # trailing 等单位 / 等部门 / 等相关单位 and collective 各有关单位
        (
            "市住房城乡建设局牵头，市发展改革委、市财政局等单位配合",
            ["市住房城乡建设局"],
            ["市发展改革委", "市财政局"],
            "lead+assist",
        ),
        (
            "市交通运输局牵头，市公安局等相关部门按职责分工负责",
            ["市交通运输局"],
            ["市公安局"],
            "lead+assist",
        ),
        (
            "县应急管理局牵头，各有关单位按职责分工负责",
            ["县应急管理局"],
            ["各有关单位"],
            "lead+assist",
        ),
        (
            "区发改财政局牵头，各镇、南湾湖办事处、区直各单位、区大发集团、区生态公司按职能分工负责",
            ["区发改财政局"],
            ["各镇", "南湾湖办事处", "区直各单位", "区大发集团", "区生态公司"],
            "lead+assist",
        ),
        # other separators
        (
            "市发展改革委牵头;市财政局,市统计局按职责分工负责",
            ["市发展改革委"],
            ["市财政局", "市统计局"],
            "lead+assist",
        ),
        # time limits after the last role word are not agencies
        (
            "县发改局牵头，县财政局配合，2024年12月底前完成",
            ["县发改局"],
            ["县财政局"],
            "lead+assist",
        ),
        # 会同: the first agency leads, the other works with it
        ("由县发改局会同县财政局负责", ["县发改局"], ["县财政局"], "lead+assist"),
        # role-word variants
        ("县发改局、县财政局按照职责分工抓好落实", ["县发改局", "县财政局"], [], "joint"),
        ("县发改局负总责", ["县发改局"], [], "lead"),
        (
            "市发展改革委牵头，市有关部门按职责分工负责",
            ["市发展改革委"],
            ["市有关部门"],
            "lead+assist",
        ),
        ("各县市区人民政府，市直有关单位", ["各县市区人民政府", "市直有关单位"], [], "bare"),
        ("县政府督查室牵头", ["县政府督查室"], [], "lead"),
        # the first-listed convention stated inside the clause
        (
            "县卫健局、县医保局、县市场监管局，排名第一的为牵头单位",
            ["县卫健局"],
            ["县医保局", "县市场监管局"],
            "bare",
        ),
        # traditional characters (the normaliser folds them, but the parser is tolerant)
        (
            "縣農業農村局牽頭，縣財政局、各鄉鎮人民政府（街道辦事處）參與",
            ["縣農業農村局"],
            ["縣財政局", "各鄉鎮人民政府（街道辦事處）"],
            "lead+assist",
        ),
        ("縣發改局牽頭，縣財政局等按職責分工負責", ["縣發改局"], ["縣財政局"], "lead+assist"),
    ],
)
def test_parse_clause_styles(inner, lead, assist, style):
    parse = parse_clause(inner)
    assert parse.ok, parse.problem
    assert names(parse.lead) == lead
    assert names(parse.assist) == assist
    assert parse.style == style
    for m in parse.lead + parse.assist:
        assert re.sub(r"\s+", "", inner[m.start : m.end]) == m.text


def test_labels_inside_brackets():
    parse = parse_clause("牵头单位：市商务局；责任单位：各区县（市）人民政府、市发展改革委")
    assert names(parse.lead) == ["市商务局"]
    assert names(parse.assist) == ["各区县（市）人民政府", "市发展改革委"]
    assert parse.style == "labelled"


def test_no_agency_is_reported_not_raised():
    parse = parse_clause("按职能分工负责")
    assert parse.lead == [] and parse.assist == []
    assert parse.problem


@pytest.mark.parametrize("inner", ["平江", "2024年底前完成，确保取得实效", "牵头、县财政局"])
def test_unreadable_clauses_are_not_ok(inner):
    assert not parse_clause(inner).ok


def test_first_is_lead_applies_to_joint_lists():
    parse = parse_clause("县商务局、县发改局、县财政局按职责分工负责", first_is_lead=True)
    assert names(parse.lead) == ["县商务局"]
    assert names(parse.assist) == ["县发改局", "县财政局"]


def test_split_agencies_keeps_nested_brackets_and_names_with_he():
    items = split_agencies("各县（市、区）人民政府、县科技和工业信息化局和县发改局等", 10)
    assert names(items) == ["各县（市、区）人民政府", "县科技和工业信息化局", "县发改局"]
    assert items[0].start == 10


# ---------------------------------------------------------------- finding the clause


@pytest.mark.parametrize(
    ("paragraph", "clause"),
    [
        ("推进建设。（县发改局牵头，县财政局负责）", "（县发改局牵头，县财政局负责）"),
        ("推进建设。（县发改局牵头，县财政局负责）。", "（县发改局牵头，县财政局负责）"),
        ("推进建设。(县发改局牵头，县财政局负责)", "(县发改局牵头，县财政局负责)"),
        ("推进建设。（县发改局牵头，县财政局负责)", "（县发改局牵头，县财政局负责)"),
        ("推进建设。（县发改局（牵头）、县财政局）", "（县发改局（牵头）、县财政局）"),
        ("举办中国（平江）休闲食品节。（县商务局牵头）", "（县商务局牵头）"),
        ("推进建设（县农业农村局、县林业局）", "（县农业农村局、县林业局）"),
        ("推进建设（县农业农村局）", "（县农业农村局）"),
        ("推进建设（各乡镇、县直各单位）", "（各乡镇、县直各单位）"),
        (
            "加快建设（牵头单位：市发展改革委；配合单位：市财政局）",
            "（牵头单位：市发展改革委；配合单位：市财政局）",
        ),
        ("推进建设（县发改局牵头，县财政局负责））", "（县发改局牵头，县财政局负责）"),
        ("推进建设（县发改局（牵头、县财政局）", "（县发改局（牵头、县财政局）"),
        ("確保取得實效。（市發展改革委牽頭，市財政局配合）", "（市發展改革委牽頭，市財政局配合）"),
        # a time limit after the clause, bracketed or not
        ("推进建设（县发改局牵头）（2024年底前完成）", "（县发改局牵头）"),
        ("推进建设（县发改局牵头）2024年底前完成。", "（县发改局牵头）"),
    ],
)
def test_find_clause(paragraph, clause):
    span = find_responsibility_clause(paragraph)
    assert span is not None
    assert paragraph[span[0] : span[1]] == clause


@pytest.mark.parametrize(
    "paragraph",
    [
        "举办第三届中国（平江）",
        "做大黄茶产业（黄茶）",
        "加快G536丁家垅至天岳公路（平益高速城关连接线）",
        "完成7座小（1）型水库除险加固",
        "持续实施《若干措施(试行)》",
        "强化水、电、气（汽）、通信和用工保障",
        "确保园区（含华电平江电厂）",
        "加快推进余梅、安定工业区建设（余梅工业区、安定工业区）",
        "由龙头企业组建产业联盟（企业牵头）",
        "加强资源保障（县发改局牵头，县财政局负责",
        "推进建设（完成时限：2024年底）",
        "",
        "（）",
        ")",
        "((((",
    ],
)
def test_ordinary_parentheticals_are_not_clauses(paragraph):
    assert find_responsibility_clause(paragraph) is None


def test_find_all_clauses_of_a_paragraph():
    paragraph = "推进甲（县发改局牵头）；推进乙（县财政局牵头，县统计局配合）。"
    spans = find_all_responsibility_clauses(paragraph)
    assert [paragraph[s:e] for s, e in spans] == [
        "（县发改局牵头）",
        "（县财政局牵头，县统计局配合）",
    ]
    assert find_all_responsibility_clauses("推进甲（县发改局牵头），确保乙。") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("（县发改局牵头，县财政局", True),
        ("（县发改局、县财政局等负责", True),
        ("牵头单位：县发改局", True),
        ("（平江）", False),
        ("(试行)", False),
        ("负责日常协调和调度工作。", False),
    ],
)
def test_looks_like_assignment(text, expected):
    assert looks_like_assignment(text) is expected


# ---------------------------------------------------------------- labelled styles


def test_labelled_lead_and_assist():
    text = "推进数字乡村建设。牵头单位：县农业农村局；配合单位：县委网信办、县数据局、县财政局等"
    blocks = parse_labelled(text)
    assert [b.role for b in blocks] == ["lead", "assist"]
    assert names(blocks[0].parse.lead) == ["县农业农村局"]
    assert names(blocks[1].parse.assist) == ["县委网信办", "县数据局", "县财政局"]
    assert text[blocks[0].start : blocks[1].end].startswith("牵头单位：")
    for m in blocks[1].parse.assist:
        assert text[m.start : m.end] == m.text


def test_labelled_department_labels_with_spaces():
    blocks = parse_labelled("牵头部门：区住房城乡建设局  责任部门：区城管执法局、各街道办事处")
    assert names(blocks[0].parse.lead) == ["区住房城乡建设局"]
    assert names(blocks[1].parse.assist) == ["区城管执法局", "各街道办事处"]


def test_responsible_units_lead_jointly_unless_first_is_lead():
    text = "责任单位：市发展改革委、市财政局、市自然资源局"
    (block,) = parse_labelled(text)
    assert names(block.parse.lead) == ["市发展改革委", "市财政局", "市自然资源局"]
    (block,) = parse_labelled(text, first_is_lead=True)
    assert names(block.parse.lead) == ["市发展改革委"]
    assert names(block.parse.assist) == ["市财政局", "市自然资源局"]


def test_leaders_are_skipped_and_time_limits_stop():
    text = (
        "牵头领导：张三（副县长）；牵头单位：县农业农村局；责任单位：各乡镇；完成时限：2024年12月底"
    )
    blocks = parse_labelled(text)
    assert [b.label for b in blocks] == ["牵头单位", "责任单位", "完成时限"]
    deadline = blocks[2].parse.deadline
    assert deadline is not None and text[slice(*deadline)] == "2024年12月底"
    blocks = blocks[:2]
    assert names(blocks[0].parse.lead) == ["县农业农村局"]
    assert names(blocks[1].parse.assist) == ["各乡镇"]
    assert all("张三" not in m.text for b in blocks for m in b.parse.lead + b.parse.assist)


def test_labelled_list_ends_at_sentence_or_remark():
    block, deadline = parse_labelled("责任单位：县商务局，县市场监管局。完成时限：长期坚持")
    assert names(block.parse.lead) == ["县商务局", "县市场监管局"]
    assert deadline.role == "deadline" and deadline.parse.lead == []
    (block,) = parse_labelled("责任单位：县发改局，2024年底前完成")
    assert names(block.parse.lead) == ["县发改局"]


def test_labelled_with_lenticular_brackets():
    blocks = parse_labelled("【牵头单位】市发展改革委【配合单位】市财政局、市统计局")
    assert names(blocks[0].parse.lead) == ["市发展改革委"]
    assert names(blocks[1].parse.assist) == ["市财政局", "市统计局"]


def test_labelled_traditional():
    (block,) = parse_labelled("責任單位：縣發改局、縣財政局")
    assert names(block.parse.lead) == ["縣發改局", "縣財政局"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("（以下各项任务责任单位中，排在第一位的为牵头单位）", True),
        ("责任单位排名第一的为牵头单位", True),
        ("列第一位的单位为牵头单位", True),
        ("第一个为牵头单位，其他为配合单位", True),
        ("排在首位的为牵头单位", True),
        ("列第一位者为工作牵头单位或汇总单位", True),
        ("第一责任单位为牵头单位", True),
        ("列第一位为牵头或汇总单位", True),
        ("县发改局牵头，县财政局负责", False),
    ],
)
def test_first_is_lead_convention(text, expected):
    assert bool(find_conventions(text)) is expected


def test_a_convention_in_brackets_is_masked_whole_and_says_whether_it_carries():
    text = "市经信局、市税务局（列第一位者为工作牵头单位或汇总单位，下同）"
    (found,) = find_conventions(text)
    assert text[found.start : found.end] == "（列第一位者为工作牵头单位或汇总单位，下同）"
    assert found.carries
    (here,) = find_conventions("县发改局、县财政局（排在第一位的为牵头单位）")
    assert not here.carries


# ---------------------------------------------------------------- task tables


HEADER = ["序号", "工作任务", "主要内容", "牵头单位", "配合单位", "完成时限"]


def test_table_row_lead_and_assist_with_offsets():
    row = ["1", "推进园区建设", "完成扩区", "县发改局", "县财政局、县自然资源局", "2024年底"]
    line = "\t".join(row)
    parse = parse_table_row(row, HEADER, line=line)
    assert parse is not None and parse.ok
    assert names(parse.lead) == ["县发改局"]
    assert names(parse.assist) == ["县财政局", "县自然资源局"]
    assert [line[m.start : m.end] for m in parse.lead + parse.assist] == [
        "县发改局",
        "县财政局",
        "县自然资源局",
    ]


def test_table_first_listed_leads_when_the_header_says_so():
    header = ["序号", "重点任务", "责任单位（排在第一位的为牵头单位）", "完成时限"]
    parse = parse_table_row(["2", "招商引资", "县商务局、县发改局、平江高新区", "长期"], header)
    assert names(parse.lead) == ["县商务局"]
    assert names(parse.assist) == ["县发改局", "平江高新区"]


def test_table_responsible_column_and_leader_column():
    header = ["序号", "任务", "牵头领导", "责任单位", "时间"]
    parse = parse_table_row(["3", "建设", "李四", "县发改局、县财政局", "2024"], header)
    assert names(parse.lead) == ["县发改局", "县财政局"]
    assert parse.assist == []


def test_table_non_task_rows():
    assert parse_table_row(HEADER, HEADER) is None  # repeated header
    assert parse_table_row(["1", "a"], ["序号", "内容"]) is None  # no responsibility column
    assert parse_table_row(["（一）产业发展", "", "", "", "", ""], HEADER) is None
    empty = parse_table_row(["1", "推进建设", "完成扩区", "", "", "2024"], HEADER)
    assert empty is not None and not empty.ok


@pytest.mark.parametrize(
    ("header", "role"),
    [
        ("牵头单位", "lead"),
        ("牵头部门", "lead"),
        ("配合部门", "assist"),
        ("责任单位", "joint"),
        ("牵头领导", "person"),
        ("完成时限", "deadline"),
        ("工作任务", "title"),
        ("分 管 县领导", "person"),
        ("上半年推进情况", "progress"),
        ("总投资(万元)", "figure"),
        ("目标", "content"),
        ("备注", "remark"),
        ("推进建设", None),
    ],
)
def test_header_roles(header, role):
    assert header_role(header) == role


# ---------------------------------------------------------------- the sample plans


def _paragraphs(path: Path) -> list[str]:
    """A stand-in for the normaliser: drop markdown, join page breaks, remove CJK spaces."""
    text = path.read_text(encoding="utf-8").replace("**", "")
    text = re.sub(r"(?<=[^。）)\n：:])\n\n(?=\S)", "", text)
    return [
        re.sub(r"(?<=[\u4e00-\u9fff]) +(?=[\u4e00-\u9fff])", "", line.strip())
        for line in text.split("\n")
    ]


def test_sample_plans_match_gold_raw_mentions():
    gold = [json.loads(line) for line in (GOLD / "tasks.jsonl").read_text().splitlines()]
    found = []
    for path in sorted((ROOT / "data" / "plans").glob("*.txt")):
        for paragraph in _paragraphs(path):
            span = find_responsibility_clause(paragraph)
            if span is not None:
                parse = parse_clause(paragraph[span[0] + 1 : span[1] - 1])
                assert parse.ok, (paragraph, parse.problem)
                found.append((path.name, names(parse.lead), names(parse.assist)))
    expected = [(g["doc"], g["lead_raw"], g["assist_raw"]) for g in gold]
    assert found == expected


# ---------------------------------------------------------------- robustness


_ALPHABET = st.sampled_from(
    [
        *"（）()、，,；;：:。等和及与牵头负责配合参与县区市局委办发改财政单位部门各镇 1\n",
        *["牵头单位：", "责任单位：", "按职责分工负责", "县发改局", "完成时限："],
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=40).map("".join))
def test_never_raises(text):
    find_all_responsibility_clauses(text)
    span = find_responsibility_clause(text)
    if span is not None:
        assert text[span[0]] in "（(［[〔【" and text[span[1] - 1] in "）)］]〕】"
    parse = parse_clause(text)
    for m in parse.lead + parse.assist:
        assert 0 <= m.start <= m.end <= len(text)
    parse_labelled(text)
    looks_like_assignment(text)
    split_agencies(text)
    parse_table_row([text, text], HEADER)
