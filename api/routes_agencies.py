"""Agencies: search by any alias, one agency (JSON or RDF), its tasks, and the two
agency-by-agency answers (coordination matrix, load)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from plankg.api.deps import (
    JurisdictionFilter,
    NameInPath,
    PlanFilter,
    RdfDep,
    StoreDep,
    Text,
    answers_from_store,
)
from plankg.api.errors import COMMON, LOOKUP, NOT_FOUND
from plankg.api.rdf_answers import RDF_CONTENT, describe, wants_rdf
from plankg.api.schemas import AgencyDetail, CoordinationMatrix
from plankg.graph.lookup import resolve_agency
from plankg.graph.store import AgencyInfo, LoadRow, TaskInfo

router = APIRouter(tags=["agencies"], responses=COMMON)

Role = Literal["lead", "assist", "any"]
Mode = Literal["lead_assist", "co"]


@router.get(
    "/agencies",
    response_model=list[AgencyInfo],
    summary="Search agencies by any alias",
    responses=NOT_FOUND,
)
@answers_from_store
def agencies(store: StoreDep, jurisdiction: JurisdictionFilter, q: Text = None):
    """`q` is a search (an empty list is a true "none"); `jurisdiction` must name one."""
    return store.agencies(q, jurisdiction)


@router.get(
    "/agencies/{name}",
    response_model=AgencyDetail,
    summary="One agency by any of its names (409 if ambiguous); RDF by Accept header",
    responses={**LOOKUP, 200: {"content": RDF_CONTENT}},
)
@answers_from_store
def agency(
    name: NameInPath,
    request: Request,
    store: StoreDep,
    rdf: RdfDep,
    jurisdiction: JurisdictionFilter,
):
    info = resolve_agency(store, name, jurisdiction)
    mime = wants_rdf(request.headers.get("accept"))
    if mime and rdf is not None:
        return describe(rdf, info.iri, mime)
    lead = store.tasks_of_agency(info.iri, "lead")
    assist = store.tasks_of_agency(info.iri, "assist")
    return AgencyDetail(agency=info, lead_count=len(lead), assist_count=len(assist))


@router.get("/agencies/{name}/tasks", response_model=list[TaskInfo], responses=LOOKUP)
@answers_from_store
def agency_tasks(
    name: NameInPath,
    store: StoreDep,
    jurisdiction: JurisdictionFilter,
    plan: PlanFilter,
    role: Role = "any",
):
    info = resolve_agency(store, name, jurisdiction)
    return store.tasks_of_agency(info.iri, role, plan, jurisdiction)


@router.get(
    "/coordination",
    response_model=CoordinationMatrix,
    summary="Agency × agency: tasks where row leads and column assists (or co-assigned)",
    responses=NOT_FOUND,
)
def coordination(
    store: StoreDep,
    jurisdiction: JurisdictionFilter,
    plan: PlanFilter,
    mode: Mode = "lead_assist",
    min_count: Annotated[int, Query(ge=1, le=10_000)] = 1,
):
    cells = [c for c in store.coordination(jurisdiction, plan, mode) if c.count >= min_count]
    agencies = sorted(
        {c.row for c in cells} | {c.col for c in cells}, key=lambda a: (a.jurisdiction, a.name)
    )
    return CoordinationMatrix(mode=mode, agencies=agencies, cells=cells)


@router.get(
    "/load",
    response_model=list[LoadRow],
    summary="Tasks per agency by role",
    responses=NOT_FOUND,
)
def load(store: StoreDep, jurisdiction: JurisdictionFilter, plan: PlanFilter):
    return store.load(jurisdiction, plan)
