"""Coordination and load counts from per-task role sets — one implementation for every store,
so the embedded and Neo4j answers cannot drift apart."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from itertools import combinations

from plankg.graph.store import AgencyRef, CoordinationCell, LoadRow

TaskRoles = tuple[set[AgencyRef], set[AgencyRef]]  # (leading agencies, assisting agencies)


def coordination_cells(
    tasks: Iterable[TaskRoles], mode: str = "lead_assist"
) -> list[CoordinationCell]:
    """lead_assist: row leads and col assists; co: both named (row < col by name)."""
    counts: Counter[tuple[AgencyRef, AgencyRef]] = Counter()
    for lead, assist in tasks:
        if mode == "co":
            named = sorted(lead | assist, key=lambda a: (a.name, a.iri))
            counts.update(combinations(named, 2))
        else:
            counts.update((a, b) for a in lead for b in assist)
    cells = [CoordinationCell(a, b, n) for (a, b), n in counts.items()]
    return sorted(cells, key=lambda c: (-c.count, c.row.name, c.col.name, c.row.iri, c.col.iri))


def load_rows(tasks: Iterable[TaskRoles]) -> list[LoadRow]:
    lead: Counter[AgencyRef] = Counter()
    assist: Counter[AgencyRef] = Counter()
    for leads, assists in tasks:
        lead.update(leads)
        assist.update(assists)
    rows = [LoadRow(a, lead[a], assist[a]) for a in set(lead) | set(assist)]
    return sorted(rows, key=lambda r: (-r.total, r.agency.name, r.agency.iri))
