"""Every way real plans write who leads and who assists, on short realistic snippets written
for these tests (not copied from the development set): task tables however they reached
plain text, labelled assignments of every common label, role conventions, assignments in
section headings, and the boundaries of agency names."""

from __future__ import annotations

import pytest

from plankg.ingest.extract import extract_text


def tasks(text: str, jurisdiction: str = "临湘市", **kw):
    plan = extract_text(text, "snippet.txt", jurisdiction=jurisdiction, **kw)
    return plan, [([m.raw for m in t.lead], [m.raw for m in t.assist], t) for t in plan.tasks]


def roles(text: str, **kw):
    return [(lead, assist) for lead, assist, _ in tasks(text, **kw)[1]]


# ---------------------------------------------------------------- task tables


def test_table_one_cell_per_line_with_a_header_name_broken_over_lines():
    text = (
        "序号\n工作任务\n牵头\n单位\n配合\n单位\n完成\n时限\n"
        "1\n推进农村改厕，完成改厕1000户\n市农业农村局\n各乡镇\n6月底前\n"
        "2\n实施高标准农田建设5万亩\n市农业农村局\n市财政局、市自然资源局\n12月底前\n"
    )
    _plan, found = tasks(text)
    assert [(lead, assist) for lead, assist, _ in found] == [
        (["市农业农村局"], ["各乡镇"]),
        (["市农业农村局"], ["市财政局", "市自然资源局"]),
    ]
    assert [t.deadline.text for _, _, t in found] == ["6月底前", "12月底前"]
    assert found[0][2].indicators[0].value == 1000


def test_table_cells_ending_in_bars_with_a_person_column():
    text = (
        "序号 |\n重点任务 |\n分 管 市领导 |\n牵头 单位 |\n责任单位 |\n"
        "1 |\n新增城镇就业3000人以上。 |\n王 强 |\n市人社局 |\n各乡镇人民政府 |\n"
        "2 |\n建成养老服务中心2个。 |\n李明 |\n市民政局 |\n市财政局 |\n"
    )
    assert roles(text) == [(["市人社局"], ["各乡镇人民政府"]), (["市民政局"], ["市财政局"])]


def test_table_rows_with_tabs_and_an_empty_cell_keep_their_columns():
    text = (
        "序号\t重点任务\t牵头单位\t配合单位\t完成时限\n"
        "1\t建设智慧园区\t市工信局\t市发改局、市财政局\t2024年6月底前\n"
        "2\t推进招商引资\t市商务局\t\t长期坚持\n"
    )
    found = tasks(text)[1]
    assert [(lead, assist) for lead, assist, _ in found] == [
        (["市工信局"], ["市发改局", "市财政局"]),
        (["市商务局"], []),
    ]
    assert found[0][2].deadline.date == "2024-06-30"
    assert found[1][2].deadline.text == "长期坚持" and found[1][2].deadline.date is None


def test_table_rows_separated_by_spaces_with_one_unit_per_line_and_heading_rows():
    text = (
        "序号 目标任务 责任单位 推进情况\n"
        "一、主要目标\n"
        "1 地区生产总值增长6%。 区发改委 同比增长3.1%。\n"
        "2 粮食产量稳定在20万吨。 区农业农村委\n区林业局\n区粮食中心\n已完成夏粮收购。\n"
    )
    found = tasks(text, jurisdiction="铜梁区")[1]
    assert [(lead, assist) for lead, assist, _ in found] == [
        (["区发改委"], []),
        (["区农业农村委", "区林业局", "区粮食中心"], []),
    ]
    # progress is not a target: only the target cell is read for indicators
    assert [(i.value, i.unit) for i in found[0][2].indicators] == [(6, "%")]
    assert found[0][2].section == ["一、主要目标"]


def test_table_with_bars_a_merged_first_cell_and_non_role_columns():
    text = (
        "类别 | 事项 | 年度目标 | 责任单位 | 分管领导 | 完成情况 | 监督电话 |\n"
        "一、教育 | 1.新建学校 | 新建小学2所。 | 市教育局 | 张三 | 已完成主体工程70%。 |"
        " 0730-1234567 |\n"
        "2.改造操场 | 改造操场5处。 | 市教育局 | 张三 | 完成3处。 | 0730-1234567 |\n"
    )
    found = tasks(text)[1]
    assert [(lead, assist) for lead, assist, _ in found] == [(["市教育局"], [])] * 2
    assert [[(i.value, i.unit) for i in t.indicators] for _, _, t in found] == [
        [(2, "所")],
        [(5, "处")],
    ]


def test_markdown_table_rule_is_not_a_row():
    text = (
        "| 序号 | 工作任务 | 责任单位 |\n|---|---|---|\n"
        "| 1 | 改造老旧小区30个 | 市住建局、市城管局 |\n"
    )
    plan, _found = tasks(text)
    assert roles(text) == [(["市住建局", "市城管局"], [])]
    assert not [w for w in plan.warnings if w.code == "unparsed-clause"]


def test_table_cells_run_together_with_a_person_and_sub_rows():
    text = (
        "序号项目名称主要内容分管领导牵头单位配合单位"
        "1改善人居环境完成背街小巷整治20条。陈立民住建局城管局各街道"
        "2推进养老服务新建养老服务中心3家。王小红民政局卫健局"
        "推进医养结合试点。赵敏卫健局医保局"
    )
    assert roles(text, jurisdiction="钟楼区") == [
        (["住建局"], ["城管局", "各街道"]),
        (["民政局"], ["卫健局"]),
        (["卫健局"], ["医保局"]),
    ]


def test_several_role_columns_and_a_label_value_record():
    text = (
        "序号\t任务\t主体责任单位\t协同单位\t参与单位\n"
        "1\t打造产业集群\t市工信局\t市发改局\t市科技局、市商务局\n"
    )
    assert roles(text) == [(["市工信局"], ["市发改局", "市科技局", "市商务局"])]
    record = (
        "具体任务\n全面推进全民健身，建成健身步道10公里。\n"
        "责任单位\n文体局\n配合单位\n各乡镇\n完成时限\n12月底前完成\n"
    )
    found = tasks(record)[1]
    assert [(lead, assist) for lead, assist, _ in found] == [(["文体局"], ["各乡镇"])]
    assert found[0][2].deadline.text == "12月底前完成"


def test_a_row_without_its_own_unit_shares_the_merged_cell_above():
    text = (
        "序号\n工作任务\n责任单位\n"
        "1\n推进园区道路建设\n县发改局\n2\n推进园区供水建设\n3\n推进园区电网改造\n县财政局\n"
        "4\n推进园区燃气建设\n"
    )
    plan, found = tasks(text, jurisdiction="平江县")
    assert [(lead, assist) for lead, assist, _ in found] == [
        (["县发改局"], []),
        (["县发改局"], []),
        (["县财政局"], []),
    ]
    # the last row has no later row to show the merge goes on: reported, not guessed
    assert any(w.code == "unparsed-clause" and "燃气" in w.message for w in plan.warnings)


def test_docx_and_html_tables_go_through_the_same_reader(tmp_path):
    import docx

    from plankg.ingest.extract import extract_plan

    document = docx.Document()
    document.add_paragraph("临湘市2024年重点工作任务分解", style="Title")
    table = document.add_table(rows=3, cols=4)
    for r, row in enumerate(
        [
            ["序号", "工作任务", "牵头单位", "配合单位"],
            ["1", "新增规上企业10家", "市工信局", "市统计局"],
            ["2", "招商引资到位资金20亿元", "市商务局", "1200"],
        ]
    ):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    table.cell(2, 3).text = ""
    path = tmp_path / "plan.docx"
    document.save(path)
    plan = extract_plan(path)
    assert plan.title == "临湘市2024年重点工作任务分解"
    assert [([m.raw for m in t.lead], [m.raw for m in t.assist]) for t in plan.tasks] == [
        (["市工信局"], ["市统计局"]),
        (["市商务局"], []),
    ]
    html = tmp_path / "plan.html"
    html.write_text(
        "<html><body><div class='article'><p>临湘市重点工作任务分解表，各单位抓好落实。</p>"
        "<table><tr><td><p>序号</p></td><td>工作任务</td><td>责任单位</td></tr>"
        "<tr><td>1</td><td><p>新建公园</p><p>2个</p></td><td>市城管局</td></tr>"
        "</table></div></body></html>",
        encoding="utf-8",
    )
    plan = extract_plan(html, jurisdiction="临湘市")
    assert [[m.raw for m in t.lead] for t in plan.tasks] == [["市城管局"]]
    assert plan.tasks[0].indicators[0].value == 2


# ---------------------------------------------------------------- labelled assignments


@pytest.mark.parametrize(
    ("label", "role"),
    [
        ("牵头单位", "lead"),
        ("牵头部门", "lead"),
        ("牵头责任单位", "lead"),
        ("主责单位", "lead"),
        ("配合单位", "assist"),
        ("协同责任单位", "assist"),
        ("协办单位", "assist"),
        ("参与单位", "assist"),
        ("参加", "assist"),
        ("主要协作单位", "assist"),
    ],
)
def test_every_common_label_on_its_own_line(label, role):
    text = f"1.推进数字政府建设。\n牵头单位：市数据局\n{label}：市财政局、市人社局\n"
    if role == "lead":
        text = f"1.推进数字政府建设。\n{label}：市数据局、市财政局\n"
        assert roles(text) == [(["市数据局", "市财政局"], [])]
    else:
        assert roles(text) == [(["市数据局"], ["市财政局", "市人社局"])]


def test_responsible_units_alone_lead_jointly_and_beside_assist_labels_lead():
    assert roles("1.推进改革。\n责任单位：市发改局、市财政局\n") == [(["市发改局", "市财政局"], [])]
    assert roles("1.推进改革。\n责任部门：市发改局\n配合部门：市财政局\n") == [
        (["市发改局"], ["市财政局"])
    ]


def test_labels_run_in_and_inside_brackets():
    text = (
        "1.加快项目建设〔牵头单位：市发改局；责任单位：市住建局、市交通运输局〕\n"
        "2.优化营商环境（责任部门：市政务服务中心、市司法局）\n"
        "3.提升服务水平。协办单位：市财政局；主责单位：市政务服务中心。\n"
        "4.推进招商（牵头单位：市商务局  责任单位：市发改局、各乡镇）\n"
        "5.抓好安全生产（牵头领导：张三；牵头单位：市应急管理局）\n"
    )
    assert roles(text) == [
        (["市发改局"], ["市住建局", "市交通运输局"]),
        (["市政务服务中心", "市司法局"], []),
        (["市政务服务中心"], ["市财政局"]),
        (["市商务局"], ["市发改局", "各乡镇"]),
        (["市应急管理局"], []),
    ]


def test_a_clause_label_and_person_labels():
    text = (
        "1.地区生产总值增长6%以上。\n分管省领导：王明\n"
        "部门分工：省发展改革委牵头，各地、各部门配合。\n"
    )
    assert roles(text, jurisdiction="广东省") == [(["省发展改革委"], ["各地", "各部门"])]


def test_deadlines_from_labels_and_clauses():
    found = tasks(
        "1.推进供水一体化（县水利局牵头，县财政局配合，2024年12月底前完成）\n"
        "2.完善长效机制。\n责任单位：县发改局\n时限要求：持续推进\n",
        jurisdiction="平江县",
    )[1]
    assert [t.deadline.to_record() for _, _, t in found] == [
        {"text": "2024年12月底前完成", "date": "2024-12-31"},
        {"text": "持续推进", "date": None},
    ]


# ---------------------------------------------------------------- role conventions


def test_respectively_lead_and_jointly_responsible():
    assert roles("1.抓好三项工作。（市发改局、市财政局分别牵头）\n") == [
        (["市发改局", "市财政局"], [])
    ]
    assert roles("1.抓好工作。（市发改局、市统计局分别负责）\n") == [(["市发改局", "市统计局"], [])]
    assert roles("1.抓好工作。（市财政局主办，市税务局、市统计局协办）\n") == [
        (["市财政局"], ["市税务局", "市统计局"])
    ]


@pytest.mark.parametrize(
    "rule", ["列第一位者为牵头单位", "排在第一位的为牵头单位", "列第一位为牵头或汇总单位"]
)
def test_first_listed_leads_and_xia_tong_carries_the_rule(rule):
    text = (
        f"1.抓好粮食生产。\n责任单位：市农业农村局、市财政局（{rule}，下同）\n"
        "2.抓好生猪稳产。\n责任单位：市畜牧水产局、市农业农村局\n"
    )
    assert roles(text) == [
        (["市农业农村局"], ["市财政局"]),
        (["市畜牧水产局"], ["市农业农村局"]),
    ]


def test_a_rule_without_xia_tong_holds_for_its_own_item_only():
    text = (
        "1.抓好粮食生产。（市农业农村局、市财政局，排在第一位的为牵头单位）\n"
        "2.抓好生猪稳产。（市畜牧水产局、市农业农村局）\n"
    )
    assert roles(text) == [
        (["市农业农村局"], ["市财政局"]),
        (["市畜牧水产局", "市农业农村局"], []),
    ]


def test_a_rule_stated_before_the_items_holds_for_all_of_them():
    text = (
        "各单位：现将任务分解如下（各项任务中排在第一位的为牵头单位，其余为配合单位）。\n"
        "1.抓好粮食生产。（市农业农村局、市财政局）\n"
    )
    plan, found = tasks(text)
    assert [(lead, assist) for lead, assist, _ in found] == [(["市农业农村局"], ["市财政局"])]
    assert not [w for w in plan.warnings if w.code == "unparsed-clause"]


def test_assignments_in_section_headings():
    text = (
        "一、扩大有效投资政策（由市发改局牵头实施）\n"
        "全年完成固定资产投资增长10%以上。\n"
        "1.加大财政支持力度。统筹安排资金5亿元。\n"
        "二、市示范区管委会牵头工作（2项）\n"
        "3.推进标准厂房建设，新建厂房10万平方米。\n"
        "4.完成园区道路建设。\n"
        "三、其他工作\n"
        "5.推进改革。（市财政局牵头）\n"
    )
    assert roles(text) == [
        (["市发改局"], []),
        (["市发改局"], []),
        (["市示范区管委会"], []),
        (["市示范区管委会"], []),
        (["市财政局"], []),
    ]


def test_a_heading_naming_a_person_assigns_nothing():
    _plan, found = tasks("一、王强市长主抓重点工作\n1.支持企业发展。\n责任单位：市经信局\n")
    assert [(lead, assist) for lead, assist, _ in found] == [(["市经信局"], [])]


# ---------------------------------------------------------------- names


def test_name_boundaries():
    assert roles(
        "1.推进一网通办。（由市行政审批服务局牵头，各乡镇分别负责）\n"
        "2.推进改革。（制定并公布市发改局牵头，市财政局等相关部门按职责分工负责）\n"
        "3.落实政策。（牵头单位：2.市商务局）\n"
    ) == [
        (["市行政审批服务局"], ["各乡镇"]),
        (["市发改局"], ["市财政局"]),
        (["市商务局"], []),
    ]


def test_a_bare_level_is_never_an_agency_but_a_shared_ending_keeps_it():
    plan, found = tasks("1.推进改革。（市发改局牵头，市、县有关部门配合）\n")
    assert [(lead, assist) for lead, assist, _ in found] == [(["市发改局"], ["市、县有关部门"])]
    plan, found = tasks("1.推进改革。（市发改局牵头，市配合）\n")
    assert [(lead, assist) for lead, assist, _ in found] == [(["市发改局"], [])]
    assert any(w.code == "not-an-agency" and "'市'" in w.message for w in plan.warnings)


def test_collective_names_written_with_a_list_mark_stay_whole():
    assert roles(
        "1.抓好防汛。（牵头单位：市水利局；责任单位：各乡、镇人民政府，人民大垸、荒湖管理区，"
        "各县〔市、区〕人民政府）\n"
    ) == [(["市水利局"], ["各乡、镇人民政府", "人民大垸、荒湖管理区", "各县〔市、区〕人民政府"])]


def test_lists_split_on_ji_and_aliases_in_brackets_stay():
    assert roles(
        "1.推进改革。（牵头单位：州政务服务局(州数据局)；责任单位：州司法局及州直相关单位）\n",
        jurisdiction="湘西土家族苗族自治州",
    ) == [(["州政务服务局(州数据局)"], ["州司法局", "州直相关单位"])]


def test_a_name_broken_by_a_page_break_is_joined():
    assert roles("1.推进改革。（县发改局牵头，县商务粮\n\n食局配合）\n", jurisdiction="平江县") == [
        (["县发改局"], ["县商务粮食局"])
    ]


def test_traditional_script_names_stay_as_written_and_resolve_simplified():
    _plan, found = tasks("1.推進電商發展。（縣商務局牽頭，縣財政局配合）\n", jurisdiction="平江县")
    lead, assist, task = found[0]
    assert (lead, assist) == (["縣商務局"], ["縣財政局"])
    assert task.title == "推進電商發展"
    assert task.lead[0].agency.canonical == "平江县商务粮食局"
    assert task.assist[0].agency.canonical == "平江县财政局"


def test_items_without_an_assignment_and_text_cut_off_are_reported_not_invented():
    plan = extract_text(
        "一、重点任务\n1.推进改革，完成改革任务10项。\n2.加快建设。（市发改局牵头）\n"
        "3.优化营商环境，加快建",
        "x.txt",
        jurisdiction="临湘市",
    )
    assert [[m.raw for m in t.lead] for t in plan.tasks] == [["市发改局"]]
    codes = [w.code for w in plan.warnings]
    assert "no-assignment" in codes and "truncated" in codes
    assert all(
        w.span is not None for w in plan.warnings if w.code in ("no-assignment", "truncated")
    )
