"""Text out of the document formats offices actually hold: .docx, .pdf (text layer), .html.

Each returns plain text in reading order, one paragraph per line; table rows become one line of
tab-separated cells (header row first) so the segmenter can read task tables
(序号 / 工作任务 / 牵头单位 / 责任单位). Page and line breaks left in PDF text are repaired later
by the normaliser, exactly as for text extracted elsewhere.

Each reader checks `Limits` before it spends the memory: the zip directory of a .docx before
python-docx unpacks anything, the page count of a PDF before its text is extracted, the bytes
of a page before it is parsed, and the characters while they are extracted.
"""

from __future__ import annotations

import io
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

from plankg.ingest.limits import DEFAULT_LIMITS, RATIO_FLOOR_BYTES, Limits
from plankg.ingest.model import PlanReadError
from plankg.ingest.reading import check_chars, decode_text


def to_text(data: bytes, path: Path, sniffed: str | None, limits: Limits = DEFAULT_LIMITS) -> str:
    return to_text_and_title(data, path, sniffed, limits)[0]


def to_text_and_title(
    data: bytes, path: Path, sniffed: str | None, limits: Limits = DEFAULT_LIMITS
) -> tuple[str, str | None]:
    """The text, and the title when the format marks one (a .docx Title-style paragraph)."""
    suffix = path.suffix.lower()
    if suffix == ".docx":
        if not data.startswith(b"PK\x03\x04"):
            raise PlanReadError(f"{path}: has a .docx extension but is not a Word (.docx) file")
        return docx_text_and_title(data, path, limits)
    if suffix == ".pdf":
        if not data.startswith(b"%PDF"):
            raise PlanReadError(f"{path}: has a .pdf extension but is not a PDF file")
        return pdf_to_text(data, path, limits), None
    if sniffed is not None:
        raise PlanReadError(f"{path}: has an .html extension but looks like {sniffed}")
    limits.check(str(path), "the web page", "html_max_bytes", len(data), "bytes")
    html, _ = decode_text(data, path)
    return html_to_text(html, path, limits), None


def docx_to_text(data: bytes, path: Path, limits: Limits = DEFAULT_LIMITS) -> str:
    return docx_text_and_title(data, path, limits)[0]


def check_docx_archive(data: bytes, path: Path, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse a .docx from its zip directory alone, before anything is decompressed.

    The directory's sizes are what `zipfile` decompresses at most (it stops at the stated
    size and fails the CRC check if a member holds more), so they bound python-docx's work."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise PlanReadError(f"{path}: not a readable .docx file ({exc})") from exc
    where = str(path)
    limits.check(where, "the archive", "docx_max_members", len(members), "members")
    total = sum(m.file_size for m in members)
    limits.check(where, "the unpacked archive", "docx_max_unpacked_bytes", total, "bytes")
    for m in members:
        if m.filename == "word/document.xml":
            limits.check(where, m.filename, "docx_max_xml_bytes", m.file_size, "bytes")
    for m in members:
        if m.file_size > RATIO_FLOOR_BYTES:
            ratio = m.file_size / max(m.compress_size, 1)
            what = f"the compression ratio of {m.filename}"
            limits.check(where, what, "docx_max_ratio", ratio, "ratio")


_TITLE_STYLES = ("Title", "标题")


def docx_text_and_title(
    data: bytes, path: Path, limits: Limits = DEFAULT_LIMITS
) -> tuple[str, str | None]:
    """Paragraphs and tables of a .docx in document order, and the first Title-style
    paragraph (a title split over several Title paragraphs is joined)."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    check_docx_archive(data, path, limits)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types for broken archives
        raise PlanReadError(f"{path}: not a readable .docx file ({exc})") from exc
    lines: list[str] = []
    title: list[str] = []
    title_done = False
    chars = 0
    for block in document.element.body.iterchildren():
        check_chars(chars, path, limits)
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(block, document)
            lines.append(paragraph.text.strip())
            chars += len(lines[-1]) + 1
            style = paragraph.style.name if paragraph.style is not None else ""
            if not title_done and style in _TITLE_STYLES and paragraph.text.strip():
                title.append(paragraph.text.strip())
            elif title:
                title_done = True
        elif tag == "tbl":
            for row in Table(block, document).rows:
                # a cell merged across columns comes back once per column: keep it once (by
                # identity: two neighbouring cells may hold the same text, such as 1200 / 1200)
                cells, seen = [], None
                for cell in row.cells:
                    if cell._tc is not seen:
                        cells.append(" ".join(cell.text.split()))
                    seen = cell._tc
                lines.append("\t".join(cells))
                chars += len(lines[-1]) + 1
    return "\n".join(lines), "".join(title) or None


def pdf_to_text(data: bytes, path: Path, limits: Limits = DEFAULT_LIMITS) -> str:
    """The text layer of a PDF, pages separated by blank lines. The page tree's count is
    checked first, then pages are read one at a time, stopping at either limit."""
    import pdfplumber
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdftypes import resolve1
    from pdfplumber.page import Page

    pages: list[str] = []
    try:
        # not `with pdfplumber.open(…)`: its close() builds every page first (12 s for 2,100)
        pdf = pdfplumber.open(io.BytesIO(data))
        try:
            count = resolve1(resolve1(pdf.doc.catalog.get("Pages")) or {}).get("Count")
            if isinstance(count, int):
                limits.check(str(path), "the PDF", "pdf_max_pages", count, "pages")
            chars = 0
            for number, page in enumerate(PDFPage.create_pages(pdf.doc), start=1):
                limits.check(str(path), "the PDF", "pdf_max_pages", number, "pages")
                plumbed = Page(pdf, page, page_number=number)
                pages.append(plumbed.extract_text() or "")
                plumbed.close()
                chars += len(pages[-1]) + 2
                check_chars(chars, path, limits)
        finally:
            pdf.flush_cache()
    except PlanReadError:
        raise
    except Exception as exc:  # pdfminer raises many types for broken files
        raise PlanReadError(f"{path}: not a readable PDF ({exc})") from exc
    text = "\n\n".join(pages)
    if not text.strip():
        raise PlanReadError(f"{path}: the PDF has no text layer (scanned?); OCR it first")
    return text


_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section"}
_CELL_TAGS = {"td", "th"}
_SKIP_TAGS = {"script", "style", "nav", "header", "footer", "aside", "noscript", "form", "select"}
_BODY_HINT = re.compile(r"(article|content|TRS_Editor|zoom|main|detail|text|zw)", re.I)
# text is copied into every open container: deeper ones than this are not candidates, so a
# page of 100,000 nested <div> costs what a page of 64 does
MAX_CONTAINER_DEPTH = 64
_FEED_CHARS = 1 << 16  # the page is parsed in pieces; the character limit is checked after each


class _ArticleParser(HTMLParser):
    """Collects text per candidate container; the article body is the richest one."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.stack: list[tuple[str, bool]] = []
        self.chunks: dict[int, list[str]] = {0: []}
        self.open_ids: list[int] = [0]
        self.next_id = 1
        self.hinted: set[int] = set()
        self.in_cell = 0  # inside a table cell: paragraphs and breaks are spaces, not lines
        self.chars = 0  # characters of text emitted, counted once

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP_TAGS:
            self.skip += 1
        attr = " ".join(v or "" for k, v in attrs if k in ("id", "class"))
        container = tag in ("article", "main", "div", "section", "td")
        container = container and len(self.open_ids) <= MAX_CONTAINER_DEPTH
        if container:
            cid = self.next_id
            self.next_id += 1
            self.chunks[cid] = []
            self.open_ids.append(cid)
            if tag in ("article", "main") or _BODY_HINT.search(attr):
                self.hinted.add(cid)
        self.stack.append((tag, container))
        if tag in _CELL_TAGS:
            self.in_cell += 1
            self._emit("\t")  # a row is one line of tab-separated cells, as for .docx
        elif tag in _BLOCK_TAGS:
            self._emit(" " if self.in_cell else "\n")

    def handle_endtag(self, tag):
        if tag in _SKIP_TAGS and self.skip:
            self.skip -= 1
        while self.stack:
            open_tag, container = self.stack.pop()
            if container and len(self.open_ids) > 1:
                self.open_ids.pop()
            if open_tag == tag:
                break
        if tag in _CELL_TAGS and self.in_cell:
            self.in_cell -= 1
        elif tag in _BLOCK_TAGS:
            self._emit(" " if self.in_cell else "\n")

    def handle_data(self, data):
        if self.in_cell:
            data = data.replace("\n", " ")
        if not self.skip:
            self._emit(data)

    def _emit(self, s: str) -> None:
        self.chars += len(s)
        for cid in self.open_ids:
            self.chunks[cid].append(s)


def html_to_text(html: str, path: Path | None = None, limits: Limits = DEFAULT_LIMITS) -> str:
    """The article body of a government web page, not its navigation."""
    parser = _ArticleParser()
    for at in range(0, len(html), _FEED_CHARS):
        parser.feed(html[at : at + _FEED_CHARS])
        check_chars(parser.chars, path or Path("page.html"), limits)
    parser.close()
    texts = {cid: "".join(parts) for cid, parts in parser.chunks.items()}

    def cjk(cid: int) -> int:
        return len(re.findall(r"[\u4e00-\u9fff]", texts[cid]))

    hinted = [c for c in parser.hinted if cjk(c) >= 50]
    if hinted:
        # the innermost hinted container that still holds most of the hinted text
        best = max(hinted, key=cjk)
        inner = [c for c in hinted if cjk(c) >= 0.8 * cjk(best)]
        chosen = max(inner)
    else:
        chosen = max(texts, key=lambda c: (cjk(c), -c)) if len(texts) > 1 else 0
    lines = []
    for line in texts[chosen].splitlines():
        if "\t" in line:  # a table row: keep the cells, empty ones included
            cells = [" ".join(c.split()) for c in line.split("\t")]
            row = "\t".join(cells[1:] if cells and not cells[0] else cells)
            if row.strip():
                lines.append(row)
        elif line.split():
            lines.append(" ".join(line.split()))
    return "\n".join(lines)
