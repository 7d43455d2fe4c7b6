"""`make soak`'s server side: a `plankg serve` process on a free loopback port over a scratch
data folder, its memory and CPU from /proc, and the consistency of its data folder after a
crash (the three serialisations, the upload, temporary files)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
API_KEY = "soak-key-0123456789"
UPLOAD = "002_8aa6bc9b8e9b2c75.txt"  # the plan the scenarios upload; the scratch graph lacks it
GRAPH_FILES = ("plankg.nt", "plankg.ttl", "plankg.jsonld")
TICK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def scratch_data() -> Path:
    """`plankg ingest` of the sample plans but one (`UPLOAD`) into a fresh folder."""
    work = Path(tempfile.mkdtemp(prefix="plankg-soak-"))
    plans = work / "plans"
    plans.mkdir()
    for path in sorted((ROOT / "data" / "plans").iterdir()):
        if not path.name.startswith(UPLOAD):
            shutil.copy(path, plans / path.name)
    data = work / "data"
    subprocess.run(
        [sys.executable, "-m", "plankg.api.cli", "ingest", str(plans), "--out", str(data)],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    return data


@dataclass
class Server:
    """One `plankg serve` process; `start` waits until /health answers."""

    data: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None
    log: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, limit_s: float = 60) -> float:
        started = time.perf_counter()
        self.log = self.data.parent / f"server-{self.port}.log"
        env = {**os.environ, "PLANKG_API_KEY": API_KEY}
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "plankg.api.cli", "serve", "--data", str(self.data),
                 "--host", "127.0.0.1", "--port", str(self.port)],
                stdout=log, stderr=log, env=env, cwd=ROOT,
            )  # fmt: skip
        while time.perf_counter() - started < limit_s:
            if self.proc.poll() is not None:
                raise RuntimeError(f"plankg serve exited with {self.proc.returncode}")
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    return time.perf_counter() - started
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("plankg serve did not come up")

    def kill(self) -> None:
        """kill -9: no clean-up of any kind."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def rss_mb(self) -> float:
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def cpu_s(self) -> float:
        """User + system CPU seconds of the server and its finished children (/proc)."""
        assert self.proc is not None
        fields_ = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return sum(int(x) for x in fields_[11:15]) / TICK

    def threads(self) -> int:
        assert self.proc is not None
        return len(os.listdir(f"/proc/{self.proc.pid}/task"))

    def upload(self, content: bytes, name: str = UPLOAD, timeout: float = 60) -> httpx.Response:
        return httpx.post(
            self.url + "/plans",
            files={"file": (name, content, "text/plain")},
            headers={"X-API-Key": API_KEY},
            timeout=timeout,
        )

    def delete(self, doc: str = UPLOAD) -> httpx.Response:
        return httpx.delete(self.url + f"/plans/{doc}", headers={"X-API-Key": API_KEY}, timeout=60)

    def plans(self) -> list[str]:
        return sorted(p["doc"] for p in httpx.get(self.url + "/plans", timeout=30).json())


def triple_counts(data: Path) -> dict[str, int | str]:
    """Triples in each serialisation (N-Triples by lines; Turtle and JSON-LD parsed)."""
    from rdflib import Graph

    counts: dict[str, int | str] = {}
    for name, fmt in zip(GRAPH_FILES, ("nt", "turtle", "json-ld"), strict=True):
        path = data / name
        if not path.exists():
            counts[name] = "missing"
            continue
        try:
            if fmt == "nt":
                with path.open("rb") as fh:
                    counts[name] = sum(1 for line in fh if line.strip())
            else:
                counts[name] = len(Graph().parse(path, format=fmt))
        except Exception as exc:  # a torn file is a finding, not a crash of the soak
            counts[name] = f"unreadable: {type(exc).__name__}"
    return counts


def file_hashes(data: Path) -> dict[str, str]:
    """SHA-256 of each serialisation (`missing` when absent)."""
    import hashlib

    out = {}
    for name in GRAPH_FILES:
        path = data / name
        out[name] = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "missing"
    return out


def temp_files(data: Path) -> list[str]:
    """Files a crashed write may leave: `.NAME.xxxx` (atomic_write), `*.tmp`, `*.part`."""
    out = []
    for path in data.rglob("*"):
        name = path.name
        if path.is_file() and (
            (name.startswith(".") and name != ".gitkeep")
            or name.endswith((".tmp", ".part"))
            or name.startswith("tmp")
        ):
            out.append(str(path.relative_to(data)))
    return sorted(out)


__all__ = [
    "API_KEY",
    "UPLOAD",
    "Server",
    "file_hashes",
    "scratch_data",
    "temp_files",
    "triple_counts",
]
