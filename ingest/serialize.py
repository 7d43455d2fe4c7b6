"""Write and read the graph files: Turtle, JSON-LD and sorted N-Triples.

Output must be byte-identical for the same input (so re-ingesting changes nothing and diffs
mean something). The canonical form is the sorted list of distinct N-Triples lines; Turtle
and JSON-LD are written from it in that order by our own writers (rdflib's follow hash order
and are slow).
Each file is written to a temporary name and renamed, so a crash never leaves half a file.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from rdflib import Graph

from plankg.ontology.namespaces import bind_prefixes
from plankg.ontology.ntriples import RDF_TYPE, XSD, Lit, Term, collector_paused, iter_blocks

TTL, JSONLD, NT = "plankg.ttl", "plankg.jsonld", "plankg.nt"
_PLAIN_LOCAL = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def atomic_write(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write `data` (bytes, or chunks streamed one by one) to `path` via a temporary file in
    the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            if isinstance(data, bytes):
                fh.write(data)
            else:
                fh.writelines(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes files private; graph files are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def graph_lines(graph: Graph) -> list[bytes]:
    """The graph as sorted, distinct N-Triples lines (UTF-8, newline included)."""
    from rdflib.plugins.serializers.nt import _nt_row

    return sorted({_nt_row(t).encode("utf-8") for t in graph})


def ntriples_bytes(graph: Graph) -> bytes:
    return b"".join(graph_lines(graph))


def format_literal(lit: Lit) -> str:
    """A literal as N-Triples (and Turtle) writes it: the escapes rdflib's writer uses."""
    text = (
        lit.lexical.replace("\\", "\\\\")
        .replace("\n", "\\n")
        .replace('"', '\\"')
        .replace("\r", "\\r")
    )
    if lit.lang:
        return f'"{text}"@{lit.lang}'
    if lit.datatype:
        return f'"{text}"^^<{lit.datatype}>'
    return f'"{text}"'


def _subjects(lines: Iterable[bytes]) -> Iterator[tuple[str, list[tuple[str, Term]]]]:
    """Sorted lines → (subject, [(predicate, object)…]) one subject at a time: a subject's
    lines are adjacent once sorted, so nothing but the current subject is held."""
    for block in iter_blocks(lines):
        yield block.subject, block.triples


def turtle_chunks(lines: Iterable[bytes]) -> Iterator[bytes]:
    """Turtle written straight from sorted N-Triples lines, one block per subject, prefixed
    names where the local part is plain. rdflib's own serialiser is ~20x slower."""
    from plankg.ontology.namespaces import PREFIXES

    prefix_of = {str(ns): p for p, ns in PREFIXES.items()}
    # namespace (longest first) + a plain local name, in one C-level match per IRI
    prefixed = re.compile(
        "("
        + "|".join(re.escape(ns) for ns in sorted(prefix_of, key=len, reverse=True))
        + ")("
        + _PLAIN_LOCAL.pattern
        + ")"
    )

    def term(t: Term) -> str:
        if isinstance(t, Lit):
            return format_literal(t)
        if t.startswith("_:"):
            return t
        m = prefixed.fullmatch(t)
        return f"{prefix_of[m.group(1)]}:{m.group(2)}" if m else f"<{t}>"

    head = [
        f"@prefix {p}: <{ns}> ." for p, ns in sorted((p, str(ns)) for p, ns in PREFIXES.items())
    ]
    yield ("\n".join(head) + "\n").encode("utf-8")
    for subject, triples in _subjects(lines):
        out = ["", term(subject)]
        predicate = None
        for p, o in triples:
            if predicate is None:
                out.append(f"    {term(p)} {term(o)}")
            elif p != predicate:
                out[-1] += " ;"
                out.append(f"    {term(p)} {term(o)}")
            else:
                out[-1] += ","
                out.append(f"        {term(o)}")
            predicate = p
        out[-1] += " ."
        yield ("\n".join(out) + "\n").encode("utf-8")


def turtle_bytes(lines: Iterable[bytes]) -> bytes:
    return b"".join(turtle_chunks(lines))


def _jsonld_node(subject: str, triples: list[tuple[str, Term]]) -> dict:
    node: dict = {"@id": subject}
    for p, o in triples:
        if p == RDF_TYPE and not isinstance(o, Lit):
            node.setdefault("@type", []).append(o)
            continue
        if isinstance(o, Lit):
            value: dict = {"@value": o.lexical}
            if o.lang:
                value["@language"] = o.lang
            elif o.datatype and o.datatype != XSD + "string":
                value["@type"] = o.datatype
        else:
            value = {"@id": o}
        node.setdefault(p, []).append(value)
    return node


def jsonld_chunks(lines: Iterable[bytes]) -> Iterator[bytes]:
    """Flattened, expanded JSON-LD: one node object per subject and per line, in the order
    of the sorted N-Triples lines, streamed node by node (and diff-friendly)."""
    first = True
    for subject, triples in _subjects(lines):
        text = json.dumps(_jsonld_node(subject, triples), ensure_ascii=False, sort_keys=True)
        yield ('{"@graph": [\n' if first else ",\n").encode("utf-8") + text.encode("utf-8")
        first = False
    yield b'{"@graph": []}\n' if first else b"\n]}\n"


def jsonld_bytes(lines: Iterable[bytes]) -> bytes:
    return b"".join(jsonld_chunks(lines))


def write_lines(lines: Iterable[bytes], out_dir: str | Path) -> dict[str, Path]:
    """Write sorted N-Triples lines and the Turtle and JSON-LD made from them into `out_dir`.

    `lines` may be a one-pass stream (a `LineSpool` merge): unless it is a list, the Turtle
    and JSON-LD are made from the written `plankg.nt`, read back line by line.
    """
    out = Path(out_dir)
    paths = {"nt": out / NT, "ttl": out / TTL, "jsonld": out / JSONLD}
    with collector_paused():
        atomic_write(paths["nt"], lines)
        again = lines if isinstance(lines, list) else None
        atomic_write(paths["ttl"], turtle_chunks(again or iter_file_lines(paths["nt"])))
        atomic_write(paths["jsonld"], jsonld_chunks(again or iter_file_lines(paths["nt"])))
    return paths


def iter_file_lines(path: Path) -> Iterator[bytes]:
    """The non-blank lines of an N-Triples file, one at a time, each ending in a newline."""
    with open(path, "rb") as fh:
        for line in fh:
            if line.strip():
                yield line if line.endswith(b"\n") else line + b"\n"


def write_graph(graph: Graph, out_dir: str | Path) -> dict[str, Path]:
    """Write the three serialisations of an rdflib graph into `out_dir`."""
    return write_lines(graph_lines(graph), out_dir)


def load_graph(data_dir: str | Path) -> Graph:
    """Load a written graph (N-Triples if present: the fastest to parse)."""
    data = Path(data_dir)
    g = Graph()
    bind_prefixes(g)
    if (data / NT).exists():
        g.parse(data / NT, format="nt")
    elif (data / TTL).exists():
        g.parse(data / TTL, format="turtle")
    else:
        raise FileNotFoundError(f"no {NT} or {TTL} in {data}: run `plankg ingest` first")
    return g
