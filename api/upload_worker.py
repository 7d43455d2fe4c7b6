"""Extract uploaded plans in one reused worker process, never in the server's.

Extraction is pure CPU (a large .docx took minutes) and the server's event loop and its
threads share one interpreter lock, so an upload extracted in-process froze every request.
In a separate process it cannot: the server only waits on a pipe. The process is started
once (spawn: the server has threads, so forking it is unsafe) and reused, because starting
one and loading the agency directory costs about a second per upload. Each upload runs under
an address-space cap and a deadline; a worker that exceeds either is killed and a fresh one
starts with the next upload, so one hostile file costs its own request and nothing else.
The worker also builds the plan's N-Triples: the server receives bytes ready for the store.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from plankg.api.plan_errors import UploadRejected, UploadTooLarge

log = logging.getLogger("plankg.upload")

DEFAULT_TIMEOUT_S = 120.0
DEFAULT_MEMORY_MB = 2048


@dataclass(frozen=True)
class ExtractedUpload:
    """What the worker sends back: the plan's identity, counts and its sorted N-Triples."""

    doc: str
    sha256: str
    title: str
    tasks: int
    ntriples: bytes  # sorted, distinct N-Triples lines of this plan alone
    warnings: list[str] = field(default_factory=list)


def extract_upload(name: str, content: bytes) -> ExtractedUpload:
    """Read `content` as the plan file `name` and build its triples (runs in the worker; also
    callable in-process, e.g. by tests)."""
    from plankg.ingest.extract import extract_plan
    from plankg.ingest.rdf import plan_lines
    from plankg.ingest.reading import PlanReadError

    with tempfile.TemporaryDirectory(prefix="plankg-upload-") as tmp:
        path = Path(tmp) / name
        try:
            path.write_bytes(content)
        except OSError as exc:  # e.g. a name too long for the file system
            raise UploadRejected(
                f"{name}: cannot be stored under that name ({exc.strerror})"
            ) from None
        try:
            plan = extract_plan(path, directory=_directory())
        except PlanReadError as exc:
            raise _rejection(exc, str(exc).replace(tmp + os.sep, "")) from None
    if not plan.tasks:
        raise UploadRejected(f"{name}: no responsibility clauses found; nothing was added")
    return ExtractedUpload(
        doc=plan.doc,
        sha256=plan.sha256,
        title=plan.title,
        tasks=len(plan.tasks),
        ntriples="".join(plan_lines(plan)).encode("utf-8"),
        warnings=[str(w) for w in plan.warnings],
    )


def _rejection(exc: Exception, message: str) -> UploadRejected:
    """A size limit of the reader (any error class named …TooLarge) is a 413, the rest 422."""
    too_large = any(c.__name__.endswith("TooLarge") for c in type(exc).__mro__)
    return (UploadTooLarge if too_large else UploadRejected)(message)


_DIRECTORY: Any = None


def _directory() -> Any:
    """The agency directory, loaded once per worker (it is the slow part of a first upload)."""
    global _DIRECTORY
    if _DIRECTORY is None:
        from plankg.ingest.agencies import AgencyDirectory

        _DIRECTORY = AgencyDirectory.load()
    return _DIRECTORY


def _die_with_parent(parent: int) -> None:
    """Exit within half a second of the server's death (kill -9 included), so a killed server
    never leaves an extraction burning a core. (A watchdog thread, not PR_SET_PDEATHSIG: that
    fires when the *thread* that started the worker ends, and the server's threads come and
    go.)"""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="plankg-upload-watchdog", daemon=True).start()


def _warm_up() -> None:
    """Load the directory and the extraction's lazy tables before the first upload arrives
    (the first extraction in a fresh process costs ~0.5 s more than the next ones)."""
    from plankg.ingest.extract import extract_text

    extract_text(
        "一、重点任务\n1.建设园区。（县发改局牵头，县财政局配合）\n",
        "warm-up.txt",
        directory=_directory(),
    )


def _serve(conn: Connection, memory_mb: int | None, parent: int) -> None:
    """The worker's loop: one (name, content) in, one ("ok", result) or error out."""
    _die_with_parent(parent)
    if memory_mb:
        import resource

        cap = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    _warm_up()
    conn.send(("ready", None))
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return  # the server went away
        if request is None:
            return
        name, content = request
        try:
            conn.send(("ok", extract_upload(name, content)))
        except UploadRejected as exc:
            conn.send((type(exc).__name__, str(exc)))
        except MemoryError:
            conn.send(("UploadTooLarge", f"{name}: needs more than {memory_mb} MB to extract"))
        except Exception as exc:  # a reader bug must not kill the worker silently
            conn.send(("UploadRejected", f"{name}: cannot be read ({type(exc).__name__}: {exc})"))


class UploadWorker:
    """One extraction process, started on first use, reused, replaced when it fails."""

    def __init__(self, *, timeout_s: float | None = None, memory_mb: int | None = None) -> None:
        from plankg.api.settings import get_settings

        settings = get_settings()
        self.timeout_s = timeout_s or settings.upload_timeout_s
        self.memory_mb = memory_mb or settings.upload_memory_mb
        self._ctx = multiprocessing.get_context("spawn")
        self._proc: Any = None
        self._conn: Connection | None = None
        self._lock = threading.Lock()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None and self._proc.is_alive() else None

    def start(self) -> None:
        """Start the worker now (otherwise the first upload does), waiting until it is ready."""
        with self._lock:
            self._ensure()

    def warm(self) -> None:
        """Start the worker in the background: serving begins at once, and the first upload
        waits for the start only if it comes sooner (~1 s)."""

        def start() -> None:
            try:
                self.start()
            except Exception:  # the next upload tries again and reports it
                log.exception("the upload worker did not start")

        threading.Thread(target=start, name="plankg-upload-start", daemon=True).start()

    def _ensure(self) -> Connection:
        if self._proc is not None and self._proc.is_alive() and self._conn is not None:
            return self._conn
        self._stop()
        parent, child = self._ctx.Pipe()
        args = (child, self.memory_mb, os.getpid())
        proc = self._ctx.Process(target=_serve, args=args, name="plankg-upload", daemon=True)
        proc.start()
        child.close()
        self._proc, self._conn = proc, parent
        try:
            started = parent.poll(60) and parent.recv()[0] == "ready"
        except (EOFError, OSError):
            started = False
        if not started:
            self._stop()
            raise RuntimeError("the upload worker did not start (see the server's log)")
        return parent

    def extract(self, name: str, content: bytes) -> ExtractedUpload:
        """Extract one upload in the worker; UploadRejected/UploadTooLarge on bad input."""
        with self._lock:
            conn = self._ensure()
            conn.send((name, content))
            try:
                ready = conn.poll(self.timeout_s)
                reply = conn.recv() if ready else None
            except (EOFError, OSError):
                self._stop()
                raise UploadTooLarge(
                    f"{name}: the extraction stopped (memory cap {self.memory_mb} MB?); "
                    "nothing was added"
                ) from None
            if reply is None:
                self._stop()
                raise UploadTooLarge(
                    f"{name}: extraction took longer than {self.timeout_s:g} s; nothing was added"
                )
        kind, value = reply
        if kind == "ok":
            return value
        raise (UploadTooLarge if kind == "UploadTooLarge" else UploadRejected)(value)

    def _stop(self) -> None:
        proc, conn = self._proc, self._conn
        self._proc = self._conn = None
        if conn is not None:
            conn.close()
        if proc is not None:
            if proc.is_alive():
                proc.kill()
            proc.join(5)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._proc is not None and self._proc.is_alive():
                try:
                    self._conn.send(None)
                    self._proc.join(2)
                except OSError:
                    pass
            self._stop()
