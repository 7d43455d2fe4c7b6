"""RDF answers by content negotiation: `Accept: text/turtle` (or JSON-LD, N-Triples) on an
agency or a task returns the resource's own triples instead of JSON."""

from __future__ import annotations

from fastapi.responses import Response

from plankg.graph.rdf_source import RdfSource

RDF_TYPES = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
}
RDF_CONTENT = {mime: {} for mime in RDF_TYPES}


def wants_rdf(accept: str | None) -> str | None:
    for mime in (accept or "").split(","):
        mime = mime.split(";")[0].strip().lower()
        if mime in RDF_TYPES:
            return mime
    return None


def describe(
    rdf: RdfSource, iri: str, mime: str, incoming: tuple[tuple[str, str], ...] = ()
) -> Response:
    """The resource's own triples plus the leads/assists edges pointing at it."""
    from rdflib import URIRef

    from plankg.ontology.namespaces import PK

    g = rdf.describe(iri)
    for agency, role in incoming:
        g.add((URIRef(agency), PK.leads if role == "lead" else PK.assists, URIRef(iri)))
    body = g.serialize(format=RDF_TYPES[mime])
    return Response(body, media_type=mime)
