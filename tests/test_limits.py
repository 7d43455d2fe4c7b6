"""Upload limits: each hostile file is built here and refused with a `PlanTooLarge` that names
the limit, the value seen and the limit in the unit it is checked in (time and memory of the
refusals are measured by `make soak`, not here)."""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import PLANS_DIR

from plankg.ingest.extract import extract_plan
from plankg.ingest.formats import MAX_CONTAINER_DEPTH, _ArticleParser
from plankg.ingest.limits import DEFAULT_LIMITS, MIB
from plankg.ingest.model import PlanReadError, PlanTooLarge
from plankg.ingest.reading import read_document

SAMPLE_PATH = PLANS_DIR / "000_99d16d149e72ffbe.txt"
SAMPLE = SAMPLE_PATH.read_text(encoding="utf-8")
PARAGRAPH = "<w:p><w:r><w:t>扩大地方储备规模（县发改局牵头，县财政局配合）。</w:t></w:r></w:p>"


def _docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    for line in SAMPLE.splitlines():
        if line.strip():
            document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _rebuilt_docx(
    path: Path,
    *,
    padding: int = 0,
    random_padding: bool = False,
    extra_members: int = 0,
    stored_bytes: int = 0,
) -> Path:
    """A real python-docx file with word/document.xml padded (streamed into the archive, so
    building it costs little memory), extra empty members or a large stored member."""
    source = zipfile.ZipFile(io.BytesIO(_docx_bytes()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename != "word/document.xml" or not padding:
                out.writestr(info.filename, data)
                continue
            head, tail = data.split(b"<w:body>", 1)
            with out.open("word/document.xml", "w", force_zip64=True) as fh:
                fh.write(head + b"<w:body>")
                chunk = PARAGRAPH.encode() * 1000
                written = 0
                while written < padding:
                    if random_padding:
                        text = os.urandom(len(chunk) // 2).hex().encode()
                        chunk = b"<w:p><w:r><w:t>" + text + b"</w:t></w:r></w:p>"
                    fh.write(chunk)
                    written += len(chunk)
                fh.write(tail)
        for i in range(extra_members):
            out.writestr(f"plankg-extra/item{i}.xml", b"")
        if stored_bytes:
            out.writestr(
                zipfile.ZipInfo("word/media/image1.png"),
                os.urandom(stored_bytes),
                compress_type=zipfile.ZIP_STORED,
            )
    return path


def test_a_zip_bomb_docx_is_refused_from_its_directory_with_the_default_limits(tmp_path):
    # the case: a small .docx whose XML unpacks to 30 MB
    bomb = _rebuilt_docx(tmp_path / "bomb.docx", padding=30 * 1000 * 1000)
    assert bomb.stat().st_size < 500_000
    with pytest.raises(PlanTooLarge) as err:
        extract_plan(bomb)
    e = err.value
    assert e.limit == "docx_max_xml_bytes" and e.unit == "bytes"
    assert e.value > 30_000_000 and e.maximum == 16 * MIB
    assert "bomb.docx: word/document.xml is" in str(e)
    assert "over the limit of 16,777,216 bytes (16.0 MiB) [docx_max_xml_bytes]" in str(e)


def test_a_compressed_docx_under_the_xml_limit_is_refused_by_its_ratio(tmp_path):
    bomb = _rebuilt_docx(tmp_path / "ratio.docx", padding=8 * MIB)
    with pytest.raises(PlanTooLarge) as err:
        read_document(bomb)
    assert err.value.limit == "docx_max_ratio" and err.value.unit == "ratio"
    assert err.value.value > DEFAULT_LIMITS.docx_max_ratio
    assert "compression ratio of word/document.xml" in str(err.value)


def test_docx_xml_members_and_unpacked_size_limits(tmp_path):
    random_xml = _rebuilt_docx(tmp_path / "big.docx", padding=2 * MIB, random_padding=True)
    limits = replace(DEFAULT_LIMITS, docx_max_xml_bytes=MIB)
    with pytest.raises(PlanTooLarge) as err:
        read_document(random_xml, limits=limits)
    assert err.value.limit == "docx_max_xml_bytes"
    assert read_document(random_xml).encoding == "docx"  # incompressible: under the ratio

    many = _rebuilt_docx(tmp_path / "many.docx", extra_members=40)
    with pytest.raises(PlanTooLarge, match=r"members, over the limit of 30 members"):
        read_document(many, limits=replace(DEFAULT_LIMITS, docx_max_members=30))

    stored = _rebuilt_docx(tmp_path / "stored.docx", stored_bytes=2 * MIB)
    with pytest.raises(PlanTooLarge) as err:
        read_document(stored, limits=replace(DEFAULT_LIMITS, docx_max_unpacked_bytes=MIB))
    assert err.value.limit == "docx_max_unpacked_bytes" and err.value.value > 2 * MIB


def test_a_docx_within_the_limits_reads_as_before(tmp_path):
    path = tmp_path / "plan.docx"
    path.write_bytes(_docx_bytes())
    from_docx = extract_plan(path)
    assert [t.title for t in from_docx.tasks] == [t.title for t in extract_plan(SAMPLE_PATH).tasks]


def _pdf(path: Path, pages: int, lines_per_page: int = 1) -> Path:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path))
    for page in range(pages):
        c.setFont("STSong-Light", 10)
        for line in range(lines_per_page):
            c.drawString(40, 800 - 14 * line, f"第{page + 1}页 扩大地方储备规模（县发改局牵头）")
        c.showPage()
    c.save()
    return path


def test_a_long_pdf_is_refused_by_its_page_count(tmp_path):
    long_pdf = _pdf(tmp_path / "long.pdf", pages=60)
    with pytest.raises(PlanTooLarge) as err:
        read_document(long_pdf, limits=replace(DEFAULT_LIMITS, pdf_max_pages=50))
    e = err.value
    assert (e.limit, e.unit, e.value, e.maximum) == ("pdf_max_pages", "pages", 60, 50)
    assert "long.pdf: the PDF is 60 pages, over the limit of 50 pages [pdf_max_pages]" in str(e)


def test_pdf_text_stops_at_the_character_limit(tmp_path):
    pdf = _pdf(tmp_path / "wordy.pdf", pages=8, lines_per_page=30)
    with pytest.raises(PlanTooLarge) as err:
        read_document(pdf, limits=replace(DEFAULT_LIMITS, max_chars=1500))
    e = err.value
    assert e.limit == "max_chars" and e.unit == "chars"
    assert 1500 < e.value < 3000  # extraction stopped a page after the limit
    assert len(read_document(pdf).text) > 8 * 30 * 20


def test_a_huge_web_page_is_refused_before_it_is_parsed(tmp_path):
    page = tmp_path / "huge.html"
    with page.open("wb") as fh:
        fh.write(b"<html><body><div class='TRS_Editor'>")
        line = f"<p>{SAMPLE.splitlines()[3]}</p>".encode()
        while fh.tell() < 21 * MIB:
            fh.write(line * 1000)
    with pytest.raises(PlanTooLarge) as err:
        read_document(page)
    assert err.value.limit == "html_max_bytes" and err.value.maximum == 20 * MIB
    limits = replace(DEFAULT_LIMITS, html_max_bytes=30 * MIB, max_chars=100_000)
    with pytest.raises(PlanTooLarge) as err:
        read_document(page, limits=limits)
    assert err.value.limit == "max_chars"
    assert err.value.value < 200_000  # counting stopped early, not after the whole page


def test_deeply_nested_containers_cost_a_bounded_copy_of_the_text():
    parser = _ArticleParser()
    parser.feed("<div>" * 20_000 + "<p>县发改局牵头</p>" * 100 + "</div>" * 20_000)
    assert len(parser.chunks) == MAX_CONTAINER_DEPTH + 1
    assert "县发改局牵头" in "".join(parser.chunks[0])


def test_text_characters_and_tasks_per_plan(tmp_path):
    with pytest.raises(PlanTooLarge) as err:
        read_document(SAMPLE_PATH, limits=replace(DEFAULT_LIMITS, max_chars=1000))
    assert (err.value.limit, err.value.value) == ("max_chars", len(SAMPLE))
    tasks = len(extract_plan(SAMPLE_PATH).tasks)
    with pytest.raises(PlanTooLarge) as err:
        extract_plan(SAMPLE_PATH, limits=replace(DEFAULT_LIMITS, max_tasks=tasks - 1))
    assert (err.value.limit, err.value.value, err.value.unit) == ("max_tasks", tasks, "tasks")
    assert isinstance(err.value, PlanReadError)  # a batch reports it and goes on


def test_file_size_is_stated_in_bytes_and_mib(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(SAMPLE.encode())
    with pytest.raises(PlanTooLarge) as err:
        read_document(big, limits=replace(DEFAULT_LIMITS, max_file_bytes=MIB // 100))
    size = big.stat().st_size
    assert f"the file is {size:,} bytes ({size / MIB:.1f} MiB)" in str(err.value)
    assert "over the limit of 10,485 bytes (0.0 MiB) [max_file_bytes]" in str(err.value)


def test_limits_from_environment_variables(monkeypatch):
    from plankg.api.settings import Settings

    monkeypatch.setenv("PLANKG_DOCX_MAX_RATIO", "250")
    monkeypatch.setenv("PLANKG_MAX_TASKS", "50")
    limits = Settings().limits
    assert limits.docx_max_ratio == 250 and limits.max_tasks == 50
    assert limits.max_file_bytes == DEFAULT_LIMITS.max_file_bytes
    assert Settings.env_names()["max_file_bytes"] == "PLANKG_MAX_FILE_BYTES"
    monkeypatch.setenv("PLANKG_PDF_MAX_PAGES", "-3")
    with pytest.raises(ValueError, match="pdf_max_pages"):
        Settings()


def test_a_pdf_whose_page_tree_understates_its_pages_is_still_stopped(tmp_path):
    pdf = _pdf(tmp_path / "lying.pdf", pages=60)
    data = pdf.read_bytes()
    assert data.count(b"/Count 60") == 1
    pdf.write_bytes(data.replace(b"/Count 60", b"/Count 01"))  # same length: xref stays valid
    with pytest.raises(PlanTooLarge) as err:
        read_document(pdf, limits=replace(DEFAULT_LIMITS, pdf_max_pages=50))
    assert (err.value.limit, err.value.value) == ("pdf_max_pages", 51)  # counted as read


def test_a_docx_whose_directory_understates_a_member_is_refused_not_unpacked(tmp_path):
    """`zipfile` stops at the size the directory states and fails the CRC check, so the
    directory really bounds what python-docx unpacks."""
    path = tmp_path / "lying.docx"
    source = zipfile.ZipFile(io.BytesIO(_docx_bytes()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml":
                head, tail = data.split(b"<w:body>", 1)
                data = head + b"<w:body>" + PARAGRAPH.encode() * 40_000 + tail  # ≈ 4 MB
            out.writestr(info.filename, data)
    raw = bytearray(path.read_bytes())
    name = b"word/document.xml"
    entry = raw.find(b"PK\x01\x02")
    while raw[entry + 46 : entry + 46 + len(name)] != name:  # the central directory entry
        entry = raw.find(b"PK\x01\x02", entry + 4)
    raw[entry + 24 : entry + 28] = (1000).to_bytes(4, "little")  # uncompressed size: 1,000
    path.write_bytes(bytes(raw))
    assert zipfile.ZipFile(path).getinfo("word/document.xml").file_size == 1000
    with pytest.raises(PlanReadError, match=r"not a readable \.docx file \(Bad CRC-32") as err:
        read_document(path)
    assert not isinstance(err.value, PlanTooLarge)


def test_a_zip_bomb_in_a_batch_costs_only_its_own_file(tmp_path):
    from plankg.ingest.pipeline import ingest

    src = tmp_path / "plans"
    src.mkdir()
    _rebuilt_docx(src / "bomb.docx", padding=30 * 1000 * 1000)
    (src / "good.txt").write_bytes(SAMPLE_PATH.read_bytes())
    summary = ingest([src], tmp_path / "out")
    assert [p.doc for p in summary.plans] == ["good.txt"]
    assert len(summary.errors) == 1 and "[docx_max_xml_bytes]" in summary.errors[0]
    assert (tmp_path / "out" / "plankg.nt").exists()
