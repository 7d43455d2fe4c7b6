"""Deterministic, readable IRIs for everything in the graph.

The same agency in the same jurisdiction gets the same IRI in every plan and every run, and
the same name in another jurisdiction a different one, because the IRI is built from
(jurisdiction, canonical name) and nothing else. IRIs keep Chinese characters (they are IRIs,
RFC 3987); only characters illegal in an IRI are percent-encoded.
"""

from __future__ import annotations

import re
from pathlib import PurePath
from urllib.parse import quote

from rdflib import URIRef

from plankg.ontology.namespaces import ID, UNIT

_ILLEGAL = re.compile(r'[\x00-\x20<>"{}|\\^`%/?#\[\]]')
_TASK_ID = re.compile(r"^(?P<stem>.+)-t(?P<ordinal>\d+)$")


def segment(text: str) -> str:
    """One path segment: illegal characters (and `/`) percent-encoded, the rest kept."""
    return _ILLEGAL.sub(lambda m: quote(m.group(0), safe=""), text)


def doc_stem(doc: str) -> str:
    return PurePath(doc).stem


def jurisdiction_iri(name: str) -> URIRef:
    return ID[f"jurisdiction/{segment(name)}"]


def agency_iri(jurisdiction: str, canonical: str) -> URIRef:
    return ID[f"agency/{segment(jurisdiction)}/{segment(canonical)}"]


def plan_iri(doc: str) -> URIRef:
    return ID[f"plan/{segment(doc_stem(doc))}"]


def section_iri(doc: str, index: int) -> URIRef:
    return URIRef(f"{plan_iri(doc)}/section/{index}")


def task_id(doc: str, ordinal: int) -> str:
    """The URL-safe id the API uses for a task: `<doc stem>-t<ordinal>`."""
    return f"{doc_stem(doc)}-t{ordinal:03d}"


def parse_task_id(value: str) -> tuple[str, int] | None:
    """(doc stem, ordinal) from a task id, or None if it is not one."""
    m = _TASK_ID.match(value)
    return (m.group("stem"), int(m.group("ordinal"))) if m else None


def task_iri(doc: str, ordinal: int) -> URIRef:
    return ID[f"task/{segment(task_id(doc, ordinal))}"]


def task_iri_from_id(value: str) -> URIRef:
    return ID[f"task/{segment(value)}"]


def assignment_iri(task: URIRef, role: str, n: int) -> URIRef:
    return URIRef(f"{task}/{role}/{n}")


def indicator_iri(task: URIRef, n: int) -> URIRef:
    return URIRef(f"{task}/indicator/{n}")


def goal_iri(doc: str, n: int) -> URIRef:
    return URIRef(f"{plan_iri(doc)}/goal/{n}")


def project_iri(jurisdiction: str, name: str) -> URIRef:
    return ID[f"project/{segment(jurisdiction)}/{segment(name)}"]


def park_iri(jurisdiction: str, name: str) -> URIRef:
    return ID[f"park/{segment(jurisdiction)}/{segment(name)}"]


def location_iri(project: URIRef, park: URIRef) -> URIRef:
    return URIRef(f"{project}/located-in/{str(park).rsplit('/', 1)[-1]}")


def working_group_iri(doc: str, n: int) -> URIRef:
    return URIRef(f"{plan_iri(doc)}/working-group/{n}")


def unit_iri(unit: str) -> URIRef:
    return UNIT[segment(unit or "无")]
