"""SHACL validation of a plankg graph with pyshacl: the shapes in `shapes.ttl`, the ontology as
the ontology graph (so subclasses count: a pk:Goal is a pk:Indicator)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import Graph

HERE = Path(__file__).resolve().parent
ONTOLOGY_PATH = HERE / "plankg.ttl"
SHAPES_PATH = HERE / "shapes.ttl"


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool
    text: str
    violations: int


@lru_cache(maxsize=1)
def ontology_graph() -> Graph:
    g = Graph()
    g.parse(ONTOLOGY_PATH, format="turtle")
    return g


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    g = Graph()
    g.parse(SHAPES_PATH, format="turtle")
    return g


def validate(data: Graph) -> ValidationReport:
    """Validate `data` against the shapes; rdfs inference so subclass targets apply."""
    import pyshacl

    conforms, report_graph, text = pyshacl.validate(
        data,
        shacl_graph=shapes_graph(),
        ont_graph=ontology_graph(),
        inference="rdfs",
        abort_on_first=False,
        allow_warnings=True,
    )
    from rdflib.namespace import SH

    violations = len(list(report_graph.subjects(predicate=SH.resultSeverity)))
    return ValidationReport(bool(conforms), text, violations)
