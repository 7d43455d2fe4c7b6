"""Turn a name a person typed into one agency, a list of candidates, or suggestions — shared by
the API and the CLI so they can never disagree."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from plankg.graph.store import AgencyInfo, Store
from plankg.ontology.names import Place, query_level


@dataclass(frozen=True)
class Resolved:
    agency: AgencyInfo


@dataclass(frozen=True)
class Ambiguous:
    candidates: list[AgencyInfo]


@dataclass(frozen=True)
class Unknown:
    suggestions: list[str]


def resolve_or_suggest(
    store: Store, name: str, jurisdiction: str | None = None
) -> Resolved | Ambiguous | Unknown:
    found = store.resolve_agency(name, jurisdiction)
    if len(found) == 1:
        return Resolved(found[0])
    if found:
        return Ambiguous(found)
    names = sorted(
        {n for a in store.agencies(jurisdiction=jurisdiction) for n in (a.name, *a.aliases)}
    )
    return Unknown(difflib.get_close_matches(name, names, n=5, cutoff=0.3))


def narrow_by_level(
    name: str, jurisdiction: str | None, found: list[AgencyInfo]
) -> list[AgencyInfo]:
    """The matches of a typed name, in a stable order; within the jurisdiction given, and,
    when the name is written at a level (`县发改局`), at that level if any match there."""
    if jurisdiction:
        found = [i for i in found if i.jurisdiction == jurisdiction]
    level = None if jurisdiction else query_level(name)
    if level is not None:
        same = [i for i in found if Place.of(i.jurisdiction).level == level]
        found = same or found
    return sorted(found, key=lambda i: (i.jurisdiction, i.name))
