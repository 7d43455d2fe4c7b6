"""Charts as image files: the coordination matrix as a PNG heatmap, and the load chart (each
agency's tasks led and assisted, one page per jurisdiction) as PNG or SVG — with a CJK font
so agency names are not boxes.

matplotlib ships no CJK glyphs; Debian's `fonts-wqy-microhei` or Noto/Source Han CJK are
registered with its font manager when present (a warning says when none is). Drawn on a bare
`Figure` + Agg canvas: no pyplot, so no global backend or figure state in a server process.
"""

from __future__ import annotations

import io
import warnings
from functools import cache
from pathlib import Path
from typing import Literal

import matplotlib
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from plankg.graph.exports import Matrix, agency_labels
from plankg.graph.sheets import find_plan
from plankg.graph.store import Store

# first match wins; files that are not present are skipped
CJK_FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
CJK_FAMILY_HINTS = ("wqy", "wenquanyi", "notosanscjk", "notoserifcjk", "sourcehan", "simhei")


class MissingCJKFontWarning(UserWarning):
    """No CJK font found: Chinese labels in the PNG will render as empty boxes."""


@cache
def cjk_font() -> str | None:
    """Register a CJK font with matplotlib and return its family name (None if none found)."""
    candidates = [Path(p) for p in CJK_FONT_FILES if Path(p).is_file()]
    if not candidates:
        candidates = [
            Path(p)
            for p in font_manager.findSystemFonts()
            if any(h in Path(p).name.lower().replace("-", "") for h in CJK_FAMILY_HINTS)
        ]
    for path in candidates:
        try:
            font_manager.fontManager.addfont(str(path))
            return font_manager.FontProperties(fname=str(path)).get_name()
        except (OSError, RuntimeError, ValueError):
            continue
    warnings.warn(
        "no CJK font found (install fonts-wqy-microhei): Chinese labels will not render",
        MissingCJKFontWarning,
        stacklevel=2,
    )
    return None


def heatmap_png(matrix: Matrix, title: str | None = None, dpi: int = 120) -> bytes:
    """Rows × columns coloured by count; counts written in the cells while they stay legible."""
    family = cjk_font()
    labels = agency_labels((*matrix.rows, *matrix.cols))
    n_rows, n_cols = len(matrix.rows), len(matrix.cols)
    width = min(4 + 0.32 * n_cols, 60)
    height = min(3 + 0.3 * n_rows, 60)
    fig = Figure(figsize=(width, height), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    font = {"family": [family, "sans-serif"]} if family else {}
    table = matrix.table()
    ax.set_title(title or table.title, fontdict={**font, "fontsize": 12})
    if not n_rows or not n_cols:
        ax.text(0.5, 0.5, "无数据（没有达到最小次数的单元格）", ha="center", fontdict=font)
        ax.set_axis_off()
    else:
        image = ax.imshow(matrix.counts, cmap="YlOrRd", aspect="auto", vmin=0)
        bar = fig.colorbar(image, ax=ax, shrink=0.6, ticks=MaxNLocator(integer=True))
        bar.set_label("任务数" if family else "tasks", fontdict=font)
        size = 9 if max(n_rows, n_cols) <= 30 else 6
        ax.set_xticks(range(n_cols), [labels[c.iri] for c in matrix.cols], rotation=90)
        ax.set_yticks(range(n_rows), [labels[r.iri] for r in matrix.rows])
        for tick in (*ax.get_xticklabels(), *ax.get_yticklabels()):
            tick.set_fontsize(size)
            if family:
                tick.set_fontfamily([family, "sans-serif"])
        top = max(max(row) for row in matrix.counts) or 1
        if n_rows * n_cols <= 1600:
            for r, row in enumerate(matrix.counts):
                for c, n in enumerate(row):
                    if n:
                        colour = "white" if n > top * 0.6 else "black"
                        ax.text(c, r, str(n), ha="center", va="center", fontsize=size, color=colour)
        ax.set_xlabel(table.headers[0].split("＼")[-1], fontdict=font)
        ax.set_ylabel(table.headers[0].split("＼")[0], fontdict=font)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


# ---------------------------------------------------------------- the load chart
LEAD_COLOUR = "#1f77b4"  # the load view's "mostly leads" blue
ASSIST_COLOUR = "#ff7f0e"  # and its "mostly assists" orange
PAGE_IN = (8.27, 11.69)  # A4 portrait: the chart prints on one page
MAX_BARS = 60  # bars still readable (≥ 8 pt labels) on one A4 page
_MARGIN_IN = 2.0  # title, legend, axis label and note


def _save(fig: Figure, fmt: Literal["png", "svg"], dpi: int) -> bytes:
    """PNG or SVG bytes that do not change between runs (no date, fixed SVG ids; text drawn
    as paths, so the SVG needs no CJK font where it is opened)."""
    buf = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "plankg", "svg.fonttype": "path"}):
        metadata = {"Date": None} if fmt == "svg" else {"Software": None}
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=metadata)
    return buf.getvalue()


def load_chart(
    store: Store,
    jurisdiction: str | None = None,
    plan: str | None = None,
    fmt: Literal["png", "svg"] = "png",
    dpi: int = 150,
    max_bars: int = MAX_BARS,
) -> bytes:
    """The load chart (`load_figure`) as PNG or SVG bytes."""
    return _save(load_figure(store, jurisdiction, plan, max_bars), fmt, dpi)


def load_figure(
    store: Store,
    jurisdiction: str | None = None,
    plan: str | None = None,
    max_bars: int = MAX_BARS,
) -> Figure:
    """Tasks each agency leads and assists as horizontal stacked bars, busiest at the top
    (the order of `Store.load`); past `max_bars` the quietest are left out and the chart
    says how many. One A4 page at most."""
    family = cjk_font()
    font = {"family": [family, "sans-serif"]} if family else {}
    rows = store.load(jurisdiction, plan)
    shown, hidden = rows[:max_bars], rows[max_bars:]
    labels = agency_labels(r.agency for r in rows)
    pitch = min(0.3, (PAGE_IN[1] - _MARGIN_IN) / max(len(shown), 1))
    height = min(PAGE_IN[1], _MARGIN_IN + pitch * max(len(shown), 3))
    fig = Figure(figsize=(PAGE_IN[0], height), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    info = find_plan(store, plan)
    where = jurisdiction or (info.jurisdiction if info else None) or "全部辖区"
    title = f"{where}各单位任务负荷" + (f"\n《{info.title}》" if info else "")
    ax.set_title(title, fontdict={**font, "fontsize": 13})
    if not shown:
        ax.text(0.5, 0.5, "无数据（所选范围内没有任务）", ha="center", fontdict=font)
        ax.set_axis_off()
        return fig
    y = range(len(shown))
    lead = [r.lead for r in shown]
    assist = [r.assist for r in shown]
    ax.barh(y, lead, color=LEAD_COLOUR, label="牵头" if family else "lead", height=0.72)
    ax.barh(
        y, assist, left=lead, color=ASSIST_COLOUR, label="配合" if family else "assist", height=0.72
    )
    size = 9 if len(shown) <= 35 else 8
    ax.set_yticks(list(y), [labels[r.agency.iri] for r in shown])
    for tick in ax.get_yticklabels():
        tick.set_fontsize(size)
        if family:
            tick.set_fontfamily([family, "sans-serif"])
    ax.set_ylim(len(shown) - 0.4, -0.6)  # busiest first, at the top; no empty band
    top = max(r.total for r in shown)
    for i, r in enumerate(shown):
        ax.text(
            r.total + top * 0.01,
            i,
            f"{r.total} ({r.lead}+{r.assist})",
            va="center",
            fontsize=size - 1,
            fontdict=font,
        )
    ax.set_xlim(0, top * 1.18)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.grid(True, color="#dddddd")
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlabel("任务数（牵头+配合）" if family else "tasks (lead + assist)", fontdict=font)
    ax.legend(loc="lower right", prop={"family": family, "size": 9} if family else None)
    if hidden:
        note = (
            f"另有 {len(hidden)} 个单位（每个不超过 {hidden[0].total} 项）未显示"
            if family
            else f"{len(hidden)} more agencies not shown"
        )
        fig.text(0.01, 0.002, note, fontsize=8, fontdict=font, va="bottom")
    return fig
