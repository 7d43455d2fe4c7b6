"""Exports: matrix cells against counts made here from `tasks_of_agency`, the files open in the
tools people use (openpyxl, networkx, a PNG decoder), and the consistency report finds what
is planted. Runs on the FAKE store; `store` → `embedded_store()` runs it on real extraction."""

from __future__ import annotations

import csv
import io
from collections import Counter
from urllib.parse import unquote

import networkx as nx
import pytest
from openpyxl import load_workbook
from viz_fakes import WithExtraIndicators, embedded_store, planted_goal

from plankg.graph.exports import (
    AgencyNotFound,
    AmbiguousAgency,
    all_tasks,
    coordination_matrix,
    find_conflicts,
    normalise_subject,
    resolve_one,
)
from plankg.graph.sheets import task_ledger
from plankg.graph.store import Store
from plankg.viz.files import ExportError, csv_bytes, render_export

assert embedded_store  # the one-line switch below


@pytest.fixture(scope="module")
def store() -> Store:
    return embedded_store()  # the real store over data/plans (sample_store() is the fake)


def _every_task(store: Store):
    seen = {}
    for a in store.agencies():
        for t in store.tasks_of_agency(a.iri):
            seen[t.id] = t
    return list(seen.values())


# ---------------------------------------------------------------- the matrix
def test_lead_assist_cells_equal_counts_made_from_the_tasks(store):
    expected: Counter[tuple[str, str]] = Counter()
    for a in store.agencies():
        for t in store.tasks_of_agency(a.iri, role="lead"):
            for b in {x.iri for x in t.assist}:
                expected[(a.iri, b)] += 1
    m = coordination_matrix(store)
    got = {
        (r.iri, c.iri): n
        for r, row in zip(m.rows, m.counts, strict=True)
        for c, n in zip(m.cols, row, strict=True)
        if n
    }
    assert got == dict(expected)
    assert expected, "the store should have lead→assist pairs"


def test_co_matrix_is_symmetric_and_counts_tasks_naming_both(store):
    expected: Counter[tuple[str, str]] = Counter()
    for t in _every_task(store):
        named = {a.iri for a in (*t.lead, *t.assist)}
        for a in named:
            for b in named - {a}:
                expected[(a, b)] += 1
    m = coordination_matrix(store, mode="co")
    assert [r.iri for r in m.rows] == [c.iri for c in m.cols]
    for i, r in enumerate(m.rows):
        assert m.counts[i][i] == 0
        for j, c in enumerate(m.cols):
            assert m.counts[i][j] == m.counts[j][i] == expected.get((r.iri, c.iri), 0)


def test_min_count_jurisdiction_and_agency_filters(store):
    m = coordination_matrix(store, min_count=2)
    assert all(n == 0 or n >= 2 for row in m.counts for n in row)
    assert all(any(row) for row in m.counts), "empty rows are dropped"
    assert all(any(m.counts[i][j] for i in range(len(m.rows))) for j in range(len(m.cols)))
    one = coordination_matrix(store, jurisdiction="平江县")
    assert {a.jurisdiction for a in (*one.rows, *one.cols)} == {"平江县"}
    kgx = resolve_one(store, "科工信局")
    own = coordination_matrix(store, agency_iri=kgx.iri)
    for i, r in enumerate(own.rows):
        for j, c in enumerate(own.cols):
            if own.counts[i][j]:
                assert kgx.iri in (r.iri, c.iri)


def test_matrix_csv_starts_with_bom_and_reads_back(store):
    m = coordination_matrix(store)
    data = render_export(store, "matrix", "csv").content
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][0] == "牵头单位＼配合单位"
    assert rows[0][1:] == [c.name for c in m.cols]
    assert [[int(x) for x in r[1:]] for r in rows[1:]] == [list(r) for r in m.counts]


def test_matrix_xlsx_layout_and_values(store):
    m = coordination_matrix(store, jurisdiction="平江县")
    wb = load_workbook(
        io.BytesIO(render_export(store, "matrix", "xlsx", jurisdiction="平江县").content)
    )
    ws = wb.worksheets[0]
    header = [c.value for c in ws[3]]  # under the title and scope rows
    assert header[1:] == [c.name for c in m.cols]
    assert ws.freeze_panes == "B4"
    assert all(c.font.bold for c in ws[3])
    assert ws.column_dimensions["A"].width >= max(len(r.name) for r in m.rows)
    body = [list(r) for r in ws.iter_rows(min_row=4, values_only=True)]
    assert [r[0] for r in body] == [r.name for r in m.rows]
    assert [r[1:] for r in body] == [list(r) for r in m.counts]
    assert "说明" in wb.sheetnames


def test_matrix_png_is_a_png_with_a_cjk_font(store):
    from matplotlib.image import imread

    from plankg.viz.charts import cjk_font

    data = render_export(store, "matrix", "png").content
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = imread(io.BytesIO(data), format="png")
    assert pixels.shape[0] > 200 and pixels.shape[1] > 200
    if cjk_font() is None:
        pytest.skip("no CJK font installed (fonts-wqy-microhei): labels cannot be checked")


# ---------------------------------------------------------------- the ledger
def test_ledger_has_one_row_per_task_with_the_agencies(store):
    tasks = _every_task(store)
    table = task_ledger(store)
    assert len(table.rows) == len(tasks) == len(all_tasks(store))
    by_id = {t.id: t for t in tasks}
    col = {h: i for i, h in enumerate(table.headers)}
    for row in table.rows:
        t = by_id[row[col["任务编号"]]]
        assert row[col["任务内容"]] == t.text
        assert row[col["牵头单位"]] == "、".join(a.name for a in t.lead)
        assert row[col["配合单位"]] == "、".join(a.name for a in t.assist)
        assert row[col["出处"]].startswith(f"《{t.source.plan_title}》")
        assert row[col["文件"]] == t.source.doc


def test_ledger_xlsx_for_one_agency(store):
    kgx = resolve_one(store, "科工信局")
    led = store.tasks_of_agency(kgx.iri, role="lead")
    file = render_export(store, "ledger", "xlsx", agency="科工信局", role="lead")
    assert file.filename == f"任务分工台账_{kgx.name}_lead.xlsx"
    ws = load_workbook(io.BytesIO(file.content)).worksheets[0]
    header = [c.value for c in ws[3]]
    for name in ("出处", "任务", "任务内容", "牵头单位", "配合单位", "目标指标", "项目"):
        assert name in header
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert [r[header.index("任务编号")] for r in rows] == [t.id for t in led]
    assert {r[header.index("本单位职责")] for r in rows} <= {"牵头", "牵头、配合"}
    assert ws.freeze_panes == "A4"
    assert ws.auto_filter.ref == ws.dimensions.replace("A1:", "A3:")
    text_col = ws.cell(row=3, column=header.index("任务内容") + 1).column_letter
    assert ws.column_dimensions[text_col].width <= 60
    assert ws[f"{text_col}4"].alignment.wrap_text


def test_ledger_csv_is_excel_friendly(store):
    data = render_export(store, "ledger", "csv").content
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["序号", "任务", "任务内容"]
    assert len(rows) - 1 == len(_every_task(store))


# ---------------------------------------------------------------- indicators and conflicts
def test_indicator_table_covers_every_target(store):
    file = render_export(store, "indicators", "xlsx")
    ws = load_workbook(io.BytesIO(file.content)).worksheets[0]
    assert ws.max_row - 3 == len(store.indicators())
    header = [c.value for c in ws[3]]
    assert {"辖区", "指标", "目标值", "年份", "数值", "单位", "文件", "出处"} <= set(header)


def test_growth_rate_conflict_between_plans_of_one_jurisdiction(store):
    conflicts = find_conflicts(store, subject="规模工业增加值增长率")
    pairs = {
        (c.jurisdiction, c.a.value, c.b.value)
        for c in conflicts
        if c.subject == "规模工业增加值增长率"
    }
    assert ("平江县", 8.0, 8.5) in pairs
    for c in conflicts:
        assert c.a.source.doc != c.b.source.doc
        assert c.a.norm_value != c.b.norm_value
        assert c.a.source.section and c.b.source.section and c.a.source.end > c.a.source.start


def test_equal_targets_and_other_jurisdictions_are_not_conflicts(store):
    for c in find_conflicts(store):
        assert c.a.norm_value != c.b.norm_value
        jur = {p.doc: p.jurisdiction for p in store.plans()}
        assert jur[c.a.source.doc] == jur[c.b.source.doc] == c.jurisdiction
    assert not [c for c in find_conflicts(store) if c.subject == "粮食播种面积"]


def test_a_planted_conflict_is_found_with_both_sources(store):
    by_j: dict[str, list] = {}
    for p in store.plans():
        by_j.setdefault(p.jurisdiction, []).append(p)
    j, (p1, p2, *_) = next((j, ps) for j, ps in by_j.items() if len(ps) >= 2)
    other = next(p for p in store.plans() if p.jurisdiction != j)
    planted = WithExtraIndicators(
        store,
        [
            planted_goal(p1.doc, p1.title, "全县测试专用增长率", 10),
            planted_goal(p2.doc, p2.title, "测试专用增长率", 12),
            planted_goal(p1.doc, p1.title, "测试专用总量", 5, "个"),
            planted_goal(p2.doc, p2.title, "测试专用总量", 5, "个"),
            planted_goal(other.doc, other.title, "测试专用增长率", 99),
        ],
    )
    found = [c for c in find_conflicts(planted) if c.subject.startswith("测试专用")]
    assert [(c.jurisdiction, c.subject, c.a.value, c.b.value) for c in found] == [
        (j, "测试专用增长率", 10.0, 12.0)
    ]
    table = render_export(planted, "conflicts", "csv", jurisdiction=j).content.decode("utf-8-sig")
    line = next(r for r in csv.reader(io.StringIO(table)) if r[2] == "测试专用增长率")
    assert p1.doc in line and p2.doc in line
    assert f"《{p1.title}》\n一、工作目标" in line


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("全县规模工业增加值增长率", "规模工业增加值增长率", True),
        ("“四上”企业", "四上企业", True),
        ("规模 工业增加值（增长率）", "规模工业增加值增长率", True),
        ("ＧＤＰ增速", "gdp增速", True),
        ("平江县规模工业增加值增长率", "规模工业增加值增长率", True),
        ("新增规模以上工业企业", "规模以上工业企业", False),
    ],
)
def test_subject_normalisation(a, b, same):
    assert (normalise_subject(a, "平江县") == normalise_subject(b, "平江县")) is same


# ---------------------------------------------------------------- graph files
@pytest.mark.parametrize("kind", ["graphml", "gexf"])
def test_agency_task_graph_reads_back(store, kind):
    file = render_export(store, kind)
    g = (nx.read_graphml if kind == "graphml" else nx.read_gexf)(io.BytesIO(file.content))
    tasks = _every_task(store)
    types = Counter(d["type"] for _, d in g.nodes(data=True))
    assert types["Task"] == len(tasks)
    assert types["Agency"] == len({a.iri for t in tasks for a in (*t.lead, *t.assist)})
    assert all(d.get("label") for _, d in g.nodes(data=True))
    roles = Counter(d["role"] for *_, d in g.edges(data=True))
    assert roles["lead"] == sum(len(set(t.lead)) for t in tasks)
    assert roles["assist"] == sum(len(set(t.assist)) for t in tasks)
    kgx = resolve_one(store, "科工信局")
    assert any(d.get("label") == kgx.name for _, d in g.nodes(data=True))


# ---------------------------------------------------------------- errors and names
def test_bad_requests_are_refused_clearly(store):
    with pytest.raises(ExportError):
        render_export(store, "ledger", "png")
    with pytest.raises(AmbiguousAgency) as amb:
        render_export(store, "ledger", agency="自然资源局")
    assert {c.jurisdiction for c in amb.value.candidates} == {"平江县", "大通湖区"}
    with pytest.raises(AgencyNotFound):
        render_export(store, "ledger", agency="并不存在的局")
    assert render_export(store, "ledger", agency="自然资源局", jurisdiction="大通湖区").content


def test_file_names_carry_filters_and_an_ascii_fallback(store):
    f = render_export(store, "matrix", "xlsx", jurisdiction="平江县", mode="co")
    assert f.filename == "协同矩阵_平江县_co.xlsx"
    assert f.ascii_filename == "coordination-matrix_co.xlsx"
    assert f.media_type.startswith("application/vnd.openxmlformats")


def test_csv_writer_keeps_empty_cells_empty():
    from plankg.graph.exports import Table

    data = csv_bytes(Table("indicators", "t", ("a", "b"), (("甲", None),)))
    assert data.decode("utf-8-sig") == "a,b\r\n甲,\r\n"


# ---------------------------------------------------------------- API and CLI
@pytest.fixture(scope="module")
def client(store):
    from fastapi.testclient import TestClient

    from plankg.api.app import Settings, create_app

    app = create_app(store, None, settings=Settings())
    return TestClient(app)


@pytest.mark.parametrize(
    ("url", "media", "name"),
    [
        ("/export/matrix?format=csv", "text/csv", "协同矩阵_lead_assist.csv"),
        ("/export/matrix?format=xlsx&jurisdiction=平江县", "application/vnd.openxml", None),
        ("/export/matrix?format=png&mode=co&min_count=1", "image/png", "协同矩阵_co.png"),
        ("/export/ledger?format=xlsx&agency=科工信局", "application/vnd.openxml", None),
        ("/export/ledger?format=csv", "text/csv", "任务分工台账.csv"),
        ("/export/indicators", "text/csv", "指标汇总.csv"),
        ("/export/conflicts?format=xlsx", "application/vnd.openxml", "指标一致性检查.xlsx"),
        ("/export/graphml", "application/graphml+xml", "单位任务图.graphml"),
        ("/export/gexf", "application/gexf+xml", "单位任务图.gexf"),
    ],
)
def test_api_exports_have_type_and_rfc5987_file_name(client, url, media, name):
    r = client.get(url)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media)
    disposition = r.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="')
    assert disposition.split('filename="')[1].split('"')[0].isascii()
    encoded = disposition.split("filename*=UTF-8''")[1]
    assert encoded.isascii()
    if name:
        assert unquote(encoded) == name


def test_api_export_errors(client):
    assert client.get("/export/ledger?agency=自然资源局").status_code == 409
    missing = client.get("/export/ledger?agency=并不存在的局")
    assert missing.status_code == 404 and "closest" in missing.json()["error"]
    assert client.get("/export/ledger?format=png").status_code == 422
    assert client.get("/export/matrix?min_count=0").status_code == 422


def test_cli_export_writes_the_same_bytes(store, client, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from plankg.api.cli import app
    from plankg.api.commands import export

    monkeypatch.setattr(export, "open_store", lambda data: store)
    out = tmp_path / "m.xlsx"
    result = CliRunner().invoke(
        app, ["export", "matrix", "--out", str(out), "--jurisdiction", "平江县", "--min-count", "1"]
    )
    assert result.exit_code == 0, result.output
    api = client.get("/export/matrix?format=xlsx&jurisdiction=平江县").content
    assert load_workbook(io.BytesIO(out.read_bytes())).worksheets[0].max_row == (
        load_workbook(io.BytesIO(api)).worksheets[0].max_row
    )  # the same bytes too, on the same day: tests/test_sheets.py
    png = tmp_path / "m.png"
    assert CliRunner().invoke(app, ["export", "matrix", "-o", str(png)]).exit_code == 0
    assert png.read_bytes()[:4] == b"\x89PNG"
    bad = CliRunner().invoke(app, ["export", "ledger", "-o", str(png), "--agency", "自然资源局"])
    assert bad.exit_code == 2


def test_matrix_agrees_cell_by_cell_with_gold_counts(gold_tasks):
    """Acceptance: counts computed independently from tests/gold/tasks.jsonl."""
    expected: Counter[tuple[str, str]] = Counter()
    for g in gold_tasks:
        for a in set(g["lead"]):
            for b in set(g["assist"]):
                expected[(a, b)] += 1
    real = embedded_store()
    m = coordination_matrix(real)
    got = {
        (r.name, c.name): n
        for r, row in zip(m.rows, m.counts, strict=True)
        for c, n in zip(m.cols, row, strict=True)
        if n
    }
    assert got == dict(expected)
    xlsx = load_workbook(io.BytesIO(render_export(real, "matrix", "xlsx").content))
    sheet = xlsx.worksheets[0]
    assert sheet.freeze_panes is not None and sheet.max_row == len(m.rows) + 3
