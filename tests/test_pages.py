"""The web app's pages through TestClient on the real sample plans: the home page's lists and
links, the agency search, the agency and task pages (content and order), the 404/409 pages
with the closest names, and the upload flow (login cookie, CSRF, preview without writing, add).
"""

from __future__ import annotations

import html
import io
import re
import shutil
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import PLANS_DIR
from fastapi.testclient import TestClient

from plankg.api import pages_session
from plankg.api.app import Settings, create_app
from plankg.api.library import data_library
from plankg.graph.embedded import EmbeddedStore
from plankg.ingest.pipeline import ingest
from plankg.viz.page import remote_references

KEY = "a-test-key-long-enough"
HELD_BACK = "002_8aa6bc9b8e9b2c75.txt"  # not ingested: the upload tests add it


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build")
    ingest([p for p in sorted(PLANS_DIR.glob("*.txt")) if p.name != HELD_BACK], out)
    return out


def make_client(data: Path, library: bool = True, **settings) -> TestClient:
    store = EmbeddedStore.open(data)
    app = create_app(
        store,
        store.rdf,
        settings=Settings(**settings),
        library=data_library(data) if library else None,
    )
    return TestClient(app)


@pytest.fixture(scope="module")
def client(built) -> TestClient:
    return make_client(built)


@pytest.fixture(scope="module")
def store(built) -> EmbeddedStore:
    return EmbeddedStore.open(built)


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def task_links(page: str, table: str = "tasks") -> list[str]:
    body = page.split(f'<table id="{table}">', 1)[1].split("</table>", 1)[0]
    ids = [unquote(i) for i in re.findall(r'href="/task/([^"]+)"', body)]
    return list(dict.fromkeys(ids))  # each row links its task twice


# ---------------------------------------------------------------- home and search
def test_home_lists_plans_agencies_jurisdictions_and_links_every_view(client, store):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page, text = r.text, text_of(r.text)
    assert '<html lang="zh-CN">' in page and remote_references(page) == []
    plans = store.plans()
    assert [p.doc for p in plans] == re.findall(r'<div class="small">([^<]+)</div>', page)
    for p in plans:
        assert p.title in text and f"{p.jurisdiction}" in text
    assert HELD_BACK not in page
    # every ingested plan shows the date the store recorded for it, and /plans lists the same
    added = store.rdf.added_dates()
    assert sorted(added) == [p.doc for p in plans]
    shown = re.findall(r'<td class="added"><time datetime="([^"]+)"', page)
    assert shown == [added[p.doc] for p in plans]
    listing = client.get("/plans").json()
    assert [(p["doc"], p["added"]) for p in listing] == [(p.doc, added[p.doc]) for p in plans]
    # agencies busiest first: the same order as the store's load answer
    names = re.findall(r'<td><a href="/agency/[^"]+">([^<]+)</a></td>', page)
    busiest = [r.agency.name for r in store.load()]
    assert names[: len(busiest)] == busiest
    assert len(names) == len(store.agencies())
    for j in ("平江县", "大通湖区"):
        assert f"<td>{j}</td>" in page
    for href in (
        "/viz/load",
        "/viz/parks",
        "/export/matrix",
        "/export/ledger",
        "/export/indicators",
        "/export/conflicts",
        "/export/graphml",
        "/export/gexf",
        "/docs",
        "/upload",
        'action="/search"',
    ):
        assert href in page, href
    # Chinese first, the English gloss after it
    assert page.index("规划任务知识图谱") < page.index("Who leads and assists")


def test_search_by_alias_lands_on_the_agency(client):
    r = client.get("/search", params={"q": "科工信局"}, follow_redirects=False)
    assert r.status_code == 303
    assert unquote(r.headers["location"]) == "/agency/平江县科技和工业信息化局?jurisdiction=平江县"
    page = client.get(r.headers["location"])
    assert page.status_code == 200 and "<h1>平江县科技和工业信息化局</h1>" in page.text


def test_search_lists_several_and_explains_none(client, store):
    several = client.get("/search", params={"q": "自然资源局"})
    assert several.status_code == 200
    assert "大通湖区自然资源局" in several.text and "平江县自然资源局" in several.text
    partial = client.get("/search", params={"q": "农业"})
    hits = {a.name for a in store.agencies("农业")}
    assert len(hits) > 1 and all(h in partial.text for h in hits)
    none = client.get("/search", params={"q": "科工信息局"})
    assert none.status_code == 404 and "unknown_agency" in none.text
    assert "不对应任何单位" in none.text  # Chinese first
    assert "/search?q=%E7%A7%91%E5%B7%A5%E4%BF%A1%E5%B1%80" in none.text  # 科工信局, linked
    bad = client.get("/search", params={"q": "科工信局", "jurisdiction": "平江"})
    assert bad.status_code == 404 and "unknown_jurisdiction" in bad.text
    assert "jurisdiction=%E5%B9%B3%E6%B1%9F%E5%8E%BF" in bad.text  # 平江县, linked


# ---------------------------------------------------------------- agency page
def test_agency_page_by_alias_shows_who_tasks_in_plan_order_and_partners(client, store):
    kgx = store.resolve_agency("县发改局")[0]
    r = client.get("/agency/县发改局")
    assert r.status_code == 200
    page, text = r.text, text_of(r.text)
    assert f"<h1>{kgx.name}</h1>" in page and kgx.jurisdiction in text
    assert all(a in text for a in kgx.aliases)
    tasks = store.tasks_of_agency(kgx.iri)
    assert task_links(page) == [t.id for t in tasks]  # the plans' order, every task
    lead = sum(any(a.iri == kgx.iri for a in t.lead) for t in tasks)
    assist = sum(any(a.iri == kgx.iri for a in t.assist) for t in tasks)
    assert f"牵头 {lead} 项，配合 {assist} 项" in text
    # each row lists the leads and the assists in the order the plan names them
    first = tasks[0]
    row = page.split(f'href="/task/{first.id}"', 1)[1].split("</tr>", 1)[0]
    assert re.findall(r">([^<]+)</a>", row)[1 : 1 + len(first.lead) + len(first.assist)] == [
        a.name for a in (*first.lead, *first.assist)
    ]
    partners = page.split('<table id="partners">', 1)[1]
    counts = [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', partners)]
    assert counts and counts == sorted(counts, reverse=True)
    assert "/viz/agency/" in page


def test_agency_page_ledger_buttons_download_its_ledger(client, store):
    from openpyxl import load_workbook

    page = client.get("/agency/科工信局").text
    href = html.unescape(re.search(r'id="ledger-xlsx" href="([^"]+)"', page).group(1))
    assert href.startswith("/export/ledger?") and "format=xlsx" in href
    r = client.get(href)
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value]
    assert any("平江县科技和工业信息化局" in c for c in cells)
    csv = client.get(html.unescape(re.search(r'id="ledger-csv" href="([^"]+)"', page).group(1)))
    assert csv.status_code == 200 and "牵头单位" in csv.content.decode("utf-8-sig")


def test_agency_page_typos_are_404_pages_with_the_closest_names(client):
    unknown = client.get("/agency/科工信息局")
    assert unknown.status_code == 404 and "没有找到单位" in unknown.text
    assert 'href="/agency/%E7%A7%91%E5%B7%A5%E4%BF%A1%E5%B1%80"' in unknown.text  # 科工信局
    jur = client.get("/agency/科工信局", params={"jurisdiction": "平江"})
    assert jur.status_code == 404 and "不对应任何辖区" in jur.text
    assert "jurisdiction=%E5%B9%B3%E6%B1%9F%E5%8E%BF" in jur.text  # 平江县, as a link
    plan = client.get("/agency/科工信局", params={"plan": "000_99d16d149e72ffbf"})
    assert plan.status_code == 404 and "不对应任何方案" in plan.text
    assert "plan=000_99d16d149e72ffbe.txt" in plan.text
    ambiguous = client.get("/agency/自然资源局")
    assert ambiguous.status_code == 409 and "jurisdiction=" in ambiguous.text
    one = client.get("/agency/自然资源局", params={"jurisdiction": "大通湖区"})
    assert one.status_code == 200 and "<h1>大通湖区自然资源局</h1>" in one.text
    scoped = client.get("/agency/科工信局", params={"plan": "000_99d16d149e72ffbe"})
    assert scoped.status_code == 200
    assert all(t.startswith("000_99d16d149e72ffbe-") for t in task_links(scoped.text))


# ---------------------------------------------------------------- task page
def test_task_page_highlights_the_clause_in_the_task_text(client, store):
    task = store.task("000_99d16d149e72ffbe-t002")
    assert task is not None and task.clause
    r = client.get(f"/task/{task.id}")
    assert r.status_code == 200
    quote_ = r.text.split('<blockquote id="task-text" class="task-text">', 1)[1]
    quote_ = quote_.split("</blockquote>", 1)[0]
    marked = re.search(r'<mark id="clause">(.*?)</mark>', quote_).group(1)
    assert html.unescape(marked) == task.clause
    assert html.unescape(re.sub(r"</?mark[^>]*>", "", quote_)) == task.text
    assert f"第 {task.source.start}–{task.source.end} 字" in r.text
    leads = r.text.split('id="leads">', 1)[1].split("</dd>", 1)[0]
    assert re.findall(r">([^<]+)</a>", leads) == [a.name for a in task.lead]
    assists = r.text.split('id="assists">', 1)[1].split("</dd>", 1)[0]
    assert re.findall(r">([^<]+)</a>", assists) == [a.name for a in task.assist]
    text = text_of(r.text)
    assert " / ".join(task.source.section) in text and task.source.plan_title in text
    assert all(p in text for p in task.parks)
    missing = client.get("/task/000_99d16d149e72ffbe-t999")
    assert missing.status_code == 404 and "没有编号为" in missing.text
    assert 'href="/task/000_99d16d149e72ffbe-t001"' in missing.text


def test_static_css_is_served_and_pages_need_nothing_else(client):
    css = client.get("/static/plankg.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert client.get("/static/../app.py").status_code == 404
    for url in ("/", "/agency/科工信局", "/task/000_99d16d149e72ffbe-t001", "/upload"):
        assert remote_references(client.get(url).text) == [], url


# ---------------------------------------------------------------- upload
@pytest.fixture
def writable(built, tmp_path) -> Path:
    data = tmp_path / "build"
    shutil.copytree(built, data)
    return data


def login(client: TestClient, key: str = KEY) -> str:
    r = client.post("/login", data={"key": key}, follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    page = client.get("/upload").text
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def test_upload_is_disabled_with_a_clear_message_without_a_key(built):
    c = make_client(built)  # PLANKG_API_KEY unset
    r = c.get("/upload")
    assert r.status_code == 200 and 'id="disabled"' in r.text
    assert "PLANKG_API_KEY" in r.text and "上传已停用" in r.text and 'type="file"' not in r.text
    assert c.post("/login", data={"key": "anything"}).status_code == 403
    read_only = make_client(built, library=False, api_key=KEY).get("/upload")
    assert "上传不可用" in read_only.text and 'type="file"' not in read_only.text


def test_login_needs_the_right_key_and_a_genuine_cookie(built):
    c = make_client(built, api_key=KEY)
    assert 'id="login"' in c.get("/upload").text
    wrong = c.post("/login", data={"key": "wrong"}, follow_redirects=False)
    assert wrong.status_code == 401 and "set-cookie" not in wrong.headers
    c.cookies.set(pages_session.COOKIE, "forged.cookie.value")
    assert 'id="login"' in c.get("/upload").text
    other = pages_session.dump(pages_session.new_session(), "another-key")
    c.cookies.set(pages_session.COOKIE, other)
    assert 'id="login"' in c.get("/upload").text
    c.cookies.clear()
    csrf = login(c)
    assert 'id="pick"' in c.get("/upload").text and csrf
    assert c.post("/logout", data={"csrf": "other"}).status_code == 403
    out = c.post("/logout", data={"csrf": csrf}, follow_redirects=False)
    assert out.status_code == 303 and "Max-Age=0" in out.headers["set-cookie"]
    c.cookies.clear()
    assert 'id="login"' in c.get("/upload").text


def test_upload_previews_without_writing_then_adds_and_lists_it(writable):
    c = make_client(writable, api_key=KEY)
    csrf = login(c)
    content = (PLANS_DIR / HELD_BACK).read_bytes()
    before = (writable / "plankg.nt").read_bytes()
    files = {"file": (HELD_BACK, content, "text/plain")}
    refused = c.post("/upload/preview", files=files, data={"csrf": "not-the-token"})
    assert refused.status_code == 403
    r = c.post("/upload/preview", files=files, data={"csrf": csrf})
    assert r.status_code == 200 and 'id="preview"' in r.text
    assert "县发改局" in r.text or "平江县发展和改革局" in r.text
    rows = r.text.split('<table id="preview-tasks">', 1)[1].count("<tr>") - 1
    from plankg.ingest.extract import extract_plan

    assert rows == len(extract_plan(PLANS_DIR / HELD_BACK).tasks) > 0
    assert (writable / "plankg.nt").read_bytes() == before  # nothing written by the preview
    assert HELD_BACK not in c.get("/").text
    draft = re.search(r'name="draft" value="([^"]+)"', r.text).group(1)
    assert c.post("/upload/add", data={"csrf": csrf, "draft": "nope"}).status_code == 410
    added = c.post("/upload/add", data={"csrf": csrf, "draft": draft})
    assert added.status_code == 200 and 'id="added"' in added.text
    home = c.get("/").text
    row = home.split(f'<div class="small">{HELD_BACK}</div>', 1)[1].split("</tr>", 1)[0]
    stamp = re.search(r'<time datetime="([^"]+)"[^>]*>(\d{4}-\d{2}-\d{2})</time>', row)
    assert stamp and stamp.group(1).startswith(stamp.group(2))  # the date it was added
    listed = {p["doc"]: p for p in c.get("/plans").json()}
    assert listed[HELD_BACK]["added"] == stamp.group(1) == listed[HELD_BACK]["updated"]
    assert (writable / "uploads" / HELD_BACK).read_bytes() == content
    again = c.post("/upload/add", data={"csrf": csrf, "draft": draft})
    assert again.status_code == 410  # a draft is added once


def test_upload_refuses_other_types_and_drafts_of_another_session(writable):
    c = make_client(writable, api_key=KEY)
    csrf = login(c)
    bad = c.post("/upload/preview", files={"file": ("x.exe", b"MZ", "x")}, data={"csrf": csrf})
    assert bad.status_code == 422 and "不支持的文件类型" in bad.text
    files = {"file": (HELD_BACK, (PLANS_DIR / HELD_BACK).read_bytes(), "text/plain")}
    r = c.post("/upload/preview", files=files, data={"csrf": csrf})
    draft = re.search(r'name="draft" value="([^"]+)"', r.text).group(1)
    other = TestClient(c.app)
    other_csrf = login(other)
    stolen = other.post("/upload/add", data={"csrf": other_csrf, "draft": draft})
    assert stolen.status_code == 410
    assert c.post("/upload/add", data={"csrf": other_csrf, "draft": draft}).status_code == 403


def test_upload_preview_reads_docx_and_explains_files_it_cannot_use(writable):
    from docx import Document

    c = make_client(writable, api_key=KEY)
    csrf = login(c)
    doc = Document()
    for line in (PLANS_DIR / HELD_BACK).read_text(encoding="utf-8").splitlines():
        doc.add_paragraph(line)
    buf = io.BytesIO()
    doc.save(buf)
    name = HELD_BACK.replace(".txt", ".docx")
    r = c.post("/upload/preview", files={"file": (name, buf.getvalue(), "x")}, data={"csrf": csrf})
    assert r.status_code == 200 and 'id="preview"' in r.text
    assert r.text.split('<table id="preview-tasks">', 1)[1].count("<tr>") - 1 > 5
    broken = c.post(
        "/upload/preview", files={"file": ("x.pdf", b"not a pdf", "x")}, data={"csrf": csrf}
    )
    assert broken.status_code == 422 and "无法读取" in broken.text
    empty = c.post(
        "/upload/preview",
        files={"file": ("note.txt", "会议纪要：今天天气很好。".encode(), "text/plain")},
        data={"csrf": csrf},
    )
    assert empty.status_code == 200 and "没有找到责任分工语句" in empty.text
    assert re.search(r'<button type="submit"\s+disabled', empty.text)
    draft = re.search(r'name="draft" value="([^"]+)"', empty.text).group(1)
    refused = c.post("/upload/add", data={"csrf": csrf, "draft": draft})
    assert refused.status_code == 422 and "无法添加该方案" in refused.text
    assert "note.txt" not in c.get("/").text


def test_home_of_a_big_store_lists_the_busiest_agencies_and_points_to_search():
    from viz_fakes import synthetic_store

    from plankg.viz.pages import AGENCY_ROWS

    big = synthetic_store(n_agencies=400, n_tasks=900, n_parks=120)
    page = TestClient(create_app(big, None, settings=Settings())).get("/").text
    names = re.findall(r'<td><a href="/agency/[^"]+">([^<]+)</a></td>', page)
    assert names == [r.agency.name for r in big.load()][:AGENCY_ROWS]
    assert f"另有 {len(big.agencies()) - AGENCY_ROWS} 个" in page
    assert f"{len(big.agencies())} 个单位" in page


def test_every_link_on_the_home_and_agency_pages_answers(client):
    """No dead link: each view, export, agency and task page the pages point to answers 200
    (the docs and the static stylesheet included)."""
    checked = set()
    for url in ("/", "/agency/科工信局"):
        page = client.get(url).text
        for href in sorted(set(re.findall(r'href="(/[^"#]*)"', page))):
            href = html.unescape(href)
            if href in checked:
                continue
            r = client.get(href)
            assert r.status_code == 200, (url, href, r.text[:200])
            checked.add(href)
    assert {"/docs", "/static/plankg.css"} <= checked and len(checked) > 60


def test_agency_page_plan_filter_form_keeps_the_choice(client, store):
    page = client.get("/agency/科工信局").text
    form = page.split('<form method="get" id="plan-filter"', 1)[1].split("</form>", 1)[0]
    docs = re.findall(r'<option value="([^"]+)"', form)
    assert docs == [p.doc for p in store.plans() if p.jurisdiction == "平江县"]
    doc = docs[1]
    scoped = client.get("/agency/科工信局", params={"jurisdiction": "平江县", "plan": doc}).text
    assert f'<option value="{doc}" selected>' in scoped
    kgx = store.resolve_agency("科工信局")[0]
    assert task_links(scoped) == [t.id for t in store.tasks_of_agency(kgx.iri, plan=doc)]
