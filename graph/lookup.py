"""Turn a name a person typed into one agency, a list of candidates, or suggestions — shared by
the API and the CLI so they can never disagree."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from plankg.graph.store import AgencyInfo, Store


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
