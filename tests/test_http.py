"""HTTP hygiene of a real `plankg serve` on loopback (uvicorn, not the test client): a port in
use is an error before "Serving …"; over the connection cap the answer is 503 at once; a
header block over the cap is a 431; a connection that sends no complete request head is
closed at the deadline; CR/LF smuggled into a filter is a 422 over the wire."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx
import pytest
from conftest import PLANS_DIR
from server_support import free_port, serve

SERVE = [sys.executable, "-m", "plankg.api.cli", "serve"]
LIMITS = {
    "PLANKG_LIMIT_CONCURRENCY": "4",
    "PLANKG_MAX_HEADER_KIB": "8",
    "PLANKG_HEADER_TIMEOUT_S": "1.5",
}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    from plankg.ingest.pipeline import ingest

    out = tmp_path_factory.mktemp("build")
    ingest([PLANS_DIR], out)
    return out


@pytest.fixture(scope="module")
def server(data_dir):
    with serve(data_dir, env=LIMITS) as base:
        yield base


def _port(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


def _raw(port: int, request: bytes, timeout: float = 5.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(request)
        chunks = []
        while True:
            try:
                chunk = s.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def test_a_port_in_use_is_an_error_before_serving_is_printed(data_dir):
    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen(1)
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "plankg.api.cli",
                "serve",
                "--data",
                str(data_dir),
                "--port",
                str(port),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 2
    assert "Serving" not in done.stdout + done.stderr and "服务地址" not in done.stdout
    assert done.stderr.startswith(f"错误：无法监听 127.0.0.1:{port}")
    assert "port in use" in done.stderr


def test_over_the_connection_cap_the_answer_is_503_at_once(server):
    port = _port(server)
    idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(4)]
    try:
        time.sleep(0.2)
        started = time.perf_counter()
        r = httpx.get(server + "/health", timeout=5)
        took = time.perf_counter() - started
        assert r.status_code == 503 and took < 1.0
    finally:
        for s in idle:
            s.close()
    deadline = time.time() + 5
    while httpx.get(server + "/health", timeout=5).status_code != 200:
        assert time.time() < deadline, "the server did not recover after the idle connections"
        time.sleep(0.1)


def test_a_header_block_over_the_cap_is_431(server):
    port = _port(server)
    big = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20_000 + b"\r\n\r\n"
    answer = _raw(port, big)
    assert answer.startswith(b"HTTP/1.1 431 ")
    assert b'"code": "header_too_large"' in answer and b"8 KiB" in answer
    ok = _raw(port, b"GET /health HTTP/1.1\r\nHost: x\r\nX-Small: " + b"a" * 4000 + b"\r\n\r\n")
    assert ok.startswith(b"HTTP/1.1 200 ")


def test_a_connection_that_never_finishes_its_headers_is_closed(server):
    port = _port(server)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")  # and nothing more
        started = time.perf_counter()
        assert s.recv(100) == b""  # closed by the server
        assert 1.0 < time.perf_counter() - started < 5.0


def test_crlf_in_an_export_filter_is_a_422_over_the_wire(server):
    r = httpx.get(server + "/export/ledger", params={"jurisdiction": "平江县\r\nX-Injected: 1"})
    assert r.status_code == 422 and "x-injected" not in r.headers
    assert r.json()["error"]["code"] == "invalid_request"
    r = httpx.get(server + "/export/ledger", params={"jurisdiction": "平江县"})
    assert r.status_code == 200
    assert "%E5%B9%B3%E6%B1%9F%E5%8E%BF" in r.headers["content-disposition"]  # 平江县
