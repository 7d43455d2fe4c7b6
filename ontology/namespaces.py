"""Namespaces of the plankg vocabulary and data, and the standard vocabularies it reuses.

`PK` is the vocabulary (classes and properties, declared in `plankg.ttl`); `ID` is where data
IRIs live (agencies, plans, tasks…); `UNIT` holds the small local unit vocabulary for Chinese
counting units that QUDT does not have (家, 亩, 口…), each linked to QUDT where one exists.
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD

PK = Namespace("https://w3id.org/plankg/ontology#")
ID = Namespace("https://w3id.org/plankg/id/")
UNIT = Namespace("https://w3id.org/plankg/unit/")
QUDT_UNIT = Namespace("http://qudt.org/vocab/unit/")
SH = Namespace("http://www.w3.org/ns/shacl#")

PREFIXES = {
    "pk": PK,
    "pkid": ID,
    "unit": UNIT,
    "qudt": QUDT_UNIT,
    "org": ORG,
    "skos": SKOS,
    "prov": PROV,
    "dcterms": DCTERMS,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
}


def bind_prefixes(graph) -> None:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)


__all__ = [
    "DCTERMS",
    "ID",
    "ORG",
    "OWL",
    "PK",
    "PREFIXES",
    "PROV",
    "QUDT_UNIT",
    "RDF",
    "RDFS",
    "SKOS",
    "UNIT",
    "XSD",
    "bind_prefixes",
]
