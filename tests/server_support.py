"""`plankg serve` as a real process on a free loopback port, for tests that need real HTTP
(uvicorn's limits, schemathesis over the wire)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve_process(
    data: Path,
    *args: str,
    env: dict[str, str] | None = None,
    port: int | None = None,
    ready_s: float = 60,
) -> Iterator[tuple[str, subprocess.Popen]]:
    """`plankg serve --data DATA ARGS…` as a user starts it, once `/health` answers: its base
    URL and process. Its output goes to a file, not a pipe: a full pipe would block it."""
    port = port or free_port()
    command = [sys.executable, "-m", "plankg.api.cli", "serve", "--data", str(data)]
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [*command, "--port", str(port), *args],
            stdout=log,
            stderr=log,
            env={**os.environ, "PLANKG_API_KEY": "", **(env or {})},
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + ready_s
            while True:
                if server.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"plankg serve exited: {log.read().decode()[-2000:]}")
                try:
                    if httpx.get(base + "/health", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    if time.time() > deadline:
                        raise
                    time.sleep(0.3)
            yield base, server
        finally:
            server.terminate()
            server.wait(30)


@contextlib.contextmanager
def serve(
    data: Path, *args: str, env: dict[str, str] | None = None, port: int | None = None
) -> Iterator[str]:
    """`serve_process`, for tests that need only the URL."""
    with serve_process(data, *args, env=env, port=port) as (base, _):
        yield base
