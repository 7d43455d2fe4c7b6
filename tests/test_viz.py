"""Views: what each network contains, that big graphs aggregate under the node budget and say
so, and that every page is self-contained (no remote script/link) with Chinese intact.
Runs on the FAKE store; `store` → `embedded_store()` runs it on real extraction."""

from __future__ import annotations

import json
import re

import pytest
from viz_fakes import embedded_store, synthetic_store

from plankg.graph.exports import AgencyNotFound, AmbiguousAgency, resolve_one
from plankg.graph.store import Store
from plankg.viz.agency_view import build_agency_view
from plankg.viz.load_view import OTHER_ID, build_load_view, load_page
from plankg.viz.page import OfflinePageError, View, VNode, remote_references, render_html
from plankg.viz.parks_view import build_parks_view

assert embedded_store  # the one-line switch below


@pytest.fixture(scope="module")
def store() -> Store:
    return embedded_store()  # the real store over data/plans (sample_store() is the fake)


@pytest.fixture(scope="module")
def big() -> Store:
    return synthetic_store(n_agencies=400, n_tasks=900, n_parks=120)


def _in_page(page: str, text: str) -> bool:
    """pyvis writes labels as \\uXXXX escapes inside the JSON; either form counts."""
    return text in page or json.dumps(text)[1:-1] in page


# ---------------------------------------------------------------- load view
def test_load_view_has_every_agency_with_its_counts(store):
    rows = store.load("平江县")
    view = build_load_view(store, jurisdiction="平江县")
    by_id = {n.id: n for n in view.nodes}
    assert set(by_id) == {r.agency.iri for r in rows}
    for r in rows:
        assert f"牵头 {r.lead} 项，配合 {r.assist} 项" in by_id[r.agency.iri].title
    busiest, quietest = rows[0], rows[-1]
    assert by_id[busiest.agency.iri].size >= by_id[quietest.agency.iri].size
    assert not view.aggregated


def test_load_edges_are_lead_to_assist_weighted_by_shared_tasks(store):
    view = build_load_view(store, jurisdiction="平江县")
    cells = {(c.row.iri, c.col.iri): c.count for c in store.coordination("平江县")}
    edges = {(e.source, e.target): e for e in view.edges}
    assert set(edges) == set(cells)
    for key, e in edges.items():
        assert f"{cells[key]} 项任务" in e.title
    top = max(cells, key=cells.get)
    assert edges[top].width == max(e.width for e in view.edges)


def test_load_view_filters_by_role_and_plan(store):
    leads = build_load_view(store, role="lead")
    lead_counts = {r.agency.iri: r.lead for r in store.load()}
    assert leads.nodes and all(lead_counts[n.id] > 0 for n in leads.nodes)
    plan = store.plans()[0]
    in_plan = build_load_view(store, plan=plan.doc)
    assert {n.id for n in in_plan.nodes} == {r.agency.iri for r in store.load(plan=plan.doc)}
    assert any(plan.title in note for note in in_plan.notes)
    empty = build_load_view(store, jurisdiction="没有这个县")
    assert not empty.nodes and any("没有符合条件" in n for n in empty.notes)


def test_big_load_view_folds_the_tail_into_one_node_and_says_so(big):
    view = build_load_view(big, max_nodes=50)
    assert len(view.nodes) == 50
    assert view.aggregated and view.nodes[-1].id == OTHER_ID
    assert view.nodes[-1].label.startswith("其他（")
    assert any("超过显示上限 50" in n for n in view.notes)
    busiest = {r.agency.iri for r in big.load()[:10]}
    assert busiest <= {n.id for n in view.nodes}
    page = render_html(view)
    assert '"aggregated": true' in page and _in_page(page, "超过显示上限 50")


def test_physics_stabilisation_is_off_for_big_graphs(big):
    small = render_html(build_load_view(big, max_nodes=20))
    large = render_html(build_load_view(big, max_nodes=300), stabilize_limit=100)
    assert re.search(r'"stabilization": \{"enabled": true', small)
    assert re.search(r'"stabilization": \{"enabled": false', large)
    assert '"improvedLayout": false' in large


# ---------------------------------------------------------------- agency view
def test_agency_view_shows_tasks_targets_and_partners(store):
    kgx = resolve_one(store, "科工信局")
    tasks = store.tasks_of_agency(kgx.iri)
    view = build_agency_view(store, "科工信局")
    ids = {n.id for n in view.nodes}
    assert kgx.iri in ids
    assert {t.iri for t in tasks} <= ids
    assert {i.iri for t in tasks for i in t.indicators} <= ids
    partners = {a.iri for t in tasks for a in (*t.lead, *t.assist)} - {kgx.iri}
    assert partners <= ids
    roles = {(e.source, e.target): e.label for e in view.edges if e.source == kgx.iri}
    for t in tasks:
        if any(a.iri == kgx.iri for a in t.lead):
            assert roles[(kgx.iri, t.iri)] == "牵头"
    assert any(e.dashes for e in view.edges), "assisting edges are dashed"


def test_agency_view_role_filter_and_bad_names(store):
    kgx = resolve_one(store, "科工信局")
    assisted = build_agency_view(store, kgx.iri, role="assist")
    task_nodes = {n.id for n in assisted.nodes if n.shape == "box"}
    assert task_nodes == {t.iri for t in store.tasks_of_agency(kgx.iri, role="assist")}
    with pytest.raises(AmbiguousAgency):
        build_agency_view(store, "自然资源局")
    assert build_agency_view(store, "自然资源局", jurisdiction="大通湖区").nodes
    with pytest.raises(AgencyNotFound):
        build_agency_view(store, "并不存在的局")


def test_agency_view_aggregates_under_a_small_budget(store, big):
    kgx = resolve_one(store, "科工信局")
    n_tasks = len(store.tasks_of_agency(kgx.iri))
    folded = build_agency_view(store, "科工信局", max_nodes=n_tasks + 1)
    assert folded.aggregated and len(folded.nodes) <= n_tasks + 1
    busiest = big.load()[0].agency
    view = build_agency_view(big, busiest.iri, max_nodes=40)
    assert len(view.nodes) <= 40 and view.aggregated
    assert any("按方案合并" in n for n in view.notes)
    assert any(n.label.startswith("其他单位") for n in view.nodes)


# ---------------------------------------------------------------- parks view
def test_parks_view_links_projects_and_mentioning_tasks(store):
    view = build_parks_view(store)
    ids = {n.id for n in view.nodes}
    edges = {(e.source, e.target) for e in view.edges}
    for park in store.parks():
        assert park.iri in ids
        for proj in store.projects_in_park(park.iri):
            assert (proj.iri, park.iri) in edges
    mentioning = [t for t in store.search_tasks("", limit=10_000) if t.parks]
    for t in mentioning:
        for park in store.parks():
            if park.name in t.parks and park.jurisdiction == t.jurisdiction:
                assert (t.iri, park.iri) in edges


def test_parks_view_under_budget(big):
    view = build_parks_view(big, max_nodes=60)
    assert len(view.nodes) <= 60 and view.aggregated
    assert any(n.label.startswith("其他园区") for n in view.nodes)
    assert any("任务不单独显示" in n for n in view.notes)


# ---------------------------------------------------------------- the pages
@pytest.mark.parametrize("kind", ["load", "agency", "parks"])
def test_pages_are_offline_and_keep_chinese(store, kind):
    if kind == "load":
        view = build_load_view(store)
    elif kind == "agency":
        view = build_agency_view(store, "科工信局")
    else:
        view = build_parks_view(store)
    page = render_html(view)
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page and 'lang="zh-CN"' in page
    assert remote_references(page) == []
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)
    assert "bootstrap" not in page.lower()
    assert "vis.Network" in page  # vis-network inlined, not fetched
    assert all(_in_page(page, label) for label in view.labels())
    assert "window.plankgReady" in page
    assert "<form" not in page  # a file has no server to answer the form


def test_served_pages_get_an_index_link_and_a_filter_form(store):
    page = load_page(store, index_href="/")
    assert '<a href="/">' in page and '<form method="get">' in page
    assert 'name="plan"' in page and 'name="role"' in page


def test_text_from_the_data_is_escaped(store):
    view = View("<script>alert(1)</script>", notes=["<b>x</b>"])
    view.nodes.append(VNode("n1", "</script><script>alert(2)</script>", "href=x", "#fff"))
    page = render_html(view)
    assert "<script>alert(1)</script>" not in page and "<b>x</b>" not in page
    assert "</script><script>alert(2)" not in page


def test_remote_references_are_detected():
    assert remote_references('<script src="https://cdn.example/x.js"></script>')
    assert remote_references('<link rel="stylesheet" href="//cdn.example/x.css">')
    assert not remote_references('<script>var u = "https://example.org";</script>')
    assert issubclass(OfflinePageError, RuntimeError)


# ---------------------------------------------------------------- API and CLI
@pytest.fixture(scope="module")
def client(store):
    from fastapi.testclient import TestClient

    from plankg.api import routes_export, routes_viz
    from plankg.api.app import ApiSettings, create_app

    app = create_app(
        store, None, settings=ApiSettings(), extra_routers=[routes_viz.router, routes_export.router]
    )
    return TestClient(app)


def test_index_links_the_views_exports_and_docs(client):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    for href in ("/viz/load", "/viz/parks", "/viz/agency", "/export/matrix", "/docs"):
        assert href in r.text
    assert remote_references(r.text) == []


@pytest.mark.parametrize(
    "url",
    [
        "/viz/load",
        "/viz/load?jurisdiction=平江县&role=lead",
        "/viz/load?jurisdiction=&plan=&role=any",  # the filter form's 全部
        "/viz/parks?jurisdiction=平江县",
        "/viz/agency/科工信局",
        "/viz/agency/自然资源局?jurisdiction=大通湖区",
    ],
)
def test_view_routes_serve_offline_pages(client, url):
    r = client.get(url)
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"].startswith("text/html")
    assert remote_references(r.text) == [] and "window.plankgReady" in r.text


def test_agency_route_explains_ambiguous_and_unknown_names(client):
    amb = client.get("/viz/agency/自然资源局")
    assert amb.status_code == 409 and "jurisdiction=" in amb.text
    unknown = client.get("/viz/agency/并不存在的局")
    assert unknown.status_code == 404 and "没有找到" in unknown.text
    form = client.get("/viz/agency?name=科工信局", follow_redirects=False)
    assert form.status_code == 303 and form.headers["location"].startswith("/viz/agency/%E7%A7%91")
    assert client.get("/viz/load?role=boss").status_code == 422


@pytest.mark.parametrize(
    ("args", "label"),
    [
        (["viz", "load", "--jurisdiction", "平江县"], "科技和工业信息化局"),
        (["viz", "agency", "科工信局", "--role", "lead"], "科技和工业信息化局"),
        (["viz", "parks"], "余梅工业区"),
    ],
)
def test_cli_writes_the_same_pages(store, tmp_path, monkeypatch, args, label):
    from typer.testing import CliRunner

    from plankg.api.cli import app
    from plankg.api.commands import viz

    monkeypatch.setattr(viz, "open_store", lambda data: store)
    out = tmp_path / "view.html"
    result = CliRunner().invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert remote_references(page) == []
    names = [a.name for a in store.agencies(q=label)] or [label]
    assert any(_in_page(page, n) for n in names)


def test_cli_reports_an_ambiguous_agency(store, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from plankg.api.cli import app
    from plankg.api.commands import viz

    monkeypatch.setattr(viz, "open_store", lambda data: store)
    result = CliRunner().invoke(
        app, ["viz", "agency", "自然资源局", "-o", str(tmp_path / "x.html")]
    )
    assert result.exit_code == 2 and "大通湖区" in result.output


def test_agency_view_tooltips_list_agencies_in_plan_order_with_the_deadline():
    from plankg.graph.embedded import EmbeddedStore
    from plankg.ingest.extract import extract_text
    from plankg.ingest.model import Deadline
    from plankg.ingest.rdf import build_lines

    plan = extract_text(
        "平江县统计工作方案\n一、工作任务\n"
        "1.联网直报。推进企业联网直报。（县统计局、县发改局牵头，县财政局、县农业农村局配合）\n",
        "v.txt",
        jurisdiction="平江县",
    )
    plan.tasks[0].deadline = Deadline("2024年12月底前", "2024-12-31")
    small = EmbeddedStore(build_lines([plan]))
    view = build_agency_view(small, "县财政局")
    task = next(n for n in view.nodes if n.id.endswith("/task/v-t001"))
    assert "牵头：平江县统计局、平江县发展和改革局" in task.title
    assert "配合：平江县财政局、平江县农业农村局" in task.title
    assert "完成时限：2024年12月底前" in task.title
