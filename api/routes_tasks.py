"""Tasks: text search, one task (JSON or RDF), and the indicators (targets) they carry."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from plankg.api.deps import (
    MAX_TEXT,
    NO_CONTROL,
    PlanFilter,
    RdfDep,
    RequiredText,
    StoreDep,
    Text,
    answers_from_store,
)
from plankg.api.errors import COMMON, LOOKUP, NOT_FOUND
from plankg.api.rdf_answers import RDF_CONTENT, describe, wants_rdf
from plankg.graph.lookup import resolve_agency, task_or_unknown
from plankg.graph.store import IndicatorInfo, TaskInfo

router = APIRouter(tags=["tasks"], responses=COMMON)

TaskId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=MAX_TEXT,
        pattern=NO_CONTROL,
        description="e.g. 000_99d16d149e72ffbe-t001",
    ),
]


@router.get("/tasks", response_model=list[TaskInfo], summary="Text search over tasks")
def tasks(q: RequiredText, store: StoreDep, limit: Annotated[int, Query(ge=1, le=500)] = 50):
    """A search: no match is an empty list."""
    return store.search_tasks(q, limit)


@router.get(
    "/tasks/{task_id}",
    response_model=TaskInfo,
    responses={**NOT_FOUND, 200: {"content": RDF_CONTENT}},
)
@answers_from_store
def task(task_id: TaskId, request: Request, store: StoreDep, rdf: RdfDep):
    found = task_or_unknown(store, task_id)
    mime = wants_rdf(request.headers.get("accept"))
    if mime and rdf is not None:
        incoming = tuple((a.iri, "lead") for a in found.lead) + tuple(
            (a.iri, "assist") for a in found.assist
        )
        return describe(rdf, found.iri, mime, incoming)
    return found


@router.get(
    "/indicators",
    response_model=list[IndicatorInfo],
    summary="Targets of tasks and plan goals",
    responses=LOOKUP,
)
def indicators(store: StoreDep, plan: PlanFilter, subject: Text = None, agency: Text = None):
    """`subject` is a search (contains); `plan` and `agency` must name one."""
    agency_iri = resolve_agency(store, agency).iri if agency else None
    return store.indicators(subject=subject, plan=plan, agency_iri=agency_iri)
