"""A small pool of SPARQL worker processes: the deadline kills, the memory cap holds, the server
keeps answering.

pyoxigraph cannot cancel a query, and a thread cannot be stopped, so each query runs in a
persistent worker process (`query_worker`) holding a read-only handle on the store. The caller
waits on the worker's pipe up to the deadline; then the worker is SIGKILLed (its CPU and memory
go with it) and a fresh one is started in the background. Workers come from a forkserver, never
a fork of the server (which holds RocksDB and threads), and are reused: no process start per
query, a cheap query costs a pipe round trip.

Writers must call `paused()` around every store write: a read-only RocksDB handle open while
another process writes is undefined behaviour (pyoxigraph's docs), and a read-only handle sees
the store as it was when opened, so workers restart with fresh handles after each write.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from plankg.graph.query_worker import Request, serve

log = logging.getLogger("plankg.sandbox")
_PRELOAD = [
    "plankg.graph.query_worker",
    "plankg.graph.sparql_guard",
    "rdflib.plugins.sparql.parser",
    "rdflib.plugins.sparql.algebra",
    "pyoxigraph",
]


class QueryError(Exception):
    """A query that got no answer; `status` is the HTTP status it maps to."""

    status = 400


class QueryRefused(QueryError):
    """Refused by the guard (not read-only, SERVICE, FROM, not valid SPARQL)."""


class QueryFailed(QueryError):
    """The engine rejected or could not evaluate the query."""


class NotAcceptable(QueryError):
    status = 406


class QueryTimeout(QueryError):
    status = 503


class SandboxUnavailable(QueryError):
    """The worker died (memory cap) or was stopped for a write, or no worker came free."""

    status = 503


@dataclass(frozen=True)
class Answer:
    body: bytes
    media_type: str
    form: str
    rows: int  # solutions or triples in the body
    truncated: bool  # more than `row_limit` were there; the body has the first row_limit


@dataclass
class _Worker:
    process: Any
    conn: Any
    info: dict

    @property
    def pid(self) -> int:
        return self.process.pid


class QuerySandbox:
    """`run` a guarded query in a worker; `paused` around writes; `close` at shutdown."""

    def __init__(
        self,
        store_dir: Path | str,
        *,
        workers: int = 2,
        memory_mb: int = 1024,
        block_network: bool = True,
        start_timeout_s: float = 60.0,
    ) -> None:
        self.store_dir = str(store_dir)
        self.size, self.memory_mb = workers, memory_mb
        self.block_network, self.start_timeout_s = block_network, start_timeout_s
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload(_PRELOAD)
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._busy: set[int] = set()  # pids of workers running a query
        self._all: dict[int, _Worker] = {}
        self._paused = self._closed = False
        self._starting = False  # `start_in_background` has workers still to start
        self._generation = 0
        self._interrupted: set[int] = set()  # pids killed by `paused`, not by their query

    # ------------------------------------------------------------------ lifecycle
    def warm(self) -> QuerySandbox:
        """Start the forkserver now: it imports the workers' modules (`_PRELOAD`, ~1 s) in its
        own process while this one does other start-up work. It holds no store handle."""
        from multiprocessing import forkserver

        forkserver.ensure_running()
        return self

    def start(self) -> QuerySandbox:
        """Start every worker and return when all are ready (tests, benchmarks)."""
        self._check_store()
        workers = [self._spawn() for _ in range(self.size)]
        with self._cond:
            for w in workers:
                self._all[w.pid] = w
                self._idle.append(w)
            self._cond.notify_all()
        return self

    def start_in_background(self) -> QuerySandbox:
        """Start the workers in a thread and return at once (`plankg serve`: the server listens
        meanwhile; each worker opening a large store read-only takes a second or more). A query
        arriving before a worker is ready waits for one within its deadline."""
        self._check_store()
        with self._cond:
            generation = self._generation
            self._starting = True

        def spawn_all() -> None:
            try:
                for _ in range(self.size):
                    if self._closed or self._generation != generation:
                        break  # a pause starts its own workers; a close wants none
                    self._replace(generation)
            finally:
                with self._cond:
                    self._starting = False
                    self._cond.notify_all()

        threading.Thread(target=spawn_all, name="plankg-sparql-start", daemon=True).start()
        return self

    def _check_store(self) -> None:
        if not Path(self.store_dir).is_dir():
            raise FileNotFoundError(f"no RDF store at {self.store_dir}")

    def close(self) -> None:
        with self._cond:
            self._closed = True
            workers = list(self._all.values())
            self._all.clear()
            self._idle.clear()
            self._cond.notify_all()
        for w in workers:
            _stop(w)

    def __enter__(self) -> QuerySandbox:
        return self.start()

    def __exit__(self, *_: Any) -> None:
        self.close()

    @contextlib.contextmanager
    def paused(self, grace_s: float = 5.0) -> Iterator[None]:
        """No query runs inside: in-flight ones get up to `grace_s` to finish, then their workers
        are killed (their callers get 503); every worker is stopped, and fresh ones with new
        read-only handles start on exit. Queries arriving meanwhile wait (within their
        deadline)."""
        with self._cond:
            self._paused = True
            self._generation += 1
            end = time.monotonic() + grace_s
            while self._busy and (left := end - time.monotonic()) > 0:
                self._cond.wait(left)
            workers = list(self._all.values())
            busy = set(self._busy)
            self._interrupted |= busy
            self._all.clear()
            self._idle.clear()
        for w in workers:
            _stop(w, kill=w.pid in busy)
        try:
            yield
        finally:
            fresh = [] if self._closed else [self._spawn() for _ in range(self.size)]
            with self._cond:
                for w in fresh:
                    self._all[w.pid] = w
                    self._idle.append(w)
                self._paused = False
                self._cond.notify_all()

    # ------------------------------------------------------------------ queries
    def run(
        self,
        query: str,
        *,
        result_type: str | None = "application/sparql-results+json",
        graph_type: str | None = "text/turtle",
        timeout_s: float = 10.0,
        row_limit: int = 1000,
    ) -> Answer:
        self._await_start()
        deadline = time.monotonic() + timeout_s
        request = Request(query, result_type, graph_type, row_limit)
        while True:  # a worker that died idle (killed from outside) is replaced, not blamed
            worker = self._sent_to(request, deadline, timeout_s)
            try:
                if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                    self._lose(worker, kill=True)
                    raise QueryTimeout(
                        f"the query ran longer than the {timeout_s:g} s deadline and was "
                        "stopped; narrow it down (add a LIMIT, bind more variables)"
                    )
                reply = worker.conn.recv()
                break
            except ConnectionResetError:
                # the worker closed with the request unread: it died before taking it (its
                # threads were still exiting when it was picked), so another worker takes it
                self._lose(worker, kill=True)
            except (EOFError, OSError) as exc:
                self._lose(worker, kill=True)
                raise SandboxUnavailable(self._death_reason(worker)) from exc
        if reply[0] == "memory":
            self._lose(worker, kill=True)
            raise SandboxUnavailable(reply[1])
        self._release(worker)
        if reply[0] == "ok":
            _, body, meta = reply
            return Answer(body, meta["media_type"], meta["form"], meta["rows"], meta["truncated"])
        error = {"refused": QueryRefused, "not_acceptable": NotAcceptable}.get(
            reply[0], QueryFailed
        )
        raise error(reply[1])

    def _sent_to(self, request: Request, deadline: float, timeout_s: float) -> _Worker:
        """An idle worker that took `request` onto its pipe; dead ones are replaced on the way."""
        while True:
            worker = self._acquire(deadline, timeout_s)
            # an idle worker never writes: something to read means its end closed (it died)
            if worker.process.exitcode is not None or _readable(worker.conn):
                self._lose(worker, kill=True)
                continue
            try:
                worker.conn.send(request)
                return worker
            except OSError:
                self._lose(worker, kill=True)

    def pids(self) -> list[int]:
        with self._cond:
            return sorted(self._all)

    def rss_bytes(self) -> int:
        """Resident memory of the pool's workers now (for tests and the benchmark)."""
        total = 0
        for pid in self.pids():
            with contextlib.suppress(OSError), open(f"/proc/{pid}/statm", encoding="ascii") as fh:
                total += int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        return total

    def worker_info(self) -> list[dict]:
        with self._cond:
            return [dict(w.info) for w in self._all.values()]

    # ------------------------------------------------------------------ plumbing
    def _await_start(self) -> None:
        """A query that comes while `start_in_background` has no worker ready yet waits for the
        first one (up to `start_timeout_s`); its own deadline starts after that: the deadline
        bounds a query's evaluation, not the server's start-up."""
        end = time.monotonic() + self.start_timeout_s
        with self._cond:
            while self._starting and not self._idle and not self._closed:
                left = end - time.monotonic()
                if left <= 0:
                    return
                self._cond.wait(left)

    def _acquire(self, deadline: float, timeout_s: float) -> _Worker:
        with self._cond:
            while self._paused or not self._idle:
                if self._closed:
                    raise SandboxUnavailable("the query service is shut down")
                left = deadline - time.monotonic()
                if left <= 0:
                    why = (
                        "the store is being written"
                        if self._paused
                        else "the query workers are still starting"
                        if self._starting
                        else "every query worker is busy"
                    )
                    raise SandboxUnavailable(
                        f"{why}: no worker came free within the {timeout_s:g} s deadline; "
                        "try again shortly"
                    )
                self._cond.wait(left)
            worker = self._idle.pop()
            self._busy.add(worker.pid)
            return worker

    def _release(self, worker: _Worker) -> None:
        with self._cond:
            self._busy.discard(worker.pid)
            if worker.pid in self._all:
                self._idle.append(worker)
            self._cond.notify_all()

    def _lose(self, worker: _Worker, *, kill: bool) -> None:
        """Take the worker out, kill it and reap it now; start a replacement in the background
        unless a pause or close owns the pool's future."""
        with self._cond:
            self._busy.discard(worker.pid)
            mine = self._all.pop(worker.pid, None) is not None
            generation = self._generation
            self._cond.notify_all()
        _stop(worker, kill=kill)
        if mine and not self._closed:
            threading.Thread(target=self._replace, args=(generation,), daemon=True).start()

    def _replace(self, generation: int) -> None:
        try:
            worker = self._spawn()
        except Exception:
            log.exception("could not start a replacement SPARQL worker")
            return
        with self._cond:
            if self._closed or self._generation != generation:
                stale = True
            else:
                stale = False
                self._all[worker.pid] = worker
                self._idle.append(worker)
                self._cond.notify_all()
        if stale:
            _stop(worker)

    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(
            target=serve,
            args=(child, self.store_dir, self.memory_mb, self.block_network),
            name="plankg-sparql",
            daemon=True,
        )
        process.start()
        child.close()
        if not parent.poll(self.start_timeout_s):
            process.kill()
            process.join()
            raise RuntimeError(f"a SPARQL worker did not start within {self.start_timeout_s} s")
        try:
            kind, info = parent.recv()
        except EOFError as exc:
            process.join()
            raise RuntimeError(
                f"a SPARQL worker could not open {self.store_dir} (exit code {process.exitcode})"
            ) from exc
        assert kind == "ready"
        return _Worker(process, parent, info)

    def _death_reason(self, worker: _Worker) -> str:
        with self._cond:
            if worker.pid in self._interrupted:
                self._interrupted.discard(worker.pid)
                return "the query was stopped because the store is being written; try again"
        code = worker.process.exitcode
        if code in (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGKILL) or code is None:
            return (
                f"the query worker stopped (exit {code}): the query most likely needed more than "
                f"the {self.memory_mb} MB memory cap; narrow it down"
            )
        return f"the query worker stopped (exit code {code}); try again"


def _readable(conn: Any) -> bool:
    try:
        return conn.poll(0)
    except (OSError, EOFError):
        return True


def _stop(worker: _Worker, *, kill: bool = False) -> None:
    """Stop and reap one worker: a polite request, SIGKILL when asked or when it lingers."""
    if not kill:
        with contextlib.suppress(OSError, ValueError):
            worker.conn.send(None)
        worker.process.join(2)
    if worker.process.is_alive():
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker.pid, signal.SIGKILL)
    worker.process.join()
    with contextlib.suppress(OSError):
        worker.conn.close()
