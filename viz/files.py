"""Export tables and graphs as files people open: CSV that Excel reads as Chinese (UTF-8 with
BOM), print-ready XLSX (`viz/xlsx.py`), the PNG heatmap and the load chart (PNG/SVG,
`viz/charts.py`), GraphML and GEXF. `render_export` is the one entry point the CLI and the
API share, so `plankg export …` and `GET /export/…` give byte-for-byte the same content
(on the same day: the workbooks carry their export date).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Literal

import networkx as nx

from plankg.graph.exports import (
    Mode,
    Table,
    agency_task_graph,
    coordination_matrix,
    resolve_one,
)
from plankg.graph.sheets import (
    consistency_report,
    find_plan,
    indicator_table,
    scope_line,
    task_ledger,
)
from plankg.graph.store import RoleFilter, Store

Kind = Literal["matrix", "ledger", "indicators", "conflicts", "load-chart", "graphml", "gexf"]
Format = Literal["csv", "xlsx", "png", "svg", "graphml", "gexf"]

MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
    "svg": "image/svg+xml",
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
}
FORMATS: dict[str, tuple[str, ...]] = {
    "matrix": ("csv", "xlsx", "png"),
    "ledger": ("csv", "xlsx"),
    "indicators": ("csv", "xlsx"),
    "conflicts": ("csv", "xlsx"),
    "load-chart": ("png", "svg"),
    "graphml": ("graphml",),
    "gexf": ("gexf",),
}
FILE_STEMS = {
    "matrix": "协同矩阵",
    "ledger": "任务分工台账",
    "indicators": "指标汇总",
    "conflicts": "指标一致性检查",
    "load-chart": "任务负荷图",
    "graphml": "单位任务图",
    "gexf": "单位任务图",
}


class ExportError(ValueError):
    """A request that cannot be exported as asked (e.g. a ledger as PNG)."""


ASCII_STEMS = {
    "matrix": "coordination-matrix",
    "ledger": "task-ledger",
    "indicators": "indicators",
    "conflicts": "indicator-conflicts",
    "load-chart": "load-chart",
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
    exported: date | None = None,
) -> ExportFile:
    """Build one export. `agency` is a name, alias or IRI (resolved within `jurisdiction`);
    `exported` is the date printed on workbooks (today by default). Raises `ExportError` for
    a format the kind has not, and `AgencyNotFound`/`AmbiguousAgency` from `resolve_one` for a
    bad agency."""
    fmt = fmt or FORMATS[kind][0]
    if fmt not in FORMATS[kind]:
        raise ExportError(f"{kind} exports as {', '.join(FORMATS[kind])}, not {fmt}")
    if min_count < 1:
        raise ExportError("min_count must be at least 1")
    agency_info = resolve_one(store, agency, jurisdiction) if agency else None
    agency_iri = agency_info.iri if agency_info else None
    plan_info = find_plan(store, plan)
    about = {
        "辖区": jurisdiction or "全部",
        "方案": plan_info.title if plan_info else plan or "全部",
        "单位": agency_info.name if agency_info else "全部",
    }
    name_parts: list[str | None] = [jurisdiction, plan and plan.removesuffix(".txt")]
    if agency_info:
        name_parts.append(agency_info.name)
    if kind in ("graphml", "gexf"):
        g = agency_task_graph(store, jurisdiction, plan)
        content = graphml_bytes(g) if kind == "graphml" else gexf_bytes(g)
        return _file(content, kind, fmt, name_parts)
    if kind == "load-chart":
        from plankg.viz.charts import load_chart

        chart = load_chart(store, jurisdiction, plan, fmt)  # type: ignore[arg-type]
        return _file(chart, kind, fmt, name_parts)
    if kind == "matrix":
        matrix = coordination_matrix(store, jurisdiction, plan, mode, min_count, agency_iri)
        about |= {"模式": mode, "最小次数": str(min_count)}
        name_parts.append(mode)
        if fmt == "png":
            from plankg.viz.charts import heatmap_png

            return _file(heatmap_png(matrix), kind, fmt, name_parts)
        cells = "行：牵头单位，列：配合单位" if mode == "lead_assist" else "行、列：单位"
        extra = [f"{cells}，数字为共同承担的任务数"]
        if min_count > 1:
            extra.append(f"仅显示不少于 {min_count} 项的单元格")
        table = matrix.table(scope_line(store, jurisdiction, plan, agency_info, extra))
    elif kind == "ledger":
        table = task_ledger(store, agency_info, role, jurisdiction, plan)
        if agency_info and role != "any":
            about["角色"] = role
            name_parts.append(role)
    elif kind == "indicators":
        table = indicator_table(store, jurisdiction, plan, subject)
    elif kind == "conflicts":
        table = consistency_report(store, jurisdiction, subject, plan)
        about["匹配规则"] = (
            "同一辖区、不同方案；指标名称规范化后相同（NFKC、去空白与标点、去“全县/全区”等范围词），"
            "标准化单位相同，年份相同或未写明，数值不同"
        )
    else:
        raise ExportError(f"unknown export {kind!r}")
    if subject:
        about["指标"] = subject
    if fmt == "xlsx":
        from plankg.viz.xlsx import xlsx_bytes  # openpyxl: 0.15 s to import, for sheets only

        content = xlsx_bytes(table, about, exported)
    else:
        content = csv_bytes(table)
    return _file(content, kind, fmt, name_parts)
