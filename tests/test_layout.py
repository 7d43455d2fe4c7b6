"""The API's layout holds: every router module is in the app's static list (none can vanish
when an import fails), every operation documents the error body, and a change (an upload)
runs off the event loop, so other requests are answered meanwhile."""

from __future__ import annotations

import asyncio
import importlib
import threading
import time

import httpx
from conftest import ROOT

from plankg.api.app import ROUTERS, create_app
from plankg.api.deps import Library
from plankg.api.settings import Settings


def test_every_router_module_is_in_the_static_list():
    modules = sorted(p.stem for p in (ROOT / "api").glob("routes_*.py"))
    assert len(modules) >= 9
    for name in modules:
        module = importlib.import_module(f"plankg.api.{name}")
        assert module.router in ROUTERS, f"{name}.router is not in api/app.py ROUTERS"
    assert not (ROOT / "api" / "commands" / "serve.py").read_text().count("except ModuleNotFound")


class _Store:
    """A store with nothing in it: enough for /health."""

    in_memory = True

    def plans(self):
        return []


def test_an_upload_does_not_block_other_requests():
    started, release = threading.Event(), threading.Event()
    began: list[float] = []

    def slow_add(name: str, content: bytes):
        began.append(time.perf_counter())
        started.set()
        release.wait(10)  # an extraction that takes a while
        summary = {"plans": 1, "tasks": 1, "triples": 1, "changed": f"added {name}"}
        return _Store(), None, summary

    def unused():
        raise AssertionError("not called")

    library = Library(add_plan=slow_add, remove_plan=lambda doc: unused(), reload=unused)
    app = create_app(_Store(), None, settings=Settings(api_key="k"), library=library)

    async def scenario() -> tuple[float, bool, int, int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            upload = asyncio.create_task(
                client.post("/plans", files={"file": ("p.txt", b"x")}, headers={"X-API-Key": "k"})
            )
            while not started.is_set():
                await asyncio.sleep(0.01)
            health = await client.get("/health")
            took = time.perf_counter() - began[0]
            still_uploading = not upload.done()
            release.set()
            done = await upload
            return took, still_uploading, health.status_code, done.status_code

    took, still_uploading, health, upload = asyncio.run(scenario())
    assert health == 200 and upload == 200
    assert still_uploading and took < 0.5  # answered while the upload was still running


def test_serving_does_not_import_what_only_some_requests_use():
    """`plankg serve` starts without the sheet writer, the page drawer, charts or the
    extractor (0.3 s of a start that must be ready in 5 s at 10,000 plans): each is imported
    by the command or request that uses it."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "import plankg.api.cli, plankg.api.app, plankg.api.library, plankg.graph.embedded\n"
        "from plankg.api.commands.serve import build_app\n"
        "heavy = ('openpyxl', 'pyvis', 'matplotlib', 'plankg.ingest.extract',"
        " 'plankg.ingest.pipeline', 'plankg.viz.xlsx')\n"
        "print(' '.join(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == ""
