"""Hostile plan files for `make soak` (f), each over one default limit of `ingest.limits`:
built here, on disk, so the soak measures what reading them costs."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from bench.soak_server import ROOT

SAMPLE = (ROOT / "data" / "plans" / "000_99d16d149e72ffbe.txt").read_text(encoding="utf-8")
PARAGRAPH = "<w:p><w:r><w:t>扩大地方储备规模（县发改局牵头，县财政局配合）。</w:t></w:r></w:p>"


def docx_bomb(path: Path, xml_bytes: int) -> Path:
    """A python-docx file whose document.xml is padded to `xml_bytes` (streamed in)."""
    import docx

    document = docx.Document()
    for line in SAMPLE.splitlines()[:20]:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    source = zipfile.ZipFile(buffer)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename != "word/document.xml":
                out.writestr(info.filename, data)
                continue
            head, tail = data.split(b"<w:body>", 1)
            with out.open(info.filename, "w", force_zip64=True) as fh:
                fh.write(head + b"<w:body>")
                chunk, written = PARAGRAPH.encode() * 2000, 0
                while written < xml_bytes:
                    fh.write(chunk)
                    written += len(chunk)
                fh.write(tail)
    return path


def long_pdf(path: Path, pages: int) -> Path:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path))
    for page in range(pages):
        c.setFont("STSong-Light", 10)
        c.drawString(40, 800, f"第{page + 1}页 扩大地方储备规模（县发改局牵头）")
        c.showPage()
    c.save()
    return path


def huge_html(path: Path, mib: int) -> Path:
    line = f"<p>{SAMPLE.splitlines()[3]}</p>".encode()
    with path.open("wb") as fh:
        fh.write(b"<html><body><div class='TRS_Editor'>")
        while fh.tell() < mib << 20:
            fh.write(line * 1000)
    return path


def long_text(path: Path, chars: int) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        written = 0
        while written < chars:
            fh.write(SAMPLE)
            written += len(SAMPLE)
    return path


def hostile_files(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "docx_30mb_xml": docx_bomb(folder / "bomb.docx", 30_000_000),
        "docx_8mb_xml_ratio": docx_bomb(folder / "ratio.docx", 8 << 20),
        "pdf_2100_pages": long_pdf(folder / "long.pdf", 2100),
        "html_21_mib": huge_html(folder / "huge.html", 21),
        "text_3_1m_chars": long_text(folder / "long.txt", 3_100_000),
    }
