"""The web app's read pages: home `/` (plans, agencies with a search box, jurisdictions, every
view and export), `/search`, the agency page `/agency/{name}` and the task page `/task/{id}`.

Server-rendered (viz/templates), Chinese first with the English gloss after, offline (one local
stylesheet under /static/). A name or filter that matches nothing raises the domain error
(`graph.errors`), which `api/errors.py` renders as a 404 page linking the closest names; a
name shared by several jurisdictions is a 409 page listing them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from plankg.api.deps import (
    MAX_TEXT,
    NO_CONTROL,
    JurisdictionFilter,
    NameInPath,
    PlanFilter,
    RdfDep,
    StoreDep,
)
from plankg.api.errors import COMMON, LOOKUP, NOT_FOUND, for_pages
from plankg.api.routes_plans import plan_dates
from plankg.graph.lookup import resolve_agency, task_or_unknown
from plankg.viz.pages import agency_model, home_model, search_agencies, task_model
from plankg.viz.templating import STATIC, agency_href, render

router = APIRouter(tags=["pages"], responses=for_pages(COMMON))
PAGE = {200: {"content": {"text/html": {}}, "description": "the page"}}
STATIC_FILES = {"plankg.css": "text/css"}


def html_page(template: str, status: int = 200, **context) -> HTMLResponse:
    return HTMLResponse(render(template, **context), status_code=status)


@router.get(
    "/", response_class=HTMLResponse, responses=PAGE, summary="Home: plans, agencies, views"
)
def home(store: StoreDep, rdf: RdfDep) -> HTMLResponse:
    """Each plan with when it was first added, as the RDF store records it (ingest or upload)."""
    return html_page("home.html", home=home_model(store, plan_dates(rdf)[0]))


@router.get(
    "/search",
    response_class=HTMLResponse,
    responses={**PAGE, **for_pages(NOT_FOUND)},
    summary="Find an agency by any alias: one hit redirects to its page",
)
def search(
    store: StoreDep,
    jurisdiction: JurisdictionFilter,
    q: Annotated[str, Query(max_length=MAX_TEXT, pattern=NO_CONTROL)] = "",
) -> Response:
    """One hit redirects to the agency page; several are listed; none is a 404 page whose
    closest names link to the same search."""
    if not q.strip():
        return RedirectResponse("/#search", status_code=303)
    result = search_agencies(store, q, jurisdiction)
    if result.unique is not None:
        a = result.unique
        return RedirectResponse(agency_href(a.name, a.jurisdiction), status_code=303)
    return html_page("search.html", result=result)


@router.get(
    "/agency/{name}",
    response_class=HTMLResponse,
    responses={**PAGE, **for_pages(LOOKUP)},
    summary="An agency's page: who it is, its tasks in plan order, partners, ledger download",
)
def agency(
    name: NameInPath, store: StoreDep, jurisdiction: JurisdictionFilter, plan: PlanFilter
) -> HTMLResponse:
    found = resolve_agency(store, name, jurisdiction)
    return html_page("agency.html", model=agency_model(store, found, plan))


@router.get(
    "/task/{task_id}",
    response_class=HTMLResponse,
    responses={**PAGE, **for_pages(NOT_FOUND)},
    summary="A task's page: its text with the clause highlighted, agencies, targets, source",
)
def task(task_id: NameInPath, store: StoreDep) -> HTMLResponse:
    found = task_or_unknown(store, task_id)
    return html_page("task.html", model=task_model(found, found.clause))


@router.get("/static/{name}", include_in_schema=False)
def static(name: str) -> Response:
    if name not in STATIC_FILES:
        raise HTTPException(404)
    return FileResponse(STATIC / name, media_type=STATIC_FILES[name])
