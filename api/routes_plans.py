"""The plans in the graph, their working groups, and the health check."""

from __future__ import annotations

from fastapi import APIRouter

from plankg.api.deps import PlanFilter, StoreDep, answers_from_store
from plankg.api.errors import COMMON, NOT_FOUND
from plankg.api.schemas import Health
from plankg.graph.store import PlanInfo, WorkingGroupInfo

router = APIRouter(tags=["plans"], responses=COMMON)


@router.get("/health", response_model=Health, summary="Liveness, and how many plans are served")
@answers_from_store
def health(store: StoreDep) -> Health:
    return Health(status="ok", plans=len(store.plans()))


@router.get("/plans", response_model=list[PlanInfo])
def plans(store: StoreDep):
    return store.plans()


@router.get("/working-groups", response_model=list[WorkingGroupInfo], responses=NOT_FOUND)
def working_groups(store: StoreDep, plan: PlanFilter):
    return store.working_groups(plan)
