"""The views in a real browser: the app served by uvicorn on localhost, pages opened in headless
Debian chromium (python playwright), the network drawn, the expected node labels present in
the vis DataSet, no request leaving localhost, a screenshot under test-artifacts/.

Skipped when chromium is missing (tools/install_browser.sh installs it) unless
PLANKG_REQUIRE_BROWSER=1. Runs on the FAKE store; `store` → `embedded_store()` for real data.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from conftest import ROOT, require
from viz_fakes import embedded_store

from plankg.graph.store import Store

pytestmark = pytest.mark.browser
assert embedded_store  # the one-line switch below

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def store() -> Store:
    return embedded_store()  # the real store over data/plans (sample_store() is the fake)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        require("PLANKG_REQUIRE_BROWSER", f"no chromium at {CHROMIUM} (tools/install_browser.sh)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require("PLANKG_REQUIRE_BROWSER", "python playwright is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(store) -> Iterator[str]:
    import uvicorn

    from plankg.api.app import Settings, create_app

    app = create_app(store, None, settings=Settings())
    port = _free_port()
    srv = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


# count of canvas pixels that are not background: proves vis-network actually drew
_INKED = """() => {
  const c = document.querySelector('#mynetwork canvas');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i + 3] > 0 && d[i] + d[i + 1] + d[i + 2] < 720) n++;
  }
  return n;
}"""


def _open(browser, base: str, path: str, shot: str) -> tuple[list[str], list[str]]:
    """Open `path`, wait for the drawing, save the screenshot; (node labels, foreign URLs)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page = browser.new_page(viewport={"width": 1400, "height": 900})
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(base + quote(path, safe="/?=&"), wait_until="load")
        page.wait_for_function("window.plankgReady === true", timeout=30_000)
        # the layout settles and is fitted; a big graph may still be moving — fine
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_function("window.plankgSettled === true", timeout=15_000)
        labels = page.evaluate("nodes.get().map(n => n.label)")
        assert page.evaluate(_INKED) > 500, "the canvas is blank"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
    finally:
        page.close()
    assert not errors, errors
    host = urlsplit(base).netloc
    foreign = [
        u
        for u in requests
        if urlsplit(u).scheme not in ("data", "blob", "about") and urlsplit(u).netloc != host
    ]
    return labels, foreign


def test_load_view_draws_offline(browser, server, store):
    labels, foreign = _open(browser, server, "/viz/load?jurisdiction=平江县", "viz-load.png")
    assert {r.agency.name for r in store.load("平江县")} <= set(labels)
    assert foreign == []


def test_parks_view_draws_offline(browser, server, store):
    labels, foreign = _open(browser, server, "/viz/parks", "viz-parks.png")
    assert {p.name for p in store.parks()} <= set(labels)
    assert foreign == []


def test_agency_view_draws_offline(browser, server, store):
    agency = store.resolve_agency("科工信局")[0]
    labels, foreign = _open(browser, server, "/viz/agency/科工信局", "viz-agency.png")
    assert agency.name in labels
    assert foreign == []


def test_index_page_loads_nothing_from_outside(browser, server):
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(server + "/", wait_until="load")
    assert "规划任务知识图谱" in page.title()
    page.close()
    assert all(u.startswith(server) for u in requests), requests
