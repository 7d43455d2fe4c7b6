"""The plans in the graph (with when each was added), their working groups, and the health
check."""

from __future__ import annotations

import dataclasses

from fastapi import APIRouter
from pydantic import BaseModel, Field

from plankg.api.deps import PlanFilter, RdfDep, StoreDep, answers_from_store
from plankg.api.errors import COMMON, NOT_FOUND
from plankg.api.schemas import Health
from plankg.graph.rdf_store import RdfStore
from plankg.graph.store import WorkingGroupInfo

router = APIRouter(tags=["plans"], responses=COMMON)
WHEN = "UTC, ISO 8601 (e.g. 2026-12-03T17:40:05Z); null when the store has no record of it"


class PlanListing(BaseModel):
    """A plan of `/plans`: the store's `PlanInfo` and the RDF store's dates for it."""

    iri: str
    doc: str
    title: str
    jurisdiction: str
    task_count: int
    goal_count: int
    added: str | None = Field(None, description=f"When the plan was first added; {WHEN}")
    updated: str | None = Field(None, description=f"When it was last written; {WHEN}")


def plan_dates(rdf: RdfStore | None) -> tuple[dict[str, str], dict[str, str]]:
    """(doc → added, doc → updated) from the RDF store; empty without one (a server over
    Neo4j alone), so plans then list without dates rather than failing."""
    if rdf is None:
        return {}, {}
    return rdf.added_dates(), rdf.updated_dates()


@router.get("/health", response_model=Health, summary="Liveness, and how many plans are served")
@answers_from_store
def health(store: StoreDep) -> Health:
    return Health(status="ok", plans=len(store.plans()))


@router.get(
    "/plans",
    response_model=list[PlanListing],
    summary="The plans served: title, jurisdiction, counts, when each was added",
)
def plans(store: StoreDep, rdf: RdfDep) -> list[PlanListing]:
    added, updated = plan_dates(rdf)
    return [
        PlanListing(**dataclasses.asdict(p), added=added.get(p.doc), updated=updated.get(p.doc))
        for p in store.plans()
    ]


@router.get("/working-groups", response_model=list[WorkingGroupInfo], responses=NOT_FOUND)
def working_groups(store: StoreDep, plan: PlanFilter):
    return store.working_groups(plan)
