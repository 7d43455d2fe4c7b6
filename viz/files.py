"""Export tables and graphs as files people open: CSV that Excel reads as Chinese (UTF-8 with
BOM), XLSX laid out for reading (bold frozen header, widths, wrapping, autofilter), PNG
heatmaps, GraphML and GEXF. `render_export` is the one entry point the CLI and the API share,
so `plankg export …` and `GET /export/…` give byte-for-byte the same content.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import networkx as nx
from openpyxl import Workbook
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from plankg.graph.exports import (
    Mode,
    Table,
    agency_task_graph,
    conflict_table,
    coordination_matrix,
    find_conflicts,
    indicator_table,
    resolve_one,
    task_ledger,
)
from plankg.graph.store import RoleFilter, Store

Kind = Literal["matrix", "ledger", "indicators", "conflicts", "graphml", "gexf"]
Format = Literal["csv", "xlsx", "png", "graphml", "gexf"]

MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
}
FORMATS: dict[str, tuple[str, ...]] = {
    "matrix": ("csv", "xlsx", "png"),
    "ledger": ("csv", "xlsx"),
    "indicators": ("csv", "xlsx"),
    "conflicts": ("csv", "xlsx"),
    "graphml": ("graphml",),
    "gexf": ("gexf",),
}
FILE_STEMS = {
    "matrix": "协同矩阵",
    "ledger": "任务分工台账",
    "indicators": "指标汇总",
    "conflicts": "指标一致性检查",
    "graphml": "单位任务图",
    "gexf": "单位任务图",
}
MAX_WIDTH = {"ledger": 60, "indicators": 40, "conflicts": 40, "matrix": 40}
_INVALID_SHEET = str.maketrans({c: "_" for c in "[]:*?/\\"})


class ExportError(ValueError):
    """A request that cannot be exported as asked (e.g. a ledger as PNG)."""


ASCII_STEMS = {
    "matrix": "coordination-matrix",
    "ledger": "task-ledger",
    "indicators": "indicators",
    "conflicts": "indicator-conflicts",
    "graphml": "agency-task-graph",
    "gexf": "agency-task-graph",
}


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    media_type: str
    filename: str  # Chinese, e.g. 协同矩阵_平江县_lead_assist.xlsx
    ascii_filename: str  # fallback for clients without RFC 5987, e.g. coordination-matrix_….xlsx


# ---------------------------------------------------------------- writers
def csv_bytes(table: Table) -> bytes:
    """UTF-8 with a BOM and CRLF rows: Excel on Windows opens it with Chinese intact."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(table.headers)
    writer.writerows(["" if v is None else v for v in row] for row in table.rows)
    return buf.getvalue().encode("utf-8-sig")


def display_width(value: object) -> int:
    """Columns a value takes in a spreadsheet: CJK characters are twice as wide as Latin."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(value))


def xlsx_bytes(table: Table, about: Mapping[str, str] | None = None) -> bytes:
    """One sheet with bold frozen header, readable widths, wrapped long text; the matrix also
    freezes its first column, stacks agency names vertically and shades counts; list tables
    get an autofilter. `about` (filters, source) goes on a second sheet 说明."""
    wb = Workbook()
    ws = wb.active
    ws.title = table.title.translate(_INVALID_SHEET)[:31]
    ws.append(list(table.headers))
    for row in table.rows:
        ws.append(list(row))
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    matrix = table.kind == "matrix"
    for cell in ws[1]:
        cell.font = bold
        cell.fill = header_fill
        cell.alignment = Alignment(
            wrap_text=True, vertical="center", text_rotation=255 if matrix else 0
        )
    cap = MAX_WIDTH[table.kind]
    sample = table.rows[:500]
    wrapped: set[int] = set()
    for c, header in enumerate(table.headers, 1):
        letter = get_column_letter(c)
        if matrix and c > 1:
            ws.column_dimensions[letter].width = 5
            continue
        longest = max([display_width(header), *(display_width(r[c - 1] or "") for r in sample)])
        ws.column_dimensions[letter].width = max(6, min(longest + 2, cap))
        if longest > cap:
            wrapped.add(c)
    if matrix:
        ws.freeze_panes = "B2"
        if len(table.headers) > 1:  # names stacked vertically need a tall header row
            ws.row_dimensions[1].height = 14 * max(len(h) for h in table.headers[1:])
            if table.rows:
                area = f"B2:{get_column_letter(len(table.headers))}{len(table.rows) + 1}"
                ws.conditional_formatting.add(
                    area,
                    ColorScaleRule(
                        start_type="num",
                        start_value=0,
                        start_color="FFFFFF",
                        end_type="max",
                        end_color="F8696B",
                    ),
                )
        for (cell,) in ws.iter_rows(min_row=2, max_col=1):
            cell.font = bold
    else:
        ws.freeze_panes = "A2"
        if table.rows:
            ws.auto_filter.ref = ws.dimensions
        top, wrap_top = Alignment(vertical="top"), Alignment(vertical="top", wrap_text=True)
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = wrap_top if cell.column in wrapped else top
    if about:
        info = wb.create_sheet("说明")
        for key, value in about.items():
            info.append([key, value])
        info.column_dimensions["A"].width = 16
        info.column_dimensions["B"].width = 60
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def graphml_bytes(g: nx.Graph) -> bytes:
    buf = io.BytesIO()
    nx.write_graphml(g, buf, encoding="utf-8")
    return buf.getvalue()


def gexf_bytes(g: nx.Graph) -> bytes:
    buf = io.BytesIO()
    nx.write_gexf(g, buf, encoding="utf-8")
    return buf.getvalue()


# ---------------------------------------------------------------- the shared entry point
_UNSAFE_NAME = str.maketrans({c: "_" for c in '/\\:*?"<>|; '})


def _file(content: bytes, kind: str, fmt: str, parts: list[str | None]) -> ExportFile:
    """The file with a readable Chinese name (filters in it) and an ASCII fallback name."""
    bits = [p for p in parts if p]
    name = "_".join([FILE_STEMS[kind], *bits]).translate(_UNSAFE_NAME)
    ascii_bits = [b for b in bits if b.isascii()]
    ascii_name = "_".join([ASCII_STEMS[kind], *ascii_bits]).translate(_UNSAFE_NAME)
    return ExportFile(content, MEDIA_TYPES[fmt], f"{name}.{fmt}", f"{ascii_name}.{fmt}")


def render_export(
    store: Store,
    kind: Kind,
    fmt: Format | None = None,
    *,
    jurisdiction: str | None = None,
    plan: str | None = None,
    agency: str | None = None,
    role: RoleFilter = "any",
    min_count: int = 1,
    mode: Mode = "lead_assist",
    subject: str | None = None,
) -> ExportFile:
    """Build one export. `agency` is a name, alias or IRI (resolved within `jurisdiction`);
    raises `ExportError` for a format the kind has not, and `AgencyNotFound`/`AmbiguousAgency`
    from `resolve_one` for a bad agency."""
    fmt = fmt or FORMATS[kind][0]
    if fmt not in FORMATS[kind]:
        raise ExportError(f"{kind} exports as {', '.join(FORMATS[kind])}, not {fmt}")
    if min_count < 1:
        raise ExportError("min_count must be at least 1")
    agency_info = resolve_one(store, agency, jurisdiction) if agency else None
    agency_iri = agency_info.iri if agency_info else None
    about = {
        "辖区": jurisdiction or "全部",
        "方案": plan or "全部",
        "单位": agency_info.name if agency_info else "全部",
    }
    name_parts: list[str | None] = [jurisdiction, plan and plan.removesuffix(".txt")]
    if agency_info:
        name_parts.append(agency_info.name)
    if kind in ("graphml", "gexf"):
        g = agency_task_graph(store, jurisdiction, plan)
        content = graphml_bytes(g) if kind == "graphml" else gexf_bytes(g)
        return _file(content, kind, fmt, name_parts)
    if kind == "matrix":
        matrix = coordination_matrix(store, jurisdiction, plan, mode, min_count, agency_iri)
        about |= {"模式": mode, "最小次数": str(min_count)}
        name_parts.append(mode)
        if fmt == "png":
            from plankg.viz.charts import heatmap_png

            return _file(heatmap_png(matrix), kind, fmt, name_parts)
        table = matrix.table()
    elif kind == "ledger":
        table = task_ledger(store, agency_iri, role, jurisdiction, plan)
        if agency_info and role != "any":
            about["角色"] = role
            name_parts.append(role)
    elif kind == "indicators":
        table = indicator_table(store, jurisdiction, plan, subject)
    elif kind == "conflicts":
        table = conflict_table(find_conflicts(store, jurisdiction, subject, plan))
        about["匹配规则"] = (
            "同一辖区、不同方案；指标名称规范化后相同（NFKC、去空白与标点、去“全县/全区”等范围词），"
            "标准化单位相同，年份相同或未写明，数值不同"
        )
    else:
        raise ExportError(f"unknown export {kind!r}")
    if subject:
        about["指标"] = subject
    content = xlsx_bytes(table, about) if fmt == "xlsx" else csv_bytes(table)
    return _file(content, kind, fmt, name_parts)
