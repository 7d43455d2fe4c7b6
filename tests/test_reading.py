"""Reading plan files: encodings, formats, and clear errors for what is not a plan."""

from __future__ import annotations

import pytest
from conftest import PLANS_DIR

from plankg.ingest.reading import PlanReadError, read_document

SAMPLE = (PLANS_DIR / "000_99d16d149e72ffbe.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "gb18030", "gbk"]
)
def test_encodings_round_trip(tmp_path, encoding):
    path = tmp_path / f"plan-{encoding}.txt"
    path.write_bytes(SAMPLE.encode(encoding))
    doc = read_document(path)
    assert doc.text == SAMPLE
    assert doc.doc == path.name and len(doc.sha256) == 64


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"   \n\n  ", "empty"),
        (b"%PDF-1.7\n binary", "PDF"),
        (b"PK\x03\x04zipdata", "ZIP"),
        (b"\x00\x01\x02\x03" * 100, "binary"),
        ("平江县发改局".encode()[:-1] + b"\xff\xfe\xfd" * 50, "cannot decode"),
        ("县科工信局牵头".encode("big5", errors="ignore") + bytes(range(0x80, 0xA0)), "decode"),
    ],
)
def test_bad_files_are_refused_with_the_file_name(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(PlanReadError) as err:
        read_document(path)
    assert "bad.txt" in str(err.value)
    assert message.lower() in str(err.value).lower()


def test_missing_folder_and_oversize(tmp_path):
    with pytest.raises(PlanReadError, match="no such file"):
        read_document(tmp_path / "nope.txt")
    with pytest.raises(PlanReadError, match="folder"):
        read_document(tmp_path)
    big = tmp_path / "big.txt"
    big.write_bytes(SAMPLE.encode("utf-8"))
    with pytest.raises(PlanReadError, match=r"the file is [0-9,]+ bytes") as err:
        read_document(big, max_bytes=1000)
    assert "[max_file_bytes]" in str(err.value)


def test_wrong_extension_is_a_clear_error(tmp_path):
    fake = tmp_path / "plan.docx"
    fake.write_text(SAMPLE, encoding="utf-8")
    with pytest.raises(PlanReadError, match="not a Word"):
        read_document(fake)


def test_docx_with_paragraphs_and_a_task_table(tmp_path):
    import docx

    from plankg.ingest.extract import extract_plan

    document = docx.Document()
    for line in SAMPLE.splitlines():
        if line.strip():
            document.add_paragraph(line)
    table = document.add_table(rows=2, cols=4)
    for cell, text in zip(
        table.rows[0].cells, ["序号", "工作任务", "牵头单位", "配合单位"], strict=True
    ):
        cell.text = text
    for cell, text in zip(
        table.rows[1].cells, ["1", "建设冷链物流园", "县商务粮食局", "县财政局"], strict=True
    ):
        cell.text = text
    path = tmp_path / "plan.docx"
    document.save(path)
    from_docx = extract_plan(path)
    from_text = extract_plan(PLANS_DIR / "000_99d16d149e72ffbe.txt")
    pairs = [([m.raw for m in t.lead], [m.raw for m in t.assist]) for t in from_text.tasks]
    docx_pairs = [([m.raw for m in t.lead], [m.raw for m in t.assist]) for t in from_docx.tasks]
    assert docx_pairs[: len(pairs)] == pairs
    assert docx_pairs[-1] == (["县商务粮食局"], ["县财政局"])


def test_pdf_text_layer(tmp_path):
    reportlab = pytest.importorskip("reportlab")
    del reportlab
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    from plankg.ingest.extract import extract_plan

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "plan.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("STSong-Light", 10)
    y = 800
    for para in [p for p in SAMPLE.splitlines() if p.strip()]:
        for i in range(0, len(para), 40):  # wrap lines like a PDF does
            c.drawString(40, y, para[i : i + 40])
            y -= 14
            if y < 60:
                c.showPage()
                c.setFont("STSong-Light", 10)
                y = 800
    c.save()
    from_pdf = extract_plan(path)
    from_text = extract_plan(PLANS_DIR / "000_99d16d149e72ffbe.txt")
    assert [[m.raw for m in t.lead] for t in from_pdf.tasks] == [
        [m.raw for m in t.lead] for t in from_text.tasks
    ]
    assert [[m.raw for m in t.assist] for t in from_pdf.tasks] == [
        [m.raw for m in t.assist] for t in from_text.tasks
    ]


def test_html_article_body_not_navigation(tmp_path):
    from plankg.ingest.extract import extract_plan

    paragraphs = "".join(f"<p>{line}</p>" for line in SAMPLE.splitlines() if line.strip())
    html = (
        "<html><head><title>平江县人民政府</title><script>var x=1;</script></head><body>"
        "<nav><a href='/'>首页</a><a>政务公开</a><a>县发改局牵头</a></nav>"
        f"<div class='TRS_Editor'>{paragraphs}</div>"
        "<footer>版权所有 平江县人民政府办公室</footer></body></html>"
    )
    path = tmp_path / "plan.html"
    path.write_text(html, encoding="utf-8")
    plan = extract_plan(path)
    assert len(plan.tasks) == 12
    assert "首页" not in plan.source_text and "版权所有" not in plan.source_text
