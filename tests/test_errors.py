"""One error vocabulary, on the real sample build: the JSON shape (pinned), Chinese first with
English after (or one language by Accept-Language), a page for a browser, a typo in any filter
of any endpoint a 404 with the closest names (never an empty 200), control characters a 422,
405 with `Allow`, the body limit in MiB — and the CLI's messages and exit codes for the same
mistakes."""

from __future__ import annotations

import re

import pytest
from conftest import PLANS_DIR
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from plankg.api.app import Settings, create_app
from plankg.api.cli import app as cli
from plankg.graph.embedded import EmbeddedStore
from plankg.ingest.pipeline import ingest

# a real value for every path parameter of the schema; a new endpoint must add its own here
PATH_VALUES = {
    "/agencies/{name}": {"name": "科工信局"},
    "/agencies/{name}/tasks": {"name": "科工信局"},
    "/parks/{name}/projects": {"name": "余梅工业区"},
    "/viz/agency/{name}": {"name": "科工信局"},
    "/tasks/{task_id}": {"task_id": "000_99d16d149e72ffbe-t001"},
    "/agency/{name}": {"name": "科工信局"},  # the web app's pages
    "/task/{task_id}": {"task_id": "000_99d16d149e72ffbe-t001"},
}
JSON = {"Accept": "application/json"}
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("build")
    ingest([PLANS_DIR], out)
    return out


@pytest.fixture(scope="module")
def client(data_dir):
    store = EmbeddedStore.open(data_dir)
    return TestClient(create_app(store, store.rdf, settings=Settings(api_key=None)))


def _get_operations(client) -> list[tuple[str, set[str]]]:
    """(path template, query parameter names) of every GET operation in the schema."""
    schema = client.get("/openapi.json").json()
    ops = []
    for path, item in schema["paths"].items():
        if "get" in item:
            names = {p["name"] for p in item["get"].get("parameters", []) if p["in"] == "query"}
            ops.append((path, names))
    return ops


def _url(path: str) -> str:
    if "{" not in path:
        return path
    assert path in PATH_VALUES, f"add a real value for {path} to PATH_VALUES"
    return path.format(**PATH_VALUES[path])


def test_the_error_shape_is_pinned(client):
    r = client.get("/agencies/科技工业局")
    assert r.status_code == 404 and r.headers["content-type"] == "application/json"
    body = r.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "name", "closest"}
    assert error["code"] == "unknown_agency" and error["name"] == "科技工业局"
    zh, en = error["message"].split(" / ")
    assert zh == "没有找到单位“科技工业局”" and en == "no agency called '科技工业局'"
    assert error["closest"] and all(isinstance(n, str) for n in error["closest"])

    amb = client.get("/agencies/自然资源局").json()["error"]
    assert set(amb) == {"code", "message", "name", "candidates"}
    assert amb["code"] == "ambiguous_agency"
    assert {c["jurisdiction"] for c in amb["candidates"]} == {"平江县", "大通湖区"}
    assert all(set(c) == {"name", "jurisdiction", "iri"} for c in amb["candidates"])

    bad = client.get("/load", params={"plan": "nope.txt"}).json()["error"]
    assert set(bad) == {"code", "message", "field", "value", "closest"}
    assert bad["code"] == "unknown_plan" and (bad["field"], bad["value"]) == ("plan", "nope.txt")
    assert "000_99d16d149e72ffbe.txt" in bad["closest"]

    invalid = client.get("/agencies/科工信局/tasks", params={"role": "boss"}).json()["error"]
    assert set(invalid) == {"code", "message", "problems"}
    assert invalid["problems"][0]["where"] == "query.role"


def test_the_schema_documents_the_error_body(client):
    schema = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    for path, item in schema["paths"].items():
        for method, op in item.items():
            for status, response in op["responses"].items():
                if status.startswith(("4", "5")):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/ErrorBody"), (method, path, status)


def test_messages_are_chinese_first_or_one_language_on_request(client):
    url = "/agencies/科技工业局"
    both = client.get(url).json()["error"]["message"]
    assert both.index("没有找到") < both.index("no agency")
    en = client.get(url, headers={"Accept-Language": "en-GB,en;q=0.9"}).json()["error"]
    assert en["message"] == "no agency called '科技工业局'"
    zh = client.get(url, headers={"Accept-Language": "zh-CN"}).json()["error"]["message"]
    assert zh == "没有找到单位“科技工业局”"
    for status_url in ("/nowhere", "/agencies/科工信局/tasks?role=boss"):
        message = client.get(status_url).json()["error"]["message"]
        assert CJK.match(message), message  # the first character a reader sees is Chinese


@pytest.mark.parametrize(
    ("field", "value", "code", "near"),
    [
        ("plan", "nope.txt", "unknown_plan", "000_99d16d149e72ffbe.txt"),
        ("jurisdiction", "北京市", "unknown_jurisdiction", None),
        ("jurisdiction", "平江", "unknown_jurisdiction", "平江县"),
    ],
)
def test_a_typo_in_any_filter_of_any_endpoint_is_a_404_with_the_closest(
    client, field, value, code, near
):
    checked = []
    for path, params in _get_operations(client):
        if field not in params:
            continue
        r = client.get(_url(path), params={field: value}, headers=JSON)
        assert r.status_code == 404, (path, r.status_code, r.text[:200])
        error = r.json()["error"]
        assert (error["code"], error["field"], error["value"]) == (code, field, value), path
        assert near is None or near in error["closest"], (path, error)
        checked.append(path)
    # the API, the exports and the views all filter
    assert {"/load", "/coordination", "/export/ledger", "/viz/load"} <= set(checked)
    assert len(checked) >= (15 if field == "plan" else 14), checked


def test_a_known_filter_value_still_answers(client):
    for path, params in _get_operations(client):
        if "jurisdiction" in params and "{" not in path:
            r = client.get(path, params={"jurisdiction": "平江县"})
            assert r.status_code == 200, (path, r.text[:200])


def test_control_characters_in_any_text_parameter_are_a_422(client):
    checked = 0
    for path, params in _get_operations(client):
        for name in params & {"plan", "jurisdiction", "agency", "q", "subject"}:
            for bad in ("平江县\r\nX-Injected: 1", "平江县\x00", "a\x7f"):
                r = client.get(_url(path), params={name: bad}, headers=JSON)
                assert r.status_code == 422, (path, name, repr(bad), r.status_code)
                assert r.json()["error"]["code"] == "invalid_request"
                assert "X-Injected" not in r.headers
                checked += 1
    r = client.get("/agencies/科工%0D%0A信局")
    assert r.status_code == 422
    assert checked > 60


def test_a_browser_gets_a_page_with_links_to_the_closest_names(client):
    html = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    r = client.get("/export/ledger", params={"jurisdiction": "平江"}, headers=html)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "没有找到" not in r.text or "平江县" in r.text
    assert 'href="/export/ledger?jurisdiction=%E5%B9%B3%E6%B1%9F%E5%8E%BF"' in r.text
    page = client.get("/viz/agency/科技工业局")  # a page route answers a page without Accept
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert 'href="/viz/agency/' in page.text
    amb = client.get("/viz/agency/自然资源局")
    assert amb.status_code == 409 and "jurisdiction=%E5%A4%A7" in amb.text  # 大通湖区
    assert client.get("/load?plan=x", headers=html).text.startswith("<!DOCTYPE html>")


def test_method_not_allowed_lists_every_method_of_the_path(client):
    r = client.put("/plans")
    assert r.status_code == 405
    assert set(r.headers["allow"].split(", ")) == {"GET", "POST"}
    assert r.json()["error"]["code"] == "method_not_allowed"
    r = client.delete("/agencies")
    assert r.status_code == 405 and r.headers["allow"] == "GET"


def test_the_body_limit_is_stated_and_checked_in_mib(data_dir):
    store = EmbeddedStore.open(data_dir)
    c = TestClient(create_app(store, None, settings=Settings(api_key="k", max_body_mib=1)))
    at_limit = b"x" * (1024 * 1024 - 300)  # with the multipart framing, just under 1 MiB
    small = c.post("/plans", files={"file": ("p.txt", at_limit)}, headers={"X-API-Key": "k"})
    assert small.json()["error"]["code"] == "read_only_store"  # past the size check
    over = b"x" * (1024 * 1024 + 1)
    r = c.post("/plans", files={"file": ("p.txt", over)}, headers={"X-API-Key": "k"})
    assert r.status_code == 413
    assert r.json()["error"] == {
        "code": "body_too_large",
        "message": "请求体超过 1 MiB 的上限 / request body larger than the 1 MiB limit",
    }


# ---------------------------------------------------------------- the CLI


def test_cli_maps_the_same_errors_to_messages_and_exit_codes(data_dir, tmp_path):
    runner = CliRunner()
    data = ["--data", str(data_dir)]
    unknown = runner.invoke(cli, ["query", "leads", "科技工业局", *data])
    assert unknown.exit_code == 2
    assert "错误：没有找到单位“科技工业局” / error: no agency called '科技工业局'" in unknown.output
    assert "相近的名称" in unknown.output
    ambiguous = runner.invoke(cli, ["query", "agency", "自然资源局", *data])
    assert ambiguous.exit_code == 2 and "大通湖区" in ambiguous.output
    for args in (
        ["query", "leads", "科工信局", "--plan", "nope.txt", *data],
        ["export", "ledger", "-o", str(tmp_path / "l.csv"), "--jurisdiction", "平江", *data],
        ["viz", "load", "-o", str(tmp_path / "v.html"), "--plan", "nope.txt", *data],
    ):
        result = runner.invoke(cli, args)
        assert result.exit_code == 2, (args, result.output)
        assert result.output.startswith("错误：筛选条件"), result.output
        assert "000_99d16d149e72ffbe.txt" in result.output or "平江县" in result.output
    assert not (tmp_path / "l.csv").exists() and not (tmp_path / "v.html").exists()
    ok = runner.invoke(cli, ["query", "leads", "科工信局", "--jurisdiction", "平江县", *data])
    assert ok.exit_code == 0 and "任务 id" in ok.output


def test_cli_version_and_a_missing_data_folder(tmp_path):
    runner = CliRunner()
    version = runner.invoke(cli, ["--version"])
    assert version.exit_code == 0 and re.fullmatch(r"plankg \d+\.\d+\.\d+\n", version.output)
    missing = runner.invoke(cli, ["query", "leads", "科工信局", "--data", str(tmp_path / "no")])
    assert missing.exit_code == 2 and missing.output.startswith("错误：数据目录")


def _visible(page: str) -> str:
    body = page.split("<main>", 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()


def test_error_pages_are_site_pages_with_nav_a_way_back_and_the_closest_names(client):
    """A misspelt agency: the site's stylesheet, header and nav, the message Chinese first,
    the closest names as links to the same page, the search box holding the wrong name, and
    links home. The same for a 409, a 422 and an unknown address."""
    r = client.get("/agency/科工信息局")
    page = r.text
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert '<link rel="stylesheet" href="/static/plankg.css">' in page
    assert '<header class="site">' in page and '<a href="/upload">' in page  # the nav
    assert 'id="error-message"' in page and 'action="/search"' in page
    text = _visible(page)
    assert text.index("没有找到单位") < text.index("no agency called")
    assert text.index("相近的名称") < text.index("Closest names")
    closest = re.findall(r'<ul id="closest".*?</ul>', page, re.S)[0]
    assert '<a href="/agency/%E7%A7%91%E5%B7%A5%E4%BF%A1%E5%B1%80">科工信局</a>' in closest
    assert 'name="q" value="科工信息局"' in page  # the search box, ready to be corrected
    assert '<a href="/">' in page.split('id="way-back"', 1)[1]
    ambiguous = client.get("/agency/自然资源局")
    assert ambiguous.status_code == 409 and 'id="candidates"' in ambiguous.text
    assert '<header class="site">' in ambiguous.text and "名称不唯一" in ambiguous.text
    bad = client.get("/agency/" + "科" * 201)
    assert bad.status_code == 422 and "参数 <code>path.name</code>" in bad.text
    nowhere = client.get("/no/such/page", headers={"Accept": "text/html"})
    assert nowhere.status_code == 404 and '<header class="site">' in nowhere.text
    assert _visible(nowhere.text).index("没有这个地址") < _visible(nowhere.text).index("no such")
    english = client.get(
        "/agency/科工信息局", headers={"Accept-Language": "en", "Accept": "text/html"}
    )
    assert "no agency called" in english.text and "没有找到单位" not in english.text
    json_body = client.get("/agency/科工信息局", headers=JSON).json()  # JSON stays JSON
    assert json_body["error"]["code"] == "unknown_agency"
