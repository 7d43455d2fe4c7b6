"""RDF answers by content negotiation: `Accept: text/turtle` (or JSON-LD, N-Triples) on an
agency or a task returns the resource's own triples instead of JSON."""

from __future__ import annotations

from fastapi.responses import Response

from plankg.graph.rdf_store import RdfStore, serialize

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
    rdf: RdfStore, iri: str, mime: str, incoming: tuple[tuple[str, str], ...] = ()
) -> Response:
    """The resource's own triples plus the leads/assists edges pointing at it."""
    import pyoxigraph as ox

    from plankg.ontology.namespaces import PK

    triples = rdf.describe(iri)
    for agency, role in incoming:
        predicate = PK.leads if role == "lead" else PK.assists
        triples.append(ox.Triple(ox.NamedNode(agency), ox.NamedNode(predicate), ox.NamedNode(iri)))
    return Response(serialize(triples, mime), media_type=mime)
