"""The web app's read pages: home `/` (plans, agencies with a search box, jurisdictions, every
view and export), `/search`, the agency page `/agency/{name}` and the task page `/task/{id}`.

Server-rendered (viz/templates), Chinese first with the English gloss after, offline (one local
stylesheet under /static/). A name or filter that matches nothing is a 404 page listing the
closest names; a name shared by several jurisdictions is a 409 page listing them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from plankg.graph.store import Store
from plankg.viz.pages import (
    PageAmbiguous,
    PageNotFound,
    agency_model,
    home_model,
    resolve_agency,
    search_agencies,
    task_model,
)
from plankg.viz.templating import STATIC, agency_href, query, render

router = APIRouter(tags=["pages"])
Text = Annotated[str | None, Query(max_length=200)]
WHAT = {  # PageNotFound.what → (heading, English)
    "agency": ("没有找到单位", "No such agency"),
    "jurisdiction": ("没有这个辖区", "No such jurisdiction"),
    "plan": ("没有这个方案", "No such plan"),
    "task": ("没有这项任务", "No such task"),
}
STATIC_FILES = {"plankg.css": "text/css"}


def _store(request: Request) -> Store:
    return request.app.state.plankg.store


def _added(request: Request) -> dict[str, str]:
    """doc → date the plan was added through the app (see routes_pages_upload)."""
    return getattr(request.app.state, "plan_added", {})


def html_page(template: str, status: int = 200, **context) -> HTMLResponse:
    return HTMLResponse(render(template, **context), status_code=status)


def not_found_page(exc: PageNotFound, link: Callable[[str], str] | None = None) -> HTMLResponse:
    """404 with the closest names, each linked to the page it would have meant (`link`; an
    agency's name links to its page by default)."""
    heading, heading_en = WHAT.get(exc.what, WHAT["agency"])
    if link is None and exc.what == "agency":
        link = agency_href
    links = [(name, link(name) if link else "") for name in exc.closest]
    return html_page(
        "error.html",
        404,
        heading=f"{heading}“{exc.value}”",
        heading_en=heading_en,
        message="请检查拼写，或从下面的名称中选择。" if links else "",
        links=links,
    )


def ambiguous_page(exc: PageAmbiguous, base: str = "/agency/") -> HTMLResponse:
    links = [
        (f"{a.name}（{a.jurisdiction}）", agency_href(exc.value, a.jurisdiction, base))
        for a in exc.candidates
    ]
    return html_page(
        "error.html",
        409,
        heading=f"“{exc.value}”对应多个单位",
        heading_en="Several agencies have this name",
        message="请选择辖区：",
        links=links,
    )


@router.get("/", response_class=HTMLResponse, summary="Home: plans, agencies, views, exports")
def home(request: Request) -> HTMLResponse:
    return html_page("home.html", home=home_model(_store(request), _added(request)))


@router.get("/search", response_class=HTMLResponse, summary="Find an agency by any alias")
def search(
    request: Request, q: Annotated[str, Query(max_length=200)] = "", jurisdiction: Text = None
) -> Response:
    """One hit redirects to its page; several are listed; none is a 404 with the closest."""
    try:
        result = search_agencies(_store(request), q, jurisdiction or None)
    except PageNotFound as exc:
        return not_found_page(exc, lambda j: "/search" + query(q=q, jurisdiction=j))
    if result.unique is not None:
        a = result.unique
        return RedirectResponse(agency_href(a.name, a.jurisdiction), status_code=303)
    if not result.hits:
        return not_found_page(PageNotFound("agency", result.query, result.closest))
    return html_page("search.html", result=result)


@router.get(
    "/agency/{name}",
    response_class=HTMLResponse,
    summary="An agency's page: who it is, its tasks in plan order, partners, ledger download",
    responses={404: {"description": "unknown name or filter"}, 409: {"description": "ambiguous"}},
)
def agency(request: Request, name: str, jurisdiction: Text = None, plan: Text = None) -> Response:
    store = _store(request)
    try:
        found = resolve_agency(store, name, jurisdiction or None)
        model = agency_model(store, found, plan or None)
    except PageAmbiguous as exc:
        return ambiguous_page(exc)
    except PageNotFound as exc:
        here = {"jurisdiction": jurisdiction, "plan": plan}

        def retry(value: str, what: str = exc.what) -> str:  # same page, the closest value
            return "/agency/" + quote(name, safe="") + query(**{**here, what: value})

        return not_found_page(exc, None if exc.what == "agency" else retry)
    return html_page("agency.html", model=model)


@router.get(
    "/task/{task_id}",
    response_class=HTMLResponse,
    summary="A task's page: its text with the clause highlighted, agencies, targets, source",
    responses={404: {"description": "unknown task"}},
)
def task(request: Request, task_id: str) -> Response:
    found = _store(request).task(task_id)
    if found is None:
        return not_found_page(PageNotFound("task", task_id, []))
    return html_page("task.html", model=task_model(found, found.clause))


@router.get("/static/{name}", include_in_schema=False)
def static(name: str) -> Response:
    if name not in STATIC_FILES:
        return Response(status_code=404)
    return FileResponse(STATIC / name, media_type=STATIC_FILES[name])
