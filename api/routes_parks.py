"""Parks and the projects located in them."""

from __future__ import annotations

from fastapi import APIRouter

from plankg.api.deps import JurisdictionFilter, NameInPath, StoreDep, answers_from_store
from plankg.api.errors import COMMON, LOOKUP, NOT_FOUND
from plankg.graph.lookup import resolve_park
from plankg.graph.store import ParkInfo, ProjectInfo

router = APIRouter(tags=["parks"], responses=COMMON)


@router.get("/parks", response_model=list[ParkInfo], responses=NOT_FOUND)
def parks(store: StoreDep, jurisdiction: JurisdictionFilter):
    return store.parks(jurisdiction)


@router.get("/parks/{name}/projects", response_model=list[ProjectInfo], responses=LOOKUP)
@answers_from_store
def park_projects(name: NameInPath, store: StoreDep, jurisdiction: JurisdictionFilter):
    return store.projects_in_park(resolve_park(store, name, jurisdiction).iri)
