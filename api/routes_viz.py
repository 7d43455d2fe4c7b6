"""HTML pages: the interactive views under `/viz/…` (the home page `/` is in routes_pages).

Pages are the same ones `plankg viz` writes to files, plus a link back home and a filter form.
The store is read per request from `app.state.plankg.store` (set by `create_app`, swapped on
upload/reload), so a router instance never holds a stale store.
"""

from __future__ import annotations

import html
from typing import Annotated, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from plankg.graph.exports import AgencyNotFound, AmbiguousAgency
from plankg.graph.store import Store
from plankg.viz.agency_view import agency_page
from plankg.viz.load_view import load_page
from plankg.viz.page import DEFAULT_NODE_BUDGET
from plankg.viz.parks_view import parks_page

router = APIRouter(tags=["views"])


def get_store(request: Request) -> Store:
    return request.app.state.plankg.store


StoreDep = Annotated[Store, Depends(get_store)]
Text = Annotated[str | None, Query(max_length=200)]
Role = Literal["lead", "assist", "any"]
MaxNodes = Annotated[
    int, Query(ge=10, le=5000, description="Node budget; above it the view aggregates.")
]


def _opt(value: str | None) -> str | None:
    """A filter form sends "" for 全部."""
    return value or None


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>"
        "body{font-family:'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',"
        "'WenQuanYi Micro Hei',sans-serif;max-width:960px;margin:24px auto;padding:0 16px;"
        "line-height:1.6;color:#222}h2{margin-top:28px;font-size:18px}"
        "li{margin:2px 0}form{margin:6px 0}</style></head><body>"
        f"{body}</body></html>",
        status_code=status,
    )


def _agency_href(name: str, jurisdiction: str | None = None) -> str:
    href = "/viz/agency/" + quote(name, safe="")
    return href + ("?" + urlencode({"jurisdiction": jurisdiction}) if jurisdiction else "")


@router.get("/viz/load", response_class=HTMLResponse, summary="Cross-agency load network")
def viz_load(
    store: StoreDep,
    jurisdiction: Text = None,
    plan: Text = None,
    role: Role = "any",
    max_nodes: MaxNodes = DEFAULT_NODE_BUDGET,
) -> HTMLResponse:
    page = load_page(store, _opt(jurisdiction), _opt(plan), role, max_nodes, index_href="/")
    return HTMLResponse(page)


@router.get("/viz/agency", include_in_schema=False)
def viz_agency_form(name: Annotated[str, Query(min_length=1, max_length=200)]):
    """The index form submits ?name=…; send it to the path form of the URL."""
    return RedirectResponse(_agency_href(name.strip()), status_code=303)


@router.get(
    "/viz/agency/{name}",
    response_class=HTMLResponse,
    summary="One agency with its tasks, targets and partner agencies",
    responses={404: {"description": "unknown agency"}, 409: {"description": "ambiguous"}},
)
def viz_agency(
    name: str,
    store: StoreDep,
    jurisdiction: Text = None,
    plan: Text = None,
    role: Role = "any",
    max_nodes: MaxNodes = DEFAULT_NODE_BUDGET,
) -> HTMLResponse:
    e = html.escape
    try:
        page = agency_page(
            store, name, _opt(jurisdiction), _opt(plan), role, max_nodes, index_href="/"
        )
    except AmbiguousAgency as exc:
        items = "".join(
            f'<li><a href="{e(_agency_href(name, c.jurisdiction))}">{e(c.name)}</a>'
            f"（{e(c.jurisdiction)}）</li>"
            for c in exc.candidates
        )
        body = f"<h1>“{e(name)}”对应多个单位</h1><p>请选择辖区：</p><ul>{items}</ul>"
        return _page("单位名称有歧义", body + '<p><a href="/">← 首页</a></p>', 409)
    except AgencyNotFound as exc:
        items = "".join(
            f'<li><a href="{e(_agency_href(s))}">{e(s)}</a></li>' for s in exc.suggestions
        )
        hint = f"<p>相近的名称：</p><ul>{items}</ul>" if items else ""
        body = f"<h1>没有找到单位“{e(name)}”</h1>{hint}"
        return _page("未找到单位", body + '<p><a href="/">← 首页</a></p>', 404)
    return HTMLResponse(page)


@router.get("/viz/parks", response_class=HTMLResponse, summary="Parks, their projects and tasks")
def viz_parks(
    store: StoreDep,
    jurisdiction: Text = None,
    plan: Text = None,
    max_nodes: MaxNodes = DEFAULT_NODE_BUDGET,
) -> HTMLResponse:
    page = parks_page(store, _opt(jurisdiction), _opt(plan), max_nodes, index_href="/")
    return HTMLResponse(page)
