"""Tables as print-ready workbooks: what an office prints and hands to each bureau.

Every sheet has a title row and a scope line (what it covers, the export date), one header row
that repeats on every printed page and stays frozen on screen, A4 landscape scaled to one page
wide, thin borders, and wrapped text in rows tall enough for it. Row heights are estimated
from the text's width per column (a CJK character is twice a digit), because neither Excel nor
LibreOffice grows a row to fit wrapped text when it opens a file. Only the columns a reader
needs are printed (`Table.printed`); the reference columns after them (ids, file names, raw
numbers) are kept for lookups and analysis. The matrix keeps its heat colours as a colour
scale. The zip is written with fixed timestamps, so the same table on the same day gives the
same bytes.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Mapping
from datetime import date

from openpyxl import Workbook
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from plankg.graph.exports import Table

FONT = "宋体"  # SimSun: on every Chinese Windows; LibreOffice falls back to the system CJK font
BODY_PT = 10.5  # 五号, the size of body text in official documents
TITLE_PT = 16
LINE_PT = 12.0  # one wrapped line at BODY_PT: 宋体/文泉驿 are 1 em high, plus leading
PAD_PT = 4
MAX_ROW_PT = 409  # the largest row height Excel accepts
PRINT_WIDTH = 140  # column units across A4 landscape inside the margins below, at 100 %
HEADER_ROW = 3  # row 1 title, row 2 scope line, row 3 header, data from row 4

# printed column widths (Excel column units ≈ one digit); CJK characters take two
WIDTHS: dict[str, float] = {
    "序号": 5,
    "本单位职责": 7,
    "任务": 10,
    "任务内容": 42,
    "牵头单位": 19,
    "配合单位": 19,
    "目标指标": 18,
    "完成时限": 9,
    "出处": 18,
    "辖区": 8,
    "指标": 26,
    "目标值": 12,
    "年份": 6,
    "类型": 9,
    "指标（规范化）": 22,
    "目标A": 22,
    "出处A": 30,
    "目标B": 22,
    "出处B": 30,
}
FLEXIBLE = ("任务内容", "指标", "出处A", "出处B")  # what gives way when columns do not fit
# per sheet, where a table would leave the page part empty, what takes up the room
WIDER = {"indicators": {"指标": 24, "出处": 39, "牵头单位": 25, "任务": 12}}
AGENCY_LISTS = ("牵头单位", "配合单位")  # `A、B` becomes one agency a line once it wraps
REFERENCE_MAX = 30

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REFERENCE_FILL = PatternFill("solid", fgColor="EDEDED")
_INVALID_SHEET = str.maketrans({c: "_" for c in "[]:*?/\\"})
_CORE_TIMES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def display_width(value: object) -> int:
    """Columns a value takes in a spreadsheet: CJK characters are twice as wide as Latin."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(value))


def text_lines(value: object, width: float) -> int:
    """Lines a wrapped value takes in a column `width` units wide. CJK text breaks between
    any two characters, so the estimate is the width of each paragraph over the usable width:
    the column less cell padding and, once a paragraph wraps, about half a character per
    line, for the characters line-breaking rules (no 、，。 at the start of a line) push on."""
    if value is None or value == "":
        return 1
    lines = 0
    for paragraph in str(value).split("\n"):
        w = display_width(paragraph)
        lines += 1 if w <= width - 1.2 else math.ceil(w / max(width - 2.2, 1.0))
    return lines


def row_height(lines: int, line_pt: float = LINE_PT) -> float:
    return min(lines * line_pt + PAD_PT, MAX_ROW_PT)


def export_date_text(day: date) -> str:
    return f"导出日期：{day.year}年{day.month}月{day.day}日"


def printed_widths(table: Table) -> list[float]:
    """Widths of the printed columns; the flexible ones shrink (to half at most) when the
    whole would not fit across the page at full size."""
    headers = table.headers[: table.printed_columns]
    wider = WIDER.get(table.kind, {})
    widths = [wider.get(h, WIDTHS.get(h, 12.0)) for h in headers]
    excess = sum(widths) - PRINT_WIDTH
    flexible = [i for i, h in enumerate(headers) if h in FLEXIBLE]
    if excess > 0 and flexible:
        room = sum(widths[i] / 2 for i in flexible)
        for i in flexible:
            widths[i] -= excess * (widths[i] / 2) / room if room > excess else widths[i] / 2
    return widths


def _reference_width(table: Table, c: int) -> float:
    sample = table.rows[:500]
    longest = max([display_width(table.headers[c]), *(display_width(r[c] or "") for r in sample)])
    return max(6, min(longest + 2, REFERENCE_MAX))


# ---------------------------------------------------------------- sheet parts
def _title_rows(ws: Worksheet, table: Table, last: int, exported: date, width: float) -> None:
    end = get_column_letter(last)
    scope = "　".join(p for p in (table.scope, export_date_text(exported)) if p)
    ws.cell(1, 1, table.title).font = Font(name=FONT, size=TITLE_PT, bold=True)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.cell(2, 1, scope).font = Font(name=FONT, size=BODY_PT)
    ws.cell(2, 1).alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
    if last > 1:
        ws.merge_cells(f"A1:{end}1")
        ws.merge_cells(f"A2:{end}2")
    ws.row_dimensions[1].height = TITLE_PT * 2
    ws.row_dimensions[2].height = row_height(text_lines(scope, width))


def _print_setup(
    ws: Worksheet, last_printed: int, last_row: int, repeat_first_column: bool
) -> None:
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as it takes
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    if repeat_first_column:
        ws.print_title_cols = "A:A"
    ws.print_area = f"A1:{get_column_letter(last_printed)}{max(last_row, HEADER_ROW)}"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.size = 9


def _list_sheet(ws: Worksheet, table: Table, exported: date) -> None:
    """Ledger, indicators, consistency: wrapped text, heights that fit it, autofilter."""
    printed = table.printed_columns
    widths = printed_widths(table)
    widths += [_reference_width(table, c) for c in range(printed, len(table.headers))]
    for c, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(c)].width = round(width, 2)
    body = Font(name=FONT, size=BODY_PT)
    bold = Font(name=FONT, size=BODY_PT, bold=True)
    grey = Font(name=FONT, size=BODY_PT, bold=True, color="595959")
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrap = Alignment(vertical="top", wrap_text=True)
    number = Alignment(horizontal="center", vertical="top", wrap_text=True)
    lists = {c for c, h in enumerate(table.headers, 1) if h in AGENCY_LISTS and c <= printed}
    header_lines = 1
    for c, header in enumerate(table.headers, 1):
        cell = ws.cell(HEADER_ROW, c, header)
        cell.font, cell.alignment, cell.border = (bold if c <= printed else grey), centre, BORDER
        cell.fill = HEADER_FILL if c <= printed else REFERENCE_FILL
        header_lines = max(header_lines, text_lines(header, widths[c - 1]))
    ws.row_dimensions[HEADER_ROW].height = row_height(header_lines)
    for r, values in enumerate(table.rows, HEADER_ROW + 1):
        lines = 1
        for c, value in enumerate(values, 1):
            if c in lists and isinstance(value, str) and text_lines(value, widths[c - 1]) > 1:
                value = value.replace("、", "\n")  # one agency a line, none broken in two
            cell = ws.cell(r, c, value)
            cell.font, cell.border = body, BORDER
            short = isinstance(value, int | float) or display_width(value or "") <= 6
            cell.alignment = number if short and widths[c - 1] <= 9 else wrap
            lines = max(lines, text_lines(value, widths[c - 1]))
        ws.row_dimensions[r].height = row_height(lines)
    last_row = HEADER_ROW + len(table.rows)
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    if table.rows:
        ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(table.headers))}{last_row}"
    _title_rows(ws, table, printed, exported, sum(widths[:printed]))
    _print_setup(ws, printed, last_row, repeat_first_column=False)


def _matrix_sheet(ws: Worksheet, table: Table, exported: date) -> None:
    """Agency × agency counts: names stacked vertically in the header, zeros blank, a heat
    colour scale (white → yellow → red, as the PNG) so the sheet reads on its own."""
    n_cols = len(table.headers)
    first = max([display_width(table.headers[0]), *(display_width(r[0]) for r in table.rows)])
    ws.column_dimensions["A"].width = max(10, min(first + 2, 40))
    for c in range(2, n_cols + 1):
        ws.column_dimensions[get_column_letter(c)].width = 4.5
    bold = Font(name=FONT, size=BODY_PT, bold=True)
    body = Font(name=FONT, size=BODY_PT)
    for c, header in enumerate(table.headers, 1):
        cell = ws.cell(HEADER_ROW, c, header)
        cell.font, cell.fill, cell.border = bold, HEADER_FILL, BORDER
        cell.alignment = Alignment(
            horizontal="center",
            vertical="bottom" if c > 1 else "center",
            wrap_text=True,
            text_rotation=255 if c > 1 else 0,
        )
    tallest = max((len(h) for h in table.headers[1:]), default=2)
    ws.row_dimensions[HEADER_ROW].height = min(BODY_PT * 1.25 * tallest + PAD_PT, MAX_ROW_PT)
    counts = Alignment(horizontal="center", vertical="center")
    for r, values in enumerate(table.rows, HEADER_ROW + 1):
        for c, value in enumerate(values, 1):
            cell = ws.cell(r, c, value)
            cell.border = BORDER
            if c == 1:
                cell.font, cell.alignment = bold, Alignment(vertical="center")
            else:
                cell.font, cell.alignment, cell.number_format = body, counts, "0;-0;;@"
        ws.row_dimensions[r].height = LINE_PT + PAD_PT
    last_row = HEADER_ROW + len(table.rows)
    if table.rows and n_cols > 1:
        area = f"B{HEADER_ROW + 1}:{get_column_letter(n_cols)}{last_row}"
        ws.conditional_formatting.add(
            area,
            ColorScaleRule(
                start_type="num",
                start_value=0,
                start_color="FFFFFF",
                mid_type="percent",
                mid_value=50,
                mid_color="FEB24C",
                end_type="max",
                end_color="E31A1C",
            ),
        )
    ws.freeze_panes = f"B{HEADER_ROW + 1}"
    width = ws.column_dimensions["A"].width + 4.5 * (n_cols - 1)
    _title_rows(ws, table, n_cols, exported, min(width, PRINT_WIDTH))
    _print_setup(ws, n_cols, last_row, repeat_first_column=True)


def _about_sheet(wb: Workbook, table: Table, about: Mapping[str, str], exported: date) -> None:
    info = wb.create_sheet("说明")
    rows = {**about, "导出日期": exported.isoformat()}
    if table.printed_columns < len(table.headers):
        rows["打印"] = (
            f"打印区域为前 {table.printed_columns} 列（A4 横向，缩放到一页宽，表头每页重复）；"
            f"其后为参考列，不打印：{'、'.join(table.headers[table.printed_columns :])}"
        )
    for key, value in rows.items():
        info.append([key, value])
    info.column_dimensions["A"].width = 16
    info.column_dimensions["B"].width = 100
    info.page_setup.orientation = info.ORIENTATION_LANDSCAPE
    info.page_setup.paperSize = info.PAPERSIZE_A4
    info.page_setup.fitToWidth = 1
    info.page_setup.fitToHeight = 0
    info.sheet_properties.pageSetUpPr.fitToPage = True
    for key, value in info.iter_rows(min_row=1):
        key.font = Font(name=FONT, size=BODY_PT, bold=True)
        value.font = Font(name=FONT, size=BODY_PT)
        value.alignment = Alignment(wrap_text=True, vertical="top")
        key.alignment = Alignment(vertical="top")
        info.row_dimensions[key.row].height = row_height(text_lines(value.value, 100))


def _fixed_zip(data: bytes, day: date) -> bytes:
    """The same workbook with the export day as every timestamp (zip entries and the document
    properties openpyxl stamps with the current time), so equal content is equal bytes."""
    stamp = (day.year, day.month, day.day, 0, 0, 0)
    iso = f"{day.isoformat()}T00:00:00Z".encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                content = _CORE_TIMES.sub(rb"\g<1>" + iso + rb"\g<2>", content)
            entry = zipfile.ZipInfo(item.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = item.external_attr
            dst.writestr(entry, content)
    return out.getvalue()


def xlsx_bytes(
    table: Table, about: Mapping[str, str] | None = None, exported: date | None = None
) -> bytes:
    """The table as a print-ready workbook (see the module doc); `about` (filters, rules) goes
    on a second sheet 说明 with the export date."""
    exported = exported or date.today()
    wb = Workbook()
    ws = wb.active
    ws.title = table.title.translate(_INVALID_SHEET)[:31]
    if table.kind == "matrix":
        _matrix_sheet(ws, table, exported)
    else:
        _list_sheet(ws, table, exported)
    _about_sheet(wb, table, about or {}, exported)
    buf = io.BytesIO()
    wb.save(buf)
    return _fixed_zip(buf.getvalue(), exported)
