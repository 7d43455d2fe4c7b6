"""A real `plankg serve` subprocess on loopback over a scratch data folder, for the tests that
kill it, time it or measure its memory."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

KEY = "crash-test-key"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`plankg serve --data DATA` with an API key; its output goes to DATA/../serve-N.log."""

    def __init__(self, data: Path, log_dir: Path, **env: str) -> None:
        self.data, self.log_dir = data, log_dir
        self.env = {**os.environ, "PLANKG_API_KEY": KEY, **env}
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90) -> float:
        """Start and wait until /health answers; returns the seconds it took."""
        self.port = free_port()
        self.starts += 1
        self.log = self.log_dir / f"serve-{self.starts}.log"
        cmd = [sys.executable, "-m", "plankg.api.cli", "serve"]
        cmd += ["--data", str(self.data), "--port", str(self.port)]
        t0 = time.perf_counter()
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(cmd, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        while time.perf_counter() - t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"plankg serve exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    return time.perf_counter() - t0
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"plankg serve not ready after {timeout} s")

    def kill(self) -> list[int]:
        """SIGKILL the server alone; returns the pids of its children at that moment (the
        upload worker, which must die with it)."""
        if self.proc is None:
            return []
        children = _children(self.proc.pid)
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.proc = None
        return children

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.kill()
        self.proc = None

    def rss_mb(self) -> float:
        """Resident memory of the server and its lasting children (the upload worker), in MB.
        The derived-files child is left out: it lives for one rewrite after a write and its
        memory goes with it (counting it made the figure depend on when it was taken)."""
        assert self.proc is not None
        pids = [p for p in _children(self.proc.pid) if not _transient(p)]
        return sum(_rss_kb(pid) for pid in [self.proc.pid, *pids]) / 1024


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return out  # already gone
    for task in tasks:
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return out + [g for c in out for g in _children(c)]


def _transient(pid: int) -> bool:
    """A derived-files child (`graph/derived_writer.py`), or a process already gone."""
    try:
        return b"plankg.graph.derived_writer" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
