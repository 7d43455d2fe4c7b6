"""The HTTP API on the real embedded store built from the sample plans."""

from __future__ import annotations

import re
import shutil

import pytest
from conftest import PLANS_DIR
from fastapi.testclient import TestClient

from plankg.api.app import Settings, create_app
from plankg.api.library import close_all, open_library
from plankg.ingest.pipeline import ingest

KGX = "平江县科技和工业信息化局"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("build")
    ingest([PLANS_DIR], out)
    return out


@pytest.fixture(scope="module", autouse=True)
def _close_libraries():
    yield
    close_all()  # their locks, upload workers and background writers


def make_client(data_dir, **settings) -> TestClient:
    """The app as `plankg serve` builds it: the folder's library (lock, repair, RDF store,
    indexes) and its store."""
    lib = open_library(data_dir)
    app = create_app(
        lib.embedded,
        lib.rdf_store,
        settings=Settings(**{"api_key": None, **settings}),  # not the environment's key
        library=lib.library(),
    )
    return TestClient(app, raise_server_exceptions=False)


def settle(data_dir) -> None:
    """Wait for the derived files, which follow a write in the background."""
    open_library(data_dir).flush()


@pytest.fixture(scope="module")
def client(data_dir):
    return make_client(data_dir)


def _ws(s):
    return re.sub(r"\s+", "", s)


@pytest.mark.parametrize(
    "name", ["科工信局", "县科技和工业信息化局", "县科工信局", "平江县科工信局", "平江科工信局"]
)
def test_tasks_led_by_kgx_match_gold_under_any_alias(client, gold_tasks, name):
    r = client.get(f"/agencies/{name}/tasks", params={"role": "lead"})
    assert r.status_code == 200
    tasks = r.json()
    gold = [g for g in gold_tasks if KGX in g["lead"]]
    assert len(tasks) == len(gold)
    for g in gold:
        assert sum(_ws(g["anchor"]) in _ws(t["text"]) for t in tasks) == 1
    for t in tasks:
        assert (
            t["source"]["doc"]
            and t["source"]["section"]
            and t["source"]["end"] > t["source"]["start"]
        )


def test_every_spelling_ingest_resolves_resolves_in_the_api(client, sample_plans):
    """One name normaliser for ingest and queries: each name as a plan writes it, with its
    jurisdiction or written out with it, finds the body ingest resolved it to."""
    checked = 0
    for plan in sample_plans:
        for task in plan.tasks:
            for m in (*task.lead, *task.assist):
                if m.agency.collective:
                    continue
                spellings = [(m.raw, {"jurisdiction": plan.jurisdiction})]
                if m.raw[0] in "县区":  # 县发改局 → 平江县发改局
                    spellings.append((plan.jurisdiction + m.raw[1:], {}))
                for name, params in spellings:
                    r = client.get(f"/agencies/{name}", params=params)
                    assert r.status_code == 200, (name, r.json())
                    assert r.json()["agency"]["name"] == m.agency.canonical, name
                    checked += 1
    assert checked > 300
    r = client.get("/agencies/县发展改革局/tasks")
    assert r.status_code == 200 and r.json()


def test_ambiguous_and_unknown_names(client):
    r = client.get("/agencies/自然资源局")
    assert r.status_code == 409
    assert {c["jurisdiction"] for c in r.json()["error"]["candidates"]} == {"平江县", "大通湖区"}
    assert client.get("/agencies/自然资源局", params={"jurisdiction": "平江县"}).status_code == 200
    r = client.get("/agencies/科技工业局")
    assert r.status_code == 404 and r.json()["error"]["closest"]


def test_listing_endpoints(client, gold_taskforces):
    assert len(client.get("/plans").json()) == 5
    assert len(client.get("/working-groups").json()) == len(gold_taskforces)
    assert any(p["name"] == "余梅工业区" for p in client.get("/parks").json())
    projects = client.get("/parks/余梅工业区/projects").json()
    assert {p["name"] for p in projects} >= {"污水处理厂"}
    hits = client.get("/tasks", params={"q": "辣条"}).json()
    assert hits and all("辣条" in t["text"] for t in hits)
    one = client.get(f"/tasks/{hits[0]['id']}").json()
    assert one["id"] == hits[0]["id"]
    inds = client.get("/indicators", params={"subject": "增长率"}).json()
    assert inds and all("增长率" in i["subject"] for i in inds)
    matrix = client.get("/coordination", params={"jurisdiction": "平江县", "min_count": 2}).json()
    assert matrix["cells"] and all(c["count"] >= 2 for c in matrix["cells"])
    load = client.get("/load").json()
    assert load[0]["lead"] + load[0]["assist"] >= load[-1]["lead"] + load[-1]["assist"]


def test_rdf_content_negotiation(client):
    from rdflib import Graph

    r = client.get("/agencies/科工信局", headers={"Accept": "text/turtle"})
    assert r.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=r.text, format="turtle")
    assert len(g) > 10
    task = client.get("/tasks", params={"q": "辣条"}).json()[0]
    r = client.get(f"/tasks/{task['id']}", headers={"Accept": "application/ld+json"})
    assert r.headers["content-type"].startswith("application/ld+json")
    assert len(Graph().parse(data=r.text, format="json-ld")) > 5


def test_sparql_without_a_store_is_404_and_cypher_needs_neo4j(client):
    """/sparql itself is tested in test_sparql_protocol.py (a real store and server)."""
    r = client.get("/sparql", params={"query": "ASK {}"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "no_rdf"
    assert client.get("/cypher", params={"query": "MATCH (n) RETURN n"}).status_code == 404


def test_rdf_answers_come_from_the_rdf_store(data_dir):
    """Turtle for one agency and SPARQL over the whole graph, both from the pyoxigraph store
    `plankg ingest` built: nothing parsed at start or on first use, no size cap."""
    c = make_client(data_dir)
    source = c.app.state.plankg.rdf
    r = c.get("/agencies/科工信局", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and KGX in r.text and "org:Organization" in r.text
    assert source.triples == len((data_dir / "plankg.nt").read_bytes().splitlines())
    assert c.get("/agencies/科工信局/tasks").status_code == 200  # everything else still works


def test_validation_errors_are_json_without_traces(client):
    r = client.get("/agencies/科工信局/tasks", params={"role": "boss"})
    assert r.status_code == 422
    body = r.json()
    assert body["error"]["code"] == "invalid_request" and "Traceback" not in r.text
    assert body["error"]["problems"] == [
        {"where": "query.role", "problem": body["error"]["problems"][0]["problem"]}
    ]


def test_mutations_are_disabled_without_a_key(client):
    r = client.post("/plans", files={"file": ("p.txt", "1.改革。（县发改局牵头）".encode())})
    assert r.status_code == 403 and "PLANKG_API_KEY" in r.json()["error"]["message"]
    assert client.delete("/plans/000_99d16d149e72ffbe.txt").status_code == 403


def test_cors_is_off_by_default(client):
    r = client.get("/plans", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in r.headers


def test_body_size_limit(data_dir):
    c = make_client(data_dir, api_key="k", max_body_mib=0.001)  # 1,048 bytes
    r = c.post("/plans", files={"file": ("p.txt", b"x" * 5000)}, headers={"X-API-Key": "k"})
    assert r.status_code == 413


def test_upload_persists_across_restart_and_bad_uploads_change_nothing(tmp_path, data_dir):
    data = tmp_path / "data"
    shutil.copytree(data_dir, data)
    c = make_client(data, api_key="secret")
    plan = "二、重点任务\n1.建设冷链物流园。新增冷库10座。（县商务粮食局牵头，县财政局配合）\n"
    assert (
        c.post(
            "/plans", files={"file": ("new.txt", plan.encode())}, headers={"X-API-Key": "wrong"}
        ).status_code
        == 401
    )
    before = (data / "plankg.nt").read_bytes()
    bad = c.post(
        "/plans", files={"file": ("bad.txt", b"\x00\x01binary")}, headers={"X-API-Key": "secret"}
    )
    assert bad.status_code == 422 and "bad.txt" in bad.json()["error"]["message"]
    assert (data / "plankg.nt").read_bytes() == before
    ok = c.post(
        "/plans",
        files={"file": ("new.txt", plan.encode("gb18030"))},
        headers={"X-API-Key": "secret"},
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["plans"] == 6
    restarted = make_client(data)  # a new process would load the same files
    assert len(restarted.get("/plans").json()) == 6
    assert restarted.get("/tasks", params={"q": "冷链物流园"}).json()
    gone = c.delete("/plans/new.txt", headers={"X-API-Key": "secret"})
    assert gone.status_code == 200 and gone.json()["plans"] == 5


def test_a_crash_while_writing_leaves_the_previous_graph(tmp_path, data_dir, monkeypatch):
    from plankg.graph import rdf_store

    data = tmp_path / "data"
    shutil.copytree(data_dir, data)

    def graph_files() -> dict[str, bytes]:
        return {n: (data / n).read_bytes() for n in ("plankg.nt", "plankg.ttl", "plankg.jsonld")}

    before = graph_files()

    def boom(*args, **kwargs):
        raise OSError("disk full")

    c = make_client(data, api_key="secret")  # opened first: its index snapshot may be written
    monkeypatch.setattr(rdf_store.os, "replace", boom)
    plan = "1.建设冷链物流园。（县商务粮食局牵头）\n"
    r = c.post(
        "/plans", files={"file": ("new.txt", plan.encode())}, headers={"X-API-Key": "secret"}
    )
    assert r.status_code == 500 and "Traceback" not in r.text
    assert graph_files() == before
    assert not [p for p in data.iterdir() if p.name.startswith(".plankg")]


def test_reupload_replaces_and_removal_restores_the_plans_lines(tmp_path, data_dir):
    data = tmp_path / "data"
    shutil.copytree(data_dir, data)
    c = make_client(data, api_key="secret")
    key = {"X-API-Key": "secret"}
    plan = "二、重点任务\n1.建设冷链物流园。新增冷库10座。（县商务粮食局牵头，县财政局配合）\n"
    before = set((data / "plankg.nt").read_bytes().splitlines())
    assert c.post("/plans", files={"file": ("new.txt", plan.encode())}, headers=key).is_success
    settle(data)
    once = (data / "plankg.nt").read_bytes()
    same = c.post("/plans", files={"file": ("new.txt", plan.encode())}, headers=key)
    assert same.status_code == 409 and "already the plan new.txt" in same.json()["error"]["message"]
    again = c.post("/plans", files={"file": ("new.txt", (plan + "\n").encode())}, headers=key)
    assert again.json()["changed"] == "replaced new.txt"
    settle(data)
    replaced = set((data / "plankg.nt").read_bytes().splitlines())
    changed = replaced ^ set(once.splitlines())  # replaced, not doubled: only the hash moved
    assert len(changed) == 2 and all(b"#sha256>" in line for line in changed)
    lines = (data / "plankg.nt").read_bytes().splitlines()
    assert lines == sorted(set(lines))  # the merge keeps the file sorted and distinct
    assert c.delete("/plans/nope.txt", headers=key).status_code == 404
    settle(data)
    assert set((data / "plankg.nt").read_bytes().splitlines()) == replaced
    assert c.delete("/plans/new.txt", headers=key).is_success
    settle(data)
    after = set((data / "plankg.nt").read_bytes().splitlines())
    assert before <= after
    assert not [line for line in after - before if b"new" in line or "冷链".encode() in line]


def test_task_json_keeps_the_plans_agency_order_and_the_deadline(tmp_path):
    from plankg.ingest.extract import extract_text
    from plankg.ingest.model import Deadline
    from plankg.ingest.pipeline import write_plans

    plan = extract_text(
        "平江县统计工作方案\n一、工作任务\n"
        "1.联网直报。推进企业联网直报。（县统计局、县发改局牵头，县财政局、县农业农村局配合）\n",
        "d.txt",
        jurisdiction="平江县",
    )
    plan.tasks[0].deadline = Deadline("2024年12月底前", "2024-12-31")
    write_plans([plan], tmp_path)
    client = make_client(tmp_path)
    task = client.get("/tasks/d-t001").json()
    assert [a["name"] for a in task["lead"]] == ["平江县统计局", "平江县发展和改革局"]
    assert [a["name"] for a in task["assist"]] == ["平江县财政局", "平江县农业农村局"]
    assert task["deadline"] == {"text": "2024年12月底前", "date": "2024-12-31"}
    listed = client.get("/agencies/县财政局/tasks").json()
    assert [a["name"] for a in listed[0]["lead"]] == ["平江县统计局", "平江县发展和改革局"]
    turtle = client.get("/tasks/d-t001", headers={"Accept": "text/turtle"}).text
    assert "2024年12月底前" in turtle and "2024-12-31" in turtle
