"""README.md documents every setting and every CLI command (as datasette and sqlite-utils test
their docs), the product reads the environment only through `api/settings.py`, and `/docs` and
`/redoc` load with no Internet: every asset their pages reference is served by plankg."""

from __future__ import annotations

import ast
import re
import subprocess
from html.parser import HTMLParser

import pytest
import typer
from conftest import ROOT
from fastapi.testclient import TestClient

from plankg.api.app import create_app
from plankg.api.cli import app as cli_app
from plankg.api.settings import Settings

README = (ROOT / "README.md").read_text(encoding="utf-8")
PRODUCT = ("api", "graph", "ingest", "ontology", "viz")
ENV_NAME = re.compile(r"\b(?:PLANKG|NEO4J)_[A-Z0-9_]*[A-Z0-9]\b")


def _commands(command, prefix: str) -> list[str]:
    if getattr(command, "commands", None):  # a group (typer ships its own click)
        out = []
        for name, sub in sorted(command.commands.items()):
            out += _commands(sub, f"{prefix} {name}")
        return out
    return [prefix]


def test_every_cli_command_is_in_the_readme():
    commands = _commands(typer.main.get_command(cli_app), "plankg")
    assert (
        len(commands) >= 11
    )  # extract, eval, ingest, validate, query, serve, viz ×3, export, load
    missing = [c for c in commands if f"`{c}" not in README]
    assert not missing, f"document these commands in README.md: {missing}"
    assert "`plankg --version`" in README


def test_every_setting_is_in_the_readme():
    names = Settings.env_names()
    assert {"PLANKG_API_KEY", "PLANKG_MAX_BODY_MIB", "NEO4J_URI", "NEO4J_PASSWORD"} <= set(
        names.values()
    )
    missing = [env for env in names.values() if f"`{env}`" not in README]
    assert not missing, f"document these settings in README.md: {missing}"


def test_every_variable_the_tree_names_is_in_the_readme():
    """Shell tools and the benchmark too: any PLANKG_*/NEO4J_* a tracked file outside tests
    names is documented."""
    files = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    named = set()
    for name in files:
        if name.startswith(("tests/", "data/")) or name.endswith(".md"):
            continue
        path = ROOT / name
        if path.suffix in {".py", ".sh", ".toml", ""} and path.is_file():
            named |= set(ENV_NAME.findall(path.read_text(encoding="utf-8", errors="replace")))
    assert "NEO4J_URI" in named
    missing = sorted(n for n in named if n not in README)
    assert not missing, f"document these variables in README.md: {missing}"


def test_the_product_reads_the_environment_only_through_settings():
    readers = []
    for package in PRODUCT:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
                    readers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not readers, f"read these through api/settings.py: {readers}"


def test_settings_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("PLANKG_MAX_BODY_MIB", "3")
    monkeypatch.setenv("NEO4J_URI", "bolt://example:7687")
    monkeypatch.setenv("PLANKG_API_KEY", "")
    s = Settings()
    assert s.max_body_bytes == 3 * 1024 * 1024 and s.neo4j_uri == "bolt://example:7687"
    assert s.api_key_value is None
    monkeypatch.setenv("PLANKG_PORT", "0")
    with pytest.raises(ValueError, match="port"):
        Settings()


# ---------------------------------------------------------------- offline API docs


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.refs.append(value)


def _refs(page: str) -> list[str]:
    parser = _Refs()
    parser.feed(page)
    # Swagger UI's page also names its JS/CSS inside the inline script
    return parser.refs + re.findall(r"""url:\s*['"]([^'"]+)['"]""", page)


class _NoStore:
    """No question is asked to render the docs."""


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_api_docs_load_every_asset_from_plankg(page):
    client = TestClient(create_app(_NoStore(), None, settings=Settings()))  # type: ignore[arg-type]
    r = client.get(page)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    refs = _refs(r.text)
    assert any(ref.endswith(".js") for ref in refs), refs
    external = [ref for ref in refs if re.match(r"^(https?:)?//", ref)]
    assert not external, external
    assert "fonts.googleapis" not in r.text
    for ref in refs:
        asset = client.get(ref)
        assert asset.status_code == 200, ref
        assert len(asset.content) > 50, ref
    assert "/openapi.json" in r.text
    assert client.get("/openapi.json").status_code == 200


@pytest.mark.browser
@pytest.mark.parametrize(
    ("page", "ready"), [("/docs", ".opblock"), ("/redoc", "[data-section-id]")]
)
def test_api_docs_render_in_a_browser_with_the_network_cut(page, ready, tmp_path):
    """Headless chromium with every request off localhost refused: the docs still render
    every operation (a CDN-served /docs was a blank page offline)."""
    import threading
    import time

    import uvicorn
    from conftest import require
    from server_support import free_port

    chromium = "/usr/bin/chromium"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require("PLANKG_REQUIRE_BROWSER", "python playwright is not installed")
    from pathlib import Path

    if not Path(chromium).exists():
        require("PLANKG_REQUIRE_BROWSER", f"no chromium at {chromium} (tools/install_browser.sh)")
    app = create_app(_NoStore(), None, settings=Settings())  # type: ignore[arg-type]
    operations = sum(len(item) for item in app.openapi()["paths"].values())
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive()
        time.sleep(0.05)
    outside: list[str] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=chromium, args=["--no-sandbox", "--disable-gpu"], headless=True
            )
            context = browser.new_context()

            def gate(route):
                url = route.request.url
                if url.startswith(f"http://127.0.0.1:{port}/"):
                    return route.continue_()
                outside.append(url)
                return route.abort()

            context.route("**/*", gate)
            tab = context.new_page()
            tab.goto(f"http://127.0.0.1:{port}{page}")
            tab.wait_for_selector(ready, timeout=30_000)
            shown = tab.locator(ready).count()
            tab.screenshot(path=str(tmp_path / f"{page.strip('/')}.png"))
            browser.close()
    finally:
        server.should_exit = True
        thread.join(10)
    assert not outside, outside
    assert shown >= operations * 0.9, (shown, operations)
