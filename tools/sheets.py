"""See the sheets the way an office does: export them, print them to PDF with LibreOffice and
render page 1 to PNG with pdftoppm (poppler-utils).

    python tools/sheets.py --data build --out build/sheets            # `make sheets`
    python tools/sheets.py --data build --out build/sheets --docs docs  # also refresh docs/*.png

Each LibreOffice run gets its own profile folder, so runs in parallel (other checkouts, CI
jobs) do not trip over a shared one. The tests use `to_pdf` / `first_page_png` too.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Sheet:
    """One export of the docs/`make sheets` set: what to ask `render_export` for."""

    stem: str  # file name in docs/ and the output folder
    kind: str
    fmt: str
    options: tuple[tuple[str, str], ...] = ()


SHEETS = (
    Sheet("ledger", "ledger", "xlsx", (("jurisdiction", "平江县"),)),
    Sheet("ledger-agency", "ledger", "xlsx", (("agency", "科工信局"),)),
    Sheet("indicators", "indicators", "xlsx", (("jurisdiction", "平江县"),)),
    Sheet("conflicts", "conflicts", "xlsx", (("jurisdiction", "平江县"),)),
    Sheet("matrix", "matrix", "xlsx", (("jurisdiction", "平江县"),)),
    Sheet("load-chart", "load-chart", "png", (("jurisdiction", "平江县"),)),
)


def missing_tools() -> list[str]:
    """The programs this needs that are not installed (empty when all are)."""
    tools = ("libreoffice", "pdftoppm", "pdfinfo", "pdftotext", "pdffonts")
    return [t for t in tools if shutil.which(t) is None]


def to_pdf(workbooks: list[Path], out_dir: Path, timeout: float = 300) -> list[Path]:
    """`libreoffice --headless --convert-to pdf` for all `workbooks` in one run (starting
    LibreOffice costs seconds), in a private profile; the PDFs' paths, in the same order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="plankg-lo-") as profile:
        subprocess.run(
            [
                "libreoffice",
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out_dir),
                *map(str, workbooks),
            ],
            check=True,
            capture_output=True,
            timeout=timeout,
        )
    pdfs = [out_dir / f"{w.stem}.pdf" for w in workbooks]
    for w, pdf in zip(workbooks, pdfs, strict=True):
        if not pdf.is_file():
            raise RuntimeError(f"LibreOffice wrote no PDF for {w}")
    return pdfs


def first_page_png(pdf: Path, png: Path, dpi: int = 90) -> Path:
    """Page 1 of `pdf` as `png` at `dpi` (90: an A4 page 1050 px wide, small print legible)."""
    png.parent.mkdir(parents=True, exist_ok=True)
    stem = png.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", str(pdf), stem],
        check=True,
        capture_output=True,
    )
    return png


def pdf_info(pdf: Path) -> dict[str, str]:
    """`pdfinfo` as a dict (Pages, Page size, …)."""
    text = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in text.splitlines())}


def page_text(pdf: Path, page: int = 1) -> str:
    """The text on one page (`pdftotext`): what a reader can read there."""
    return subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def render_set(data: Path, out: Path, docs: Path | None, day: date | None = None) -> list[Path]:
    """Export `SHEETS` from the graph in `data`, print each workbook to PDF and page 1 to PNG;
    with `docs`, copy the page-1 PNGs (and the chart at 90 dpi) there, in a small palette."""
    from plankg.graph.embedded import EmbeddedStore
    from plankg.viz.charts import load_chart
    from plankg.viz.files import render_export

    store = EmbeddedStore.open(data)
    out.mkdir(parents=True, exist_ok=True)
    pngs: dict[str, Path] = {}
    workbooks = []
    for sheet in SHEETS:
        file = render_export(store, sheet.kind, sheet.fmt, exported=day, **dict(sheet.options))
        path = out / f"{sheet.stem}.{sheet.fmt}"
        path.write_bytes(file.content)
        pngs[sheet.stem] = out / "png" / f"{sheet.stem}.png"
        if sheet.fmt == "xlsx":
            workbooks.append(path)
        else:  # the chart itself, drawn at screen resolution
            pngs[sheet.stem].parent.mkdir(parents=True, exist_ok=True)
            chart = load_chart(store, fmt="png", dpi=90, **dict(sheet.options))
            pngs[sheet.stem].write_bytes(chart)
    for workbook, pdf in zip(workbooks, to_pdf(workbooks, out / "pdf"), strict=True):
        first_page_png(pdf, pngs[workbook.stem])
    if docs is not None:
        docs.mkdir(parents=True, exist_ok=True)
        for stem, png in pngs.items():
            small_png(png, docs / f"sheet-{stem}.png")
    return list(pngs.values())


def small_png(png: Path, out: Path, colours: int = 64) -> Path:
    """`png` in a palette of `colours` (text, rules and a few fills need no more): a page
    at 90 dpi in ~60 KB instead of ~200 KB, for the repository's docs/."""
    from PIL import Image  # matplotlib's own dependency

    with Image.open(png) as image:
        flat = image.convert("RGB").quantize(
            colors=colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
        flat.save(out, "PNG", optimize=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT / "build")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "sheets")
    parser.add_argument("--docs", type=Path, default=None, help="also copy the PNGs here")
    args = parser.parse_args(argv)
    missing = missing_tools()
    if missing:
        print(
            f"missing: {', '.join(missing)} (apt-get install libreoffice-calc poppler-utils "
            "fonts-wqy-microhei fonts-crosextra-carlito, or bash tools/install_sheets.sh)",
            file=sys.stderr,
        )
        return 2
    for png in render_set(args.data, args.out, args.docs):
        print(f"wrote {png} ({png.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
