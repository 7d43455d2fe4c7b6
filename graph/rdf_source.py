"""The RDF behind a store, parsed into rdflib only when something needs rdflib.

Answering questions never needs rdflib: the embedded store reads `plankg.nt` itself. Only
`/sparql` needs the whole graph as an rdflib Graph (about 1 KB of memory and a minute per
million triples to build), and a Turtle/JSON-LD answer needs one resource's triples, which a
sorted N-Triples file keeps together, so they are read back from the file by offset.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Mapping
from pathlib import Path

from rdflib import Graph, URIRef

from plankg.ontology.namespaces import bind_prefixes
from plankg.ontology.ntriples import RDF_TYPE, parse_line, read_lines_at

# Above this many triples /sparql refuses: rdflib would need ~1 KB of RAM per triple.
DEFAULT_SPARQL_MAX_TRIPLES = 2_000_000


class GraphTooLarge(RuntimeError):
    """The graph is over the in-process SPARQL limit."""


class RdfSource:
    """Either an rdflib Graph given up front, or a sorted N-Triples file loaded on demand."""

    def __init__(
        self,
        graph: Graph | None = None,
        *,
        path: Path | None = None,
        offsets: Mapping[str, tuple[int, int]] | None = None,
        triples: int | None = None,
    ) -> None:
        if graph is None and path is None:
            raise ValueError("an RdfSource needs a graph or an N-Triples file")
        self._graph = graph
        self.path = path
        self.offsets = offsets or {}
        self.triples = len(graph) if graph is not None else (triples or 0)
        # set by the API from PLANKG_SPARQL_MAX_TRIPLES (api/settings.py)
        self.sparql_max_triples = DEFAULT_SPARQL_MAX_TRIPLES
        self._lock = threading.Lock()

    @classmethod
    def from_file(cls, path: Path, types: Collection[str]) -> RdfSource:
        """A sorted N-Triples file indexed without parsing it: the byte range of every subject
        typed with one of `types`, for `describe`. For stores that keep no offsets of their
        own (Neo4j); the embedded store records them while it loads."""
        type_predicate = f"<{RDF_TYPE}>".encode()
        wanted = {f"<{t}>".encode() for t in types}
        offsets: dict[str, tuple[int, int]] = {}
        count = offset = start = 0
        current, kept = b"", None
        with open(path, "rb") as fh:
            for raw in fh:
                if raw.strip():
                    count += 1
                    subject, predicate, rest = raw.split(b" ", 2)
                    if subject != current:
                        if kept is not None:
                            offsets[kept] = (start, offset - start)
                        current, start, kept = subject, offset, None
                    if predicate == type_predicate and rest.split(b" ", 1)[0] in wanted:
                        parsed = parse_line(raw.decode("utf-8"))
                        kept = parsed[0] if parsed else None
                offset += len(raw)
        if kept is not None:
            offsets[kept] = (start, offset - start)
        return cls(path=path, offsets=offsets, triples=count)

    @property
    def loaded(self) -> bool:
        return self._graph is not None

    def check_size(self) -> None:
        """Raise `GraphTooLarge` when the graph is not parsed yet and over the limit."""
        if self._graph is None and self.triples > self.sparql_max_triples:
            raise GraphTooLarge(
                f"the graph has {self.triples:,} triples, over the in-process SPARQL limit of "
                f"{self.sparql_max_triples:,} (PLANKG_SPARQL_MAX_TRIPLES); load plankg.nt into "
                "a SPARQL server, or use the Neo4j store and /cypher, for a graph this size"
            )

    def graph(self) -> Graph:
        """The whole graph in rdflib (parsed on first use; later callers wait for it)."""
        if self._graph is not None:
            return self._graph
        self.check_size()
        with self._lock:
            if self._graph is None:
                g = Graph()
                bind_prefixes(g)
                g.parse(self.path, format="nt")
                self._graph = g
        return self._graph

    def describe(self, iri: str) -> Graph:
        """The triples whose subject is `iri`, without loading the whole graph."""
        out = Graph()
        bind_prefixes(out)
        if self._graph is not None:
            for triple in self._graph.triples((URIRef(iri), None, None)):
                out.add(triple)
            return out
        where = self.offsets.get(iri)
        if where is not None and self.path is not None:
            out.parse(data="\n".join(read_lines_at(self.path, *where)), format="nt")
        return out
