"""The inside of a SPARQL sandbox worker: one process with a read-only pyoxigraph handle, a memory
cap and no network, answering guarded queries sent over a pipe until told to stop.

Why a process: pyoxigraph cannot cancel a running query, so the only deadline that really stops
one is killing the process that runs it (`query_sandbox` does that). Everything the worker does
per query — the guard, evaluation, serialisation — runs here, under the deadline and the cap.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import itertools
import json
import os
import resource
import signal
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# the media types a worker can answer with, by the form of the query
RESULT_FORMATS = {
    "application/sparql-results+json": "JSON",
    "text/csv": "CSV",
    "text/tab-separated-values": "TSV",
    "application/sparql-results+xml": "XML",
}
GRAPH_FORMATS = {
    "text/turtle": "TURTLE",
    "application/ld+json": "JSON_LD",
    "application/n-triples": "N_TRIPLES",
}
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
NICENESS = 10  # workers yield the CPU to the API process (and its /health) when both want it


@dataclass(frozen=True)
class Request:
    query: str
    result_type: str | None  # the media type for SELECT / ASK, None: none acceptable
    graph_type: str | None  # the media type for CONSTRUCT / DESCRIBE
    row_limit: int


def serve(conn: Any, store_dir: str, memory_mb: int, block_network: bool) -> None:
    """Worker main: cap, open, report ready, then answer one request at a time."""
    _die_with_parent()
    os.nice(NICENESS)  # a costly query must not take the CPU from the server's event loop
    if memory_mb:
        cap = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))
    import pyoxigraph

    def open_store() -> Any:
        return pyoxigraph.Store.read_only(store_dir)

    store = open_store()
    blocked = _block_network() if block_network else False
    try:
        conn.send(("ready", {"pid": os.getpid(), "network_blocked": blocked, **_memory()}))
        while True:
            try:
                request = conn.recv()
            except (EOFError, OSError):
                return  # the pool went away
            if request is None:
                return
            try:
                store, reply = answer_reopening(store, open_store, request)
                conn.send(reply)
            except MemoryError:
                conn.send(("memory", f"the query needed more than the {memory_mb} MB memory cap"))
                return  # a fresh worker is cheaper than trusting this heap
    except (BrokenPipeError, ConnectionResetError):
        return  # the server stopped (or gave up on this query) before reading the reply


def answer_reopening(store: Any, open_store: Callable[[], Any], request: Request) -> tuple:
    """(store, reply): the answer, asked once more of a fresh read-only handle when this one
    is stale. A read-only RocksDB handle opened beside the server's writer reads its file
    list at open; a compaction after a write can delete a file it has not opened yet."""
    reply = answer(store, request)
    if reply[0] != "stale":
        return store, reply
    store = open_store()
    reply = answer(store, request)
    return store, (("failed", reply[1]) if reply[0] == "stale" else reply)


def _stale(exc: BaseException) -> bool:
    text = str(exc)
    return "No such file or directory" in text and ("IO error" in text or "Corruption" in text)


def answer(store: Any, request: Request) -> tuple:
    """('ok', body, meta) or (kind, message) with kind refused / failed / not_acceptable / stale."""
    from plankg.graph.rdf_store import plan_graphs
    from plankg.graph.sparql_guard import RefusedQuery, guard

    try:
        query = guard(request.query)
    except RefusedQuery as exc:
        return ("refused", str(exc))
    media_type = request.graph_type if query.returns_graph else request.result_type
    if media_type is None:
        offered = GRAPH_FORMATS if query.returns_graph else RESULT_FORMATS
        return ("not_acceptable", f"a {query.form} query answers as {', '.join(offered)}")
    try:
        # the default graph: every plan's triples, each once; GRAPH sees the plan graphs only
        result = store.query(query.text, named_graphs=plan_graphs(store))
        if query.form == "SELECT":
            body, rows, truncated = _solutions(result, media_type, request.row_limit)
        elif query.form == "ASK":
            body, rows, truncated = _boolean(result, media_type), 1, False
        else:
            body, rows, truncated = _triples(result, media_type, request.row_limit)
    except (SyntaxError, ValueError, OSError, RuntimeError) as exc:
        return ("stale" if _stale(exc) else "failed", f"query failed: {exc}")
    meta = {"media_type": media_type, "form": query.form, "rows": rows, "truncated": truncated}
    return ("ok", body, meta)


def _solutions(result: Any, media_type: str, limit: int) -> tuple[bytes, int, bool]:
    """The first `limit` rows, serialised by pyoxigraph: they are read lazily (a LIMIT-less query
    stops being evaluated after limit + 1 rows), written as SPARQL JSON and, for another format,
    parsed back and re-serialised by pyoxigraph."""
    import pyoxigraph

    names = [v.value for v in result.variables]
    rows = list(itertools.islice(result, limit + 1))
    truncated = len(rows) > limit
    rows = rows[:limit]
    bindings = [{name: _term(row[name]) for name in names if row[name] is not None} for row in rows]
    doc = json.dumps(
        {"head": {"vars": names}, "results": {"bindings": bindings}}, ensure_ascii=False
    ).encode("utf-8")
    fmt = getattr(pyoxigraph.QueryResultsFormat, RESULT_FORMATS[media_type])
    parsed = pyoxigraph.parse_query_results(doc, pyoxigraph.QueryResultsFormat.JSON)
    return parsed.serialize(format=fmt), len(rows), truncated


def _boolean(result: Any, media_type: str) -> bytes:
    import pyoxigraph

    return result.serialize(
        format=getattr(pyoxigraph.QueryResultsFormat, RESULT_FORMATS[media_type])
    )


def _triples(result: Any, media_type: str, limit: int) -> tuple[bytes, int, bool]:
    import pyoxigraph

    from plankg.ontology.namespaces import PREFIXES

    triples = list(itertools.islice(result, limit + 1))
    truncated = len(triples) > limit
    triples = triples[:limit]
    fmt = getattr(pyoxigraph.RdfFormat, GRAPH_FORMATS[media_type])
    prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
    body = pyoxigraph.serialize(triples, format=fmt, prefixes=prefixes)
    return body, len(triples), truncated


def _term(term: Any) -> dict[str, Any]:
    """A pyoxigraph term as a SPARQL 1.1 JSON results binding (RDF 1.2 triple terms included)."""
    import pyoxigraph

    if isinstance(term, pyoxigraph.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, pyoxigraph.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, pyoxigraph.Triple):
        parts = ("subject", "predicate", "object")
        return {"type": "triple", "value": {p: _term(getattr(term, p)) for p in parts}}
    out: dict[str, Any] = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
        direction = getattr(term, "direction", None)
        if direction is not None:
            out["its:dir"] = str(direction.value if hasattr(direction, "value") else direction)
    elif term.datatype.value != _XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def _memory() -> dict[str, int]:
    """VmRSS / VmData of this process in kB (what the store handle costs, for the report)."""
    out = {}
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmData"):
                out[key.lower() + "_kb"] = int(value.split()[0])
    return out


def _die_with_parent() -> None:
    """SIGKILL this worker when its parent (the forkserver, which exits with the server) dies:
    a query must not outlive a server killed with -9."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    pr_set_pdeathsig = 1
    libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)


def _block_network() -> bool:
    """Forbid new sockets from here on (seccomp: socket() and connect() fail with EPERM), so a
    SERVICE that got past the guard cannot reach anything: pyoxigraph does execute SERVICE.
    The pipe to the pool exists already. False when libseccomp is not installed."""
    name = ctypes.util.find_library("seccomp")
    if not name:
        return False
    lib = ctypes.CDLL(name)
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_rule_add.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint]
    lib.seccomp_load.argtypes = [ctypes.c_void_p]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    scmp_act_allow, scmp_act_errno_eperm = 0x7FFF0000, 0x00050000 | 1
    ctx = lib.seccomp_init(scmp_act_allow)
    if not ctx:
        return False
    try:
        for syscall in (b"socket", b"socketpair", b"connect"):
            number = lib.seccomp_syscall_resolve_name(syscall)
            if number < 0 or lib.seccomp_rule_add(ctx, scmp_act_errno_eperm, number, 0) != 0:
                return False
        return lib.seccomp_load(ctx) == 0
    finally:
        lib.seccomp_release(ctx)
