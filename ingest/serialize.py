"""Write and read the graph files: Turtle, JSON-LD and sorted N-Triples.

Output must be byte-identical for the same input (so re-ingesting changes nothing and diffs
mean something). rdflib's serialisers follow the store's iteration order, so each file is
written from a fresh graph filled in sorted triple order; N-Triples lines are sorted outright.
Each file is written to a temporary name and renamed, so a crash never leaves half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from rdflib import Graph

from plankg.ontology.namespaces import bind_prefixes

TTL, JSONLD, NT = "plankg.ttl", "plankg.jsonld", "plankg.nt"


def _sorted_copy(graph: Graph) -> Graph:
    g = Graph()
    bind_prefixes(g)
    for triple in sorted(graph, key=lambda t: (t[0].n3(), t[1].n3(), t[2].n3())):
        g.add(triple)
    return g


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


def write_graph(graph: Graph, out_dir: str | Path) -> dict[str, Path]:
    """Write the three serialisations into `out_dir`; return their paths by format."""
    out = Path(out_dir)
    ordered = _sorted_copy(graph)
    paths = {"nt": out / NT, "ttl": out / TTL, "jsonld": out / JSONLD}
    atomic_write(paths["nt"], ntriples_bytes(graph))
    atomic_write(paths["ttl"], ordered.serialize(format="turtle", encoding="utf-8"))
    jsonld = _canonical(json.loads(ordered.serialize(format="json-ld", auto_compact=True)))
    atomic_write(
        paths["jsonld"],
        json.dumps(jsonld, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8"),
    )
    return paths


def _canonical(value):
    """JSON-LD with every array sorted: rdflib's node order depends on hashing."""
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_canonical(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
    return value


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
