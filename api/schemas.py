"""Response models that are not plain store answers (those are the dataclasses of
`graph/store.py`, which FastAPI documents and validates directly)."""

from __future__ import annotations

from pydantic import BaseModel

from plankg.graph.store import AgencyInfo, AgencyRef, CoordinationCell


class Health(BaseModel):
    status: str
    plans: int


class AgencyDetail(BaseModel):
    agency: AgencyInfo
    lead_count: int
    assist_count: int


class CoordinationMatrix(BaseModel):
    mode: str
    agencies: list[AgencyRef]
    cells: list[CoordinationCell]


class PlanChange(BaseModel):
    plans: int
    tasks: int
    triples: int
    changed: str
    warnings: list[str] = []
