"""The coordination matrix as a PNG heatmap, with a CJK font so agency names are not boxes.

matplotlib ships no CJK glyphs; Debian's `fonts-wqy-microhei` or Noto/Source Han CJK are
registered with its font manager when present (a warning says when none is). Drawn on a bare
`Figure` + Agg canvas: no pyplot, so no global backend or figure state in a server process.
"""

from __future__ import annotations

import io
import warnings
from functools import cache
from pathlib import Path

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from plankg.graph.exports import Matrix, agency_labels

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
