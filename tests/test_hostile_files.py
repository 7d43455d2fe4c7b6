"""Hostile and odd input: nothing is dropped silently, one bad file never stops a batch.

The snippets are written here (not copied from the samples): each puts one oddity of
brackets into an item of an otherwise ordinary plan, and a control item after it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PLANS_DIR

from plankg.ingest.extract import extract_plan, extract_text
from plankg.ingest.model import WARNING_CODES, PlanNameTooLong, PlanReadError
from plankg.ingest.pipeline import ingest
from plankg.ingest.reading import check_name, decode_bytes

HEAD = "平江县粮食安全工作实施方案\n为保障我县粮食安全，制定本方案。\n一、重点任务\n"
CONTROL = "（二）加强粮食监测预警。建立监测网络（县统计局牵头）。\n"
PLACE = "湖南省岳阳市平江县"


def _plan(item: str):
    return extract_text(HEAD + item + CONTROL, "t.txt", jurisdiction=PLACE)


def _leads(plan) -> list[list[str]]:
    return [[m.raw for m in t.lead] for t in plan.tasks]


def _unreadable(plan) -> list:
    return [w for w in plan.warnings if w.code == "unreadable-clause"]


@pytest.mark.parametrize(
    ("item", "lead", "assist"),
    [
        # an agency with its alias in brackets inside the clause
        ("（一）扩大地方储备。增加储备规模（县发改局（县粮食局）牵头，县财政局配合）。\n",
         ["县发改局（县粮食局）"], ["县财政局"]),
        # a doubled bracket around the whole clause, with and without a remark after it
        ("（一）扩大地方储备。增加储备规模（（县发改局牵头，县财政局配合））。\n",
         ["县发改局"], ["县财政局"]),
        ("（一）扩大地方储备。增加储备规模（（县发改局、县财政局）），年底前完成。\n",
         ["县发改局", "县财政局"], []),
        ("（一）扩大地方储备。增加储备规模【县发改局（县粮食局）牵头，县财政局配合】\n",
         ["县发改局（县粮食局）"], ["县财政局"]),
    ],
)  # fmt: skip
def test_nested_brackets_that_can_be_read_are_tasks(item, lead, assist):
    plan = _plan(item)
    assert _leads(plan) == [lead, ["县统计局"]]
    assert [m.raw for m in plan.tasks[0].assist] == assist
    assert not _unreadable(plan)


@pytest.mark.parametrize(
    ("item", "problem", "quoted"),
    [
        ("（一）扩大地方储备。增加储备规模（县发改局（县粮食局）牵头，县财政局配合。\n",
         "an opening bracket that is never closed", "（县发改局（县粮食局）牵头"),
        ("（一）扩大地方储备。增加储备规模县发改局牵头，县财政局配合）。\n",
         "a closing bracket never opened", "县发改局牵头，县财政局配合）"),
        ("（一）扩大地方储备。增加储备规模（县发改局（县粮食局）牵头，县财政局配合）。确保安全。\n",
         "not the task's closing clause", "（县发改局（县粮食局）牵头，县财政局配合）"),
        # two clauses in one item: the task takes the last, the first is reported
        ("（一）扩大地方储备。增加储备规模（县发改局牵头）；新建粮库（县粮食局牵头）。\n",
         "not the task's closing clause", "（县发改局牵头）"),
        # a numbered item read as a section, whose own assignment no task takes
        ("1.增加储备规模（县发改局牵头，县财政局配合）\n",
         "a heading's assignment that no task takes", "1.增加储备规模（县发改局牵头"),
    ],
)  # fmt: skip
def test_an_assignment_that_is_not_read_is_a_warning_with_its_location(item, problem, quoted):
    plan = _plan(item)
    found = _unreadable(plan)
    assert len(found) == 1, [str(w) for w in plan.warnings]
    w = found[0]
    assert problem in w.message and quoted in w.message
    assert w.span is not None
    assert quoted in plan.source_text[w.span.start : w.span.end]
    assert ["县统计局"] in _leads(plan)  # the rest of the plan is read as before
    assert "unreadable-clause" in WARNING_CODES


def test_a_triply_nested_clause_is_reported_not_dropped():
    plan = _plan("（一）扩大地方储备。增加储备规模（县发改局（县粮食局（县储备中心））牵头）。\n")
    assert _leads(plan) == [["县统计局"]]
    codes = {w.code for w in plan.warnings}
    assert codes & {"unparsed-clause", "unreadable-clause", "not-an-agency"}


def test_bracket_oddities_in_prose_are_not_warnings():
    plan = _plan(
        "（一）扩大地方储备。依据《通知》(国办发〔2018〕104号)和省（市）有关规定，"
        "落实各乡镇人民政府（街道办事处）职责（县发改局牵头）。\n"
    )
    assert _leads(plan) == [["县发改局"], ["县统计局"]]
    assert not _unreadable(plan)


LONG = "平江县" * 80 + ".txt"  # 244 characters, 484 bytes in UTF-8: too long for a sidecar


def _long_name(min_bytes: int) -> str:
    """A real file name of at least `min_bytes` (UTF-8) that the file system still accepts."""
    stem = "平江县粮食安全实施方案"
    name = stem
    while len((name + ".txt").encode()) < min_bytes:
        name += "a"
    return name + ".txt"


def test_a_file_name_too_long_for_its_sidecar_is_an_error_for_that_file_only(tmp_path):
    src = tmp_path / "plans"
    src.mkdir()
    long_name = _long_name(246)
    assert 246 <= len(long_name.encode()) <= 255
    shutil.copy(PLANS_DIR / "000_99d16d149e72ffbe.txt", src / long_name)
    shutil.copy(PLANS_DIR / "004_3395e04ab8c3aead.txt", src / "004.txt")
    with pytest.raises(PlanNameTooLong) as err:
        extract_plan(src / long_name)
    assert isinstance(err.value, PlanReadError) and not isinstance(err.value, OSError)
    assert "bytes (UTF-8), over the limit of 245 bytes [max_name_bytes]" in str(err.value)

    summary = ingest([src], tmp_path / "out")
    assert [p.doc for p in summary.plans] == ["004.txt"]
    assert len(summary.errors) == 1 and "max_name_bytes" in summary.errors[0]
    assert (tmp_path / "out" / "plankg.nt").exists()

    proc = subprocess.run(
        [sys.executable, "-m", "plankg.api.cli", "ingest", str(src), "--out", str(tmp_path / "c")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1  # an error is reported…
    assert "max_name_bytes" in proc.stderr and "Traceback" not in proc.stderr
    assert "plans=1" in proc.stdout and (tmp_path / "c" / "plankg.nt").exists()  # …the rest kept


def test_an_upload_name_is_checked_before_anything_is_written():
    with pytest.raises(PlanNameTooLong):
        check_name(LONG)
    with pytest.raises(PlanNameTooLong):
        decode_bytes((PLANS_DIR / "000_99d16d149e72ffbe.txt").read_bytes(), Path(LONG))
    check_name(_long_name(245)[:-4] + ".txt")  # at the limit: accepted


def test_a_broken_sidecar_is_an_error_naming_it(tmp_path):
    plan = tmp_path / "plan.txt"
    shutil.copy(PLANS_DIR / "000_99d16d149e72ffbe.txt", plan)
    (tmp_path / "plan.txt.meta.toml").write_text('title = "未闭合\n', encoding="utf-8")
    with pytest.raises(PlanReadError, match=r"plan\.txt\.meta\.toml: not a valid TOML sidecar"):
        extract_plan(plan)


def test_uploads_of_hostile_files_are_clear_4xx_and_change_nothing(tmp_path):
    from fastapi.testclient import TestClient

    from plankg.api.app import Settings, create_app
    from plankg.api.library import open_library

    data = tmp_path / "data"
    ingest([PLANS_DIR / "000_99d16d149e72ffbe.txt"], data)
    lib = open_library(data)
    app = create_app(
        lib.embedded, lib.rdf_store, settings=Settings(api_key="k"), library=lib.library()
    )
    client = TestClient(app, raise_server_exceptions=False)
    before = (data / "plankg.nt").read_bytes()
    plan = (PLANS_DIR / "004_3395e04ab8c3aead.txt").read_bytes()

    def upload(name: str, content: bytes):
        return client.post("/plans", files={"file": (name, content)}, headers={"X-API-Key": "k"})

    for name in (_long_name(250), LONG):  # a name the sidecar cannot take; one no file can
        long_name = upload(name, plan)
        assert long_name.status_code == 422, long_name.text
        message = long_name.json()["error"]["message"]
        # the upload's own name rule (200 bytes) is stricter than the reader's (245)
        assert "[max_name_bytes]" in message or "at most 200 bytes" in message, message

    from test_limits import _rebuilt_docx

    bomb = _rebuilt_docx(tmp_path / "bomb.docx", padding=30 * 1000 * 1000).read_bytes()
    refused = upload("bomb.docx", bomb)
    assert refused.status_code in (413, 422), refused.text
    assert "[docx_max_xml_bytes]" in refused.json()["error"]["message"]
    lib.flush()
    assert (data / "plankg.nt").read_bytes() == before
    assert upload("004.txt", plan).status_code == 200  # the server goes on
    lib.close()
