"""Write and read the graph files: Turtle, JSON-LD and sorted N-Triples.

Output must be byte-identical for the same input (so re-ingesting changes nothing and diffs
mean something). rdflib's serialisers follow the store's iteration order, so each file is
written from a fresh graph filled in sorted triple order; N-Triples lines are sorted outright.
Each file is written to a temporary name and renamed, so a crash never leaves half a file.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

from rdflib import Graph

from plankg.ontology.namespaces import bind_prefixes

TTL, JSONLD, NT = "plankg.ttl", "plankg.jsonld", "plankg.nt"
_PLAIN_LOCAL = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` via a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def ntriples_bytes(graph: Graph) -> bytes:
    lines = graph.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()
    return ("\n".join(sorted(line for line in lines if line.strip())) + "\n").encode("utf-8")


def _sorted_triples(graph: Graph) -> list:
    return sorted(graph, key=lambda t: (t[0].n3(), t[1].n3(), t[2].n3()))


def turtle_bytes(graph: Graph, triples: list | None = None) -> bytes:
    """Turtle written directly from sorted triples: one block per subject, prefixed names
    where the local part is plain. rdflib's own serialiser is ~20x slower on large graphs."""
    from rdflib import URIRef

    from plankg.ontology.namespaces import PREFIXES

    prefixes = sorted(((str(ns), p) for p, ns in PREFIXES.items()), key=lambda x: -len(x[0]))

    def term(t) -> str:
        if isinstance(t, URIRef):
            value = str(t)
            for ns, prefix in prefixes:
                if value.startswith(ns):
                    local = value[len(ns) :]
                    if local and _PLAIN_LOCAL.fullmatch(local):
                        return f"{prefix}:{local}"
        return t.n3()

    lines = [
        f"@prefix {p}: <{ns}> ." for p, ns in sorted((p, str(ns)) for p, ns in PREFIXES.items())
    ]
    lines.append("")
    subject = predicate = None
    for s, p, o in triples if triples is not None else _sorted_triples(graph):
        if s != subject:
            if subject is not None:
                lines[-1] += " ."
                lines.append("")
            lines.append(f"{term(s)}")
            lines.append(f"    {term(p)} {term(o)}")
            subject, predicate = s, p
        elif p != predicate:
            lines[-1] += " ;"
            lines.append(f"    {term(p)} {term(o)}")
            predicate = p
        else:
            lines[-1] += ","
            lines.append(f"        {term(o)}")
    if subject is not None:
        lines[-1] += " ."
    return ("\n".join(lines) + "\n").encode("utf-8")


def jsonld_bytes(graph: Graph, triples: list | None = None) -> bytes:
    """Flattened, expanded JSON-LD (one node object per subject), sorted and deterministic."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import RDF, XSD

    nodes: dict[str, dict] = {}
    for s, p, o in triples if triples is not None else _sorted_triples(graph):
        node = nodes.setdefault(str(s), {"@id": str(s)})
        if p == RDF.type and isinstance(o, URIRef):
            node.setdefault("@type", []).append(str(o))
            continue
        if isinstance(o, Literal):
            value: dict = {"@value": str(o)}
            if o.language:
                value["@language"] = o.language
            elif o.datatype and o.datatype != XSD.string:
                value["@type"] = str(o.datatype)
        else:
            value = {"@id": str(o)}
        node.setdefault(str(p), []).append(value)
    doc = {"@graph": [nodes[k] for k in sorted(nodes)]}
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")


def write_graph(graph: Graph, out_dir: str | Path) -> dict[str, Path]:
    """Write the three serialisations into `out_dir`; return their paths by format."""
    out = Path(out_dir)
    triples = _sorted_triples(graph)
    paths = {"nt": out / NT, "ttl": out / TTL, "jsonld": out / JSONLD}
    atomic_write(paths["nt"], ntriples_bytes(graph))
    atomic_write(paths["ttl"], turtle_bytes(graph, triples))
    atomic_write(paths["jsonld"], jsonld_bytes(graph, triples))
    return paths


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
