"""HTML pages: the interactive views under `/viz/…` (the home page `/` is in routes_pages).

Pages are the same ones `plankg viz` writes to files, plus a link back home and a filter form.
The store comes from `api/deps.py` per request (swapped on upload/reload); a filter or a
name that names nothing raises the domain error, which `api/errors.py` renders as a page with
links to the closest names (or the candidates).
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, RedirectResponse

from plankg.api.deps import (
    MAX_TEXT,
    NO_CONTROL,
    JurisdictionFilter,
    NameInPath,
    PlanFilter,
    StoreDep,
)
from plankg.api.errors import COMMON, LOOKUP, NOT_FOUND, for_pages
from plankg.viz.agency_view import agency_page
from plankg.viz.load_view import load_page
from plankg.viz.page import DEFAULT_NODE_BUDGET
from plankg.viz.parks_view import parks_page

router = APIRouter(tags=["views"], responses=for_pages(COMMON))
PAGE = {200: {"content": {"text/html": {}}, "description": "the page"}}
Role = Literal["lead", "assist", "any"]
MaxNodes = Annotated[
    int, Query(ge=10, le=5000, description="Node budget; above it the view aggregates.")
]


def _agency_href(name: str, jurisdiction: str | None = None) -> str:
    href = "/viz/agency/" + quote(name, safe="")
    return href + ("?" + urlencode({"jurisdiction": jurisdiction}) if jurisdiction else "")


@router.get(
    "/viz/load",
    response_class=HTMLResponse,
    responses={**PAGE, **for_pages(NOT_FOUND)},
    summary="Cross-agency load network",
)
def viz_load(
    store: StoreDep,
    jurisdiction: JurisdictionFilter,
    plan: PlanFilter,
    role: Role = "any",
    max_nodes: MaxNodes = DEFAULT_NODE_BUDGET,
) -> HTMLResponse:
    page = load_page(store, jurisdiction, plan, role, max_nodes, index_href="/")
    return HTMLResponse(page)


@router.get("/viz/agency", include_in_schema=False)
def viz_agency_form(
    name: Annotated[str, Query(min_length=1, max_length=MAX_TEXT, pattern=NO_CONTROL)],
):
    """The index form submits ?name=…; send it to the path form of the URL."""
    return RedirectResponse(_agency_href(name.strip()), status_code=303)


@router.get(
    "/viz/agency/{name}",
    response_class=HTMLResponse,
    summary="One agency with its tasks, targets and partner agencies",
    responses={**PAGE, **for_pages(LOOKUP)},
)
def viz_agency(
    name: NameInPath,
    store: StoreDep,
    jurisdiction: JurisdictionFilter,
    plan: PlanFilter,
    role: Role = "any",
    max_nodes: MaxNodes = DEFAULT_NODE_BUDGET,
) -> HTMLResponse:
    page = agency_page(store, name, jurisdiction, plan, role, max_nodes, index_href="/")
    return HTMLResponse(page)


@router.get(
    "/viz/parks",
    response_class=HTMLResponse,
    responses={**PAGE, **for_pages(NOT_FOUND)},
    summary="Parks, their projects and tasks",
)
def viz_parks(
    store: StoreDep,
    jurisdiction: JurisdictionFilter,
    plan: PlanFilter,
    max_nodes: MaxNodes = DEFAULT_NODE_BUDGET,
) -> HTMLResponse:
    page = parks_page(store, jurisdiction, plan, max_nodes, index_href="/")
    return HTMLResponse(page)
