"""HTML pages: an index at `/` and the interactive views under `/viz/…`.

Pages are the same ones `plankg viz` writes to files, plus a link back here and a filter form.
The store comes from `api/deps.py` per request (swapped on upload/reload); a filter or a
name that names nothing raises the domain error, which `api/errors.py` renders as a page with
links to the closest names (or the candidates).
"""

from __future__ import annotations

import html
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


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>"
        "body{font-family:'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',"
        "'WenQuanYi Micro Hei',sans-serif;max-width:960px;margin:24px auto;padding:0 16px;"
        "line-height:1.6;color:#222}h2{margin-top:28px;font-size:18px}"
        "li{margin:2px 0}form{margin:6px 0}</style></head><body>"
        f"{body}</body></html>"
    )


def _agency_href(name: str, jurisdiction: str | None = None) -> str:
    href = "/viz/agency/" + quote(name, safe="")
    return href + ("?" + urlencode({"jurisdiction": jurisdiction}) if jurisdiction else "")


@router.get(
    "/",
    response_class=HTMLResponse,
    responses=PAGE,
    summary="Index of the views, exports and API docs",
)
def index(store: StoreDep) -> HTMLResponse:
    e = html.escape
    plans = store.plans()
    jurisdictions = sorted({p.jurisdiction for p in plans if p.jurisdiction})
    busiest = store.load()[:12]
    agencies = store.agencies()
    parts = [
        "<h1>规划任务知识图谱</h1>",
        f"<p>{len(plans)} 个方案，{sum(p.task_count for p in plans)} 项任务，"
        f"{len(agencies)} 个单位。</p>",
        "<h2>跨部门任务负荷</h2><ul>",
        '<li><a href="/viz/load">全部辖区</a></li>',
        *(
            f'<li><a href="/viz/load?{urlencode({"jurisdiction": j})}">{e(j)}</a> — '
            f'负荷图 <a href="/export/load-chart?{urlencode({"jurisdiction": j})}">PNG</a> · '
            f'<a href="/export/load-chart?{urlencode({"jurisdiction": j, "format": "svg"})}">'
            "SVG</a> · "
            f'<a href="/export/ledger?{urlencode({"jurisdiction": j, "format": "xlsx"})}">'
            "任务分工台账</a></li>"
            for j in jurisdictions
        ),
        "</ul><h2>单位关系</h2>",
        '<form action="/viz/agency" method="get"><label>单位名称或简称 '
        '<input name="name" list="agency-names" required maxlength="200"></label> '
        '<button type="submit">查看</button></form><datalist id="agency-names">',
        *(f'<option value="{e(a.name)}">{e(a.jurisdiction)}</option>' for a in agencies),
        "</datalist><ul>",
        *(
            f'<li><a href="{e(_agency_href(r.agency.name, r.agency.jurisdiction))}">'
            f"{e(r.agency.name)}</a>（牵头 {r.lead}，配合 {r.assist}）</li>"
            for r in busiest
        ),
        "</ul><h2>园区与项目</h2><ul>",
        '<li><a href="/viz/parks">全部辖区</a></li>',
        *(
            f'<li><a href="/viz/parks?{urlencode({"jurisdiction": j})}">{e(j)}</a></li>'
            for j in jurisdictions
        ),
        "</ul><h2>方案</h2><ul>",
        *(
            f"<li>{e(p.title)}（{e(p.jurisdiction)}，{p.task_count} 项任务）— "
            f'<a href="/viz/load?{urlencode({"plan": p.doc})}">负荷图</a> · '
            f'<a href="/export/ledger?{urlencode({"plan": p.doc, "format": "xlsx"})}">台账</a>'
            "</li>"
            for p in plans
        ),
        "</ul><h2>导出</h2><ul>",
        '<li>协同矩阵：<a href="/export/matrix?format=xlsx">XLSX</a> · '
        '<a href="/export/matrix?format=csv">CSV</a> · '
        '<a href="/export/matrix?format=png">PNG</a> · '
        '<a href="/export/matrix?format=xlsx&amp;mode=co">共同承担（XLSX）</a></li>',
        '<li>任务分工台账：<a href="/export/ledger?format=xlsx">XLSX</a> · '
        '<a href="/export/ledger?format=csv">CSV</a></li>',
        '<li>指标汇总：<a href="/export/indicators?format=xlsx">XLSX</a> · '
        '<a href="/export/indicators?format=csv">CSV</a></li>',
        '<li>指标一致性检查：<a href="/export/conflicts?format=xlsx">XLSX</a> · '
        '<a href="/export/conflicts?format=csv">CSV</a></li>',
        '<li>单位—任务图：<a href="/export/graphml">GraphML</a> · '
        '<a href="/export/gexf">GEXF</a></li>',
        '</ul><h2>接口</h2><ul><li><a href="/docs">API 文档（/docs）</a></li></ul>',
    ]
    return _page("规划任务知识图谱", "\n".join(parts))


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
