"""What the SPARQL tests share: a pyoxigraph store built from the sample plans (as `plankg ingest`
will build it: one named graph per plan), a real `plankg serve` on loopback, a listener that
records every connection, and the costly queries of issue 17."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

from server_support import serve_process

# the costly queries: a regex with nested quantifiers over every pair of literals (CPU,
# flat memory), and an ORDER BY over a cross join (memory grows until the cap)
REGEX_BURN = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . FILTER(isLiteral(?c) && "
    'REGEX(CONCAT(STR(?c), STR(?f)), "^(a+)+(b|c|d)*$")) }'
)
SORT_BLOWUP = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"


def build_store(nt: Path, store_dir: Path) -> Path:
    """plankg.nt bulk-loaded into a pyoxigraph store, one named graph per plan document (the
    subject's plan is not needed here: two graphs are enough to prove the union default)."""
    import pyoxigraph

    lines = nt.read_text(encoding="utf-8").splitlines(keepends=True)
    half = len(lines) // 2
    store = pyoxigraph.Store(str(store_dir))
    for i, part in enumerate((lines[:half], lines[half:])):
        store.bulk_load(
            "".join(part).encode("utf-8"),
            format=pyoxigraph.RdfFormat.N_TRIPLES,
            to_graph=pyoxigraph.NamedNode(f"urn:plankg:test-graph:{i}"),
        )
    store.flush()
    del store  # the workers open it read-only: no writer may remain
    return store_dir


@contextlib.contextmanager
def serve(data_dir: Path, **env: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """`plankg serve --data DATA_DIR` on a free loopback port, as a user starts it."""
    with serve_process(data_dir, env=env, ready_s=90) as served:
        yield served


class Listener:
    """A TCP server on loopback that records every connection made to it (the SSRF target)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.connections: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(1)
                try:
                    self.connections.append(conn.recv(4096))
                except OSError:
                    self.connections.append(b"")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


def children(pid: int) -> list[int]:
    """Direct child pids of `pid` (from /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry.name))
    return out


def cpu_seconds(pid: int) -> float:
    """utime + stime of a live process, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def alive(pid: int) -> bool:
    """Running and not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
