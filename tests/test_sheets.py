"""The sheets an office prints: the ledger's columns and order, the page set-up every workbook
carries (read back with openpyxl), row heights that fit their wrapped text, the same bytes for
the same day, the load chart — and, with LibreOffice, what the printed first page shows."""

from __future__ import annotations

import io
import math
import re
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import pytest
from conftest import require
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from viz_fakes import embedded_store

from plankg.graph.sheets import LEDGER_HEADERS, LEDGER_REFERENCE
from plankg.graph.store import Store
from plankg.viz.files import render_export
from plankg.viz.xlsx import BODY_PT, HEADER_ROW, LINE_PT, PAD_PT, display_width

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import sheets as printing

DAY = date(2026, 1, 15)
STATS, NDRC, FINANCE, AGRI = (
    "平江县统计局",
    "平江县发展和改革局",
    "平江县财政局",
    "平江县农业农村局",
)
PLAN = """平江县统计数据质量提升工作方案
一、工作任务
（一）夯实统计基础
1.联网直报。推进规模以上企业联网直报，规模以上工业企业达到130家。（县统计局、县发改局牵头，县财政局、县农业农村局配合）
2.数据共享。推进部门统计数据共享交换。（县财政局、县统计局牵头，县农业农村局、县发改局配合）
"""
# the sheets of the sample plans, as (kind, options)
SHEETS = {
    "ledger": ("ledger", {"jurisdiction": "平江县"}),
    "ledger-agency": ("ledger", {"agency": "科工信局"}),
    "indicators": ("indicators", {"jurisdiction": "平江县"}),
    "conflicts": ("conflicts", {"jurisdiction": "平江县"}),
    "matrix": ("matrix", {"jurisdiction": "平江县"}),
}


@pytest.fixture(scope="module")
def real() -> Store:
    return embedded_store()


@pytest.fixture(scope="module")
def small() -> Store:
    """A plan of two tasks whose clauses name leads and assists out of name order, with the
    deadlines the extractor will set (it does not read them yet)."""
    from plankg.graph.embedded import EmbeddedStore
    from plankg.ingest.extract import extract_text
    from plankg.ingest.model import Deadline
    from plankg.ingest.rdf import build_lines

    plan = extract_text(PLAN, "s.txt", jurisdiction="平江县")
    plan.tasks[0].deadline = Deadline("2024年12月底前", "2024-12-31")
    plan.tasks[1].deadline = Deadline("长期坚持")
    return EmbeddedStore(build_lines([plan]))


def _book(store: Store, kind: str, **options):
    return load_workbook(
        io.BytesIO(render_export(store, kind, "xlsx", exported=DAY, **options).content)
    )


def _sheet(store: Store, kind: str, **options):
    return _book(store, kind, **options).worksheets[0]


def _header(ws) -> list[str]:
    return [c.value for c in ws[HEADER_ROW] if c.value is not None]


def _rows(ws) -> list[dict]:
    header = _header(ws)
    return [
        dict(zip(header, row, strict=False))
        for row in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True)
    ]


def _one_line(value) -> str:
    return (value or "").replace("\n", "、")


# ---------------------------------------------------------------- the ledger's content
def test_ledger_columns_come_in_ledger_order_ids_and_files_last(real):
    ws = _sheet(real, "ledger", jurisdiction="平江县")
    assert _header(ws) == [*LEDGER_HEADERS, *LEDGER_REFERENCE]
    assert _header(ws)[:8] == [
        "序号", "任务", "任务内容", "牵头单位", "配合单位", "目标指标", "完成时限", "出处"
    ]  # fmt: skip
    agency = _sheet(real, "ledger", agency="科工信局")
    assert _header(agency)[:3] == ["序号", "本单位职责", "任务"]
    assert _header(agency)[-2:] == ["任务编号", "文件"]


def test_ledger_names_agencies_in_the_plans_order_with_the_deadline(small):
    rows = _rows(_sheet(small, "ledger"))
    assert [r["序号"] for r in rows] == [1, 2]
    first, second = rows
    assert _one_line(first["牵头单位"]) == f"{STATS}、{NDRC}"
    assert _one_line(first["配合单位"]) == f"{FINANCE}、{AGRI}"
    assert _one_line(second["牵头单位"]) == f"{FINANCE}、{STATS}"
    assert _one_line(second["配合单位"]) == f"{AGRI}、{NDRC}"
    assert (first["完成时限"], first["截止日期"]) == ("2024年12月底前", "2024-12-31")
    assert (second["完成时限"], second["截止日期"]) == ("长期坚持", None)
    assert first["任务"] == "联网直报" and first["任务内容"].startswith("1.联网直报。")
    assert first["目标指标"] == "规模以上工业企业130家"
    assert first["出处"] == "《平江县统计数据质量提升工作方案》\n一、工作任务 / （一）夯实统计基础"
    assert (first["任务编号"], first["文件"]) == ("s-t001", "s.txt")
    csv = render_export(small, "ledger", "csv").content.decode("utf-8-sig")
    assert f"{STATS}、{NDRC}" in csv and f"{FINANCE}、{STATS}" in csv


def test_agency_ledger_gives_the_agencys_role_in_each_task(small):
    ws = _sheet(small, "ledger", agency="县发改局")
    assert ws["A1"].value == f"{NDRC}任务分工台账"
    assert [r["本单位职责"] for r in _rows(ws)] == ["牵头", "配合"]
    assert "牵头 1 项、配合 1 项" in ws["A2"].value
    assert [r["任务"] for r in _rows(_sheet(small, "ledger", agency="县统计局", role="lead"))] == [
        "联网直报",
        "数据共享",
    ]


def test_title_row_names_the_scope_and_the_export_date(real):
    ws = _sheet(real, "ledger", jurisdiction="平江县")
    assert ws["A1"].value == "平江县任务分工台账"
    assert ws["A1"].font.bold and ws["A1"].font.size >= 14
    scope = ws["A2"].value
    assert "辖区：平江县" in scope and "方案：全部（4 个）" in scope
    assert f"共 {ws.max_row - HEADER_ROW} 项任务" in scope
    assert scope.endswith("导出日期：2026年1月15日")
    assert {str(r) for r in ws.merged_cells.ranges} >= {"A1:H1", "A2:H2"}
    plan = _sheet(real, "ledger", plan="000_99d16d149e72ffbe.txt")
    assert "方案：《平江县产业培塑行动实施方案》" in plan["A2"].value


# ---------------------------------------------------------------- page set-up
@pytest.mark.parametrize("name", sorted(SHEETS))
def test_every_sheet_prints_a4_landscape_one_page_wide_with_its_header_repeated(real, name):
    kind, options = SHEETS[name]
    ws = _sheet(real, kind, **options)
    setup = ws.page_setup
    assert setup.orientation == "landscape"
    assert int(setup.paperSize) == 9  # A4
    assert (int(setup.fitToWidth), int(setup.fitToHeight)) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
    matrix = kind == "matrix"
    assert ws.freeze_panes == ("B4" if matrix else "A4")
    if matrix:
        assert ws.print_title_cols == "$A:$A"
    header = [c for c in ws[HEADER_ROW] if c.value is not None]
    assert all(c.font.bold and c.alignment.wrap_text for c in header)
    printed = ws.max_column if matrix else len(header) - _reference_count(kind)
    last = header[printed - 1].column_letter
    assert str(ws.print_area).endswith(f"$A$1:${last}${ws.max_row}")
    if not matrix:
        assert ws.auto_filter.ref == f"A{HEADER_ROW}:{header[-1].column_letter}{ws.max_row}"
        text = [c for c in ws[HEADER_ROW + 1] if isinstance(c.value, str) and len(c.value) > 6]
        assert text and all(c.alignment.wrap_text for c in text)


def _reference_count(kind: str) -> int:
    from plankg.graph import sheets

    return len(
        {
            "ledger": sheets.LEDGER_REFERENCE,
            "indicators": sheets.INDICATOR_REFERENCE,
            "conflicts": sheets.CONFLICT_REFERENCE,
        }[kind]
    )


def test_printed_columns_fit_across_the_page_at_full_size(real):
    """A4 landscape inside 0.5 inch margins is ~770 pt; a column of w units is 7w + 5 px."""
    for name, (kind, options) in SHEETS.items():
        if kind == "matrix":
            continue
        ws = _sheet(real, kind, **options)
        printed = len(_header(ws)) - _reference_count(kind)
        px = sum(ws.column_dimensions[chr(65 + i)].width * 7 + 5 for i in range(printed))
        assert px * 0.75 <= 775, name


@pytest.mark.parametrize("name", ["ledger", "ledger-agency", "indicators", "conflicts"])
def test_row_heights_fit_the_wrapped_text_and_waste_little(real, name):
    kind, options = SHEETS[name]
    ws = _sheet(real, kind, **options)
    printed = len(_header(ws)) - _reference_count(kind)
    tallest = 0.0
    for row in ws.iter_rows(min_row=HEADER_ROW + 1, max_col=printed):
        height = ws.row_dimensions[row[0].row].height
        # at least: every paragraph at 2 units per CJK character over the column, 1 em a line
        need = max(
            sum(
                max(1, math.ceil(display_width(p) / ws.column_dimensions[c.column_letter].width))
                for p in str(c.value or "").split("\n")
            )
            for c in row
        )
        assert height >= need * BODY_PT + PAD_PT, (name, row[0].row, height, need)
        # at most: a third more lines than that (the estimate leaves room for line-breaking
        # rules and a wider Latin font), and two spare
        assert height <= (need * 1.34 + 2) * LINE_PT + PAD_PT, (name, row[0].row, height, need)
        tallest = max(tallest, height)
    if kind == "ledger":
        assert tallest > 10 * LINE_PT  # the long task texts do wrap


def test_matrix_keeps_its_heat_colours_and_counts(real):
    from plankg.graph.exports import coordination_matrix

    m = coordination_matrix(real, jurisdiction="平江县")
    ws = _sheet(real, "matrix", jurisdiction="平江县")
    body = list(ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    assert [list(r[1:]) for r in body] == [list(r) for r in m.counts]
    (area, rules), *_ = ws.conditional_formatting._cf_rules.items()
    last = f"{get_column_letter(ws.max_column)}{ws.max_row}"
    assert str(area.sqref) == f"B{HEADER_ROW + 1}:{last}"
    scale = rules[0].colorScale
    assert rules[0].type == "colorScale" and len(scale.color) == 3
    assert [c.rgb[-6:] for c in scale.color] == ["FFFFFF", "FEB24C", "E31A1C"]
    assert ws.cell(HEADER_ROW + 1, 2).number_format == "0;-0;;@"  # zeros left blank
    assert ws.cell(HEADER_ROW, 2).alignment.text_rotation == 255


def test_indicator_sheet_gives_value_year_task_and_lead(real):
    rows = _rows(_sheet(real, "indicators", jurisdiction="平江县"))
    goal = next(r for r in rows if r["指标"] == "规模工业增加值增长率" and r["目标值"] == "8%")
    assert goal["类型"] == "目标" and goal["任务"] in ("", None)
    food = next(r for r in rows if r["指标"] == "食品加工总产值")
    task = real.task(food["任务编号"])
    assert (food["目标值"], food["年份"], food["任务"]) == ("≥390亿", 2024, task.title)
    assert _one_line(food["牵头单位"]) == "、".join(a.name for a in task.lead)
    assert food["出处"].startswith(f"《{task.source.plan_title}》")


def test_consistency_sheet_pairs_both_sources(real):
    ws = _sheet(real, "conflicts", jurisdiction="平江县")
    rows = _rows(ws)
    growth = [r for r in rows if r["指标（规范化）"] == "规模工业增加值增长率"]
    assert any(r["目标A"].endswith("≥6%") and r["目标B"].endswith("≥8.5%") for r in growth)
    assert all(r["文件A"] != r["文件B"] and r["出处A"].startswith("《") for r in rows)
    assert "比对规则" in ws["A2"].value


def test_the_same_sheet_on_the_same_day_is_the_same_bytes(real):
    one = render_export(real, "ledger", "xlsx", jurisdiction="平江县", exported=DAY).content
    two = render_export(real, "ledger", "xlsx", jurisdiction="平江县", exported=DAY).content
    assert one == two
    later = render_export(real, "ledger", "xlsx", jurisdiction="平江县", exported=date(2026, 1, 16))
    assert later.content != one
    with zipfile.ZipFile(io.BytesIO(one)) as z:
        assert {i.date_time[:3] for i in z.infolist()} == {(2026, 1, 15)}
        core = z.read("docProps/core.xml").decode()
    assert re.findall(r">(\d{4}-\d\d-\d\dT[^<]*)<", core) == ["2026-01-15T00:00:00Z"] * 2


# ---------------------------------------------------------------- the load chart
def test_load_chart_stacks_led_and_assisted_tasks_busiest_first(real):
    from plankg.viz.charts import ASSIST_COLOUR, LEAD_COLOUR, cjk_font, load_figure

    rows = real.load("平江县")
    ax = load_figure(real, "平江县").axes[0]
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert names == [r.agency.name for r in rows]
    bars = ax.patches
    lead = [b for b in bars if _hex(b) == LEAD_COLOUR]
    assist = [b for b in bars if _hex(b) == ASSIST_COLOUR]
    assert [b.get_width() for b in lead] == [r.lead for r in rows]
    assert [b.get_width() for b in assist] == [r.assist for r in rows]
    assert [b.get_x() for b in assist] == [r.lead for r in rows]  # stacked after the leads
    totals = [r.total for r in rows]
    assert totals == sorted(totals, reverse=True)
    assert ax.get_ylim()[0] > ax.get_ylim()[1]  # first row at the top
    if cjk_font() is None:
        pytest.skip("no CJK font installed (fonts-wqy-microhei): labels would be boxes")
    assert all(t.get_fontfamily()[0] == cjk_font() for t in ax.get_yticklabels())


def _hex(patch) -> str:
    from matplotlib.colors import to_hex

    return to_hex(patch.get_facecolor())


def test_load_chart_says_what_it_leaves_out_and_fits_a_page(real):
    from plankg.viz.charts import PAGE_IN, cjk_font, load_figure

    fig = load_figure(real, "平江县", max_bars=5)
    assert len(fig.axes[0].get_yticklabels()) == 5
    hidden = len(real.load("平江县")) - 5
    # in Chinese when a CJK font can draw it, else in English (never boxes)
    note = f"另有 {hidden} 个单位" if cjk_font() else f"{hidden} more agencies not shown"
    assert any(note in t.get_text() for t in fig.texts)
    width, height = load_figure(real).get_size_inches()
    assert width == pytest.approx(PAGE_IN[0]) and height <= PAGE_IN[1] + 1e-9


def test_load_chart_png_and_svg_are_stable_and_the_same_from_cli_and_api(
    real, tmp_path, monkeypatch
):
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from plankg.api.app import Settings, create_app
    from plankg.api.cli import app
    from plankg.api.commands import export

    png = render_export(real, "load-chart", "png", jurisdiction="平江县")
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n" and png.filename == "任务负荷图_平江县.png"
    assert render_export(real, "load-chart", "png", jurisdiction="平江县").content == png.content
    svg = render_export(real, "load-chart", "svg", jurisdiction="平江县")
    assert svg.media_type == "image/svg+xml"
    root = ElementTree.fromstring(svg.content)
    assert root.tag.endswith("svg") and root.get("width", "").endswith("pt")
    assert b"<text" not in svg.content  # glyphs as paths: no CJK font needed to view it
    monkeypatch.setattr(export, "open_store", lambda data: real)
    client = TestClient(
        create_app(
            real,
            None,
            settings=Settings(),
        )
    )
    for fmt, file in (("png", png), ("svg", svg)):
        out = tmp_path / f"chart.{fmt}"
        result = CliRunner().invoke(
            app, ["export", "load-chart", "--jurisdiction", "平江县", "--out", str(out)]
        )
        assert result.exit_code == 0, result.output
        r = client.get("/export/load-chart", params={"jurisdiction": "平江县", "format": fmt})
        assert r.status_code == 200 and r.headers["content-type"].startswith(file.media_type)
        assert r.content == out.read_bytes() == file.content
    assert client.get("/export/load-chart", params={"format": "xlsx"}).status_code == 422


def test_cli_and_api_workbooks_are_the_same_bytes(real, tmp_path, monkeypatch):
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from plankg.api.app import Settings, create_app
    from plankg.api.cli import app
    from plankg.api.commands import export
    from plankg.viz import xlsx

    class Today(date):
        @classmethod
        def today(cls) -> date:
            return DAY

    monkeypatch.setattr(xlsx, "date", Today)  # no midnight between the two downloads
    monkeypatch.setattr(export, "open_store", lambda data: real)
    out = tmp_path / "ledger.xlsx"
    args = ["export", "ledger", "--agency", "科工信局", "--out", str(out)]
    assert CliRunner().invoke(app, args).exit_code == 0
    client = TestClient(
        create_app(
            real,
            None,
            settings=Settings(),
        )
    )
    api = client.get("/export/ledger", params={"agency": "科工信局", "format": "xlsx"}).content
    assert api == out.read_bytes()


# ---------------------------------------------------------------- printed, as a user sees it
@pytest.fixture(scope="module")
def printed(real, tmp_path_factory) -> dict[str, Path]:
    missing = printing.missing_tools()
    if missing:
        require(
            "PLANKG_REQUIRE_LIBREOFFICE",
            f"{', '.join(missing)} not installed (bash tools/install_sheets.sh)",
        )
    out = tmp_path_factory.mktemp("printed")
    books = []
    for name, (kind, options) in SHEETS.items():
        path = out / f"{name}.xlsx"
        path.write_bytes(render_export(real, kind, "xlsx", exported=DAY, **options).content)
        books.append(path)
    return dict(zip(SHEETS, printing.to_pdf(books, out / "pdf"), strict=True))


@pytest.mark.parametrize("name", sorted(SHEETS))
def test_page_one_prints_landscape_with_every_printed_column_and_chinese_text(
    real, printed, name, tmp_path
):
    pdf = printed[name]
    width, height = map(float, re.findall(r"[\d.]+", printing.pdf_info(pdf)["Page size"])[:2])
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
    text = re.sub(r"\s+", "", printing.page_text(pdf, 1))
    kind, options = SHEETS[name]
    ws = _sheet(real, kind, **options)
    assert ws["A1"].value in text and "导出日期：2026年1月15日" in text
    if kind == "matrix":
        assert ws.cell(HEADER_ROW + 1, 1).value in text  # the first leading agency
    else:
        printed_headers = _header(ws)[: len(_header(ws)) - _reference_count(kind)]
        for header in printed_headers:  # none cut off to a second page across
            assert header[:3] in text, header  # (a wrapped header reads in pieces)
        assert ".txt" not in text  # the reference columns (ids, file names) are not printed
        first = _rows(ws)[0]
        assert re.sub(r"\s+", "", str(first[printed_headers[1]]))[:8] in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert re.search(r"WenQuanYi|NotoSansCJK|SourceHan|SimSun|Droid", fonts), fonts
    png = printing.first_page_png(pdf, tmp_path / f"{name}.png", dpi=40)
    from matplotlib.image import imread

    rows, cols = imread(png).shape[:2]
    assert cols > rows  # landscape
