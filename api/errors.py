"""The API's one error vocabulary: every failure — a domain error from `graph/`, an HTTP-only
one (`ApiError`), a validation error, an unknown route or method, a crash — is rendered by the
handlers installed here, in one shape:

    {"error": {"code": "unknown_agency", "message": "没有找到单位“X” / no agency called 'X'",
               "name": "X", "closest": ["…"]}}

`code` is stable (clients branch on it); `message` is Chinese first, English after (English
alone with `Accept-Language: en`, Chinese alone with `zh`); the other keys depend on the code:
`closest` (nearest known names), `candidates` (what an ambiguous name may mean), `field` /
`value` (the filter that names nothing), `problems` (validation). A client that asks for
`text/html` (a browser) gets the same content as a page.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from plankg.api.messages import language, say, status_title
from plankg.graph.errors import Ambiguous, PlankgError, Unknown
from plankg.viz.templating import render

log = logging.getLogger("plankg.api")


class ApiError(Exception):
    """An error only HTTP has (a key, a limit, a disabled feature): a status and a message
    code of `api/messages.py` (or, for old callers, a message text)."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: Any = None,
        *,
        headers: dict[str, str] | None = None,
        **params: Any,
    ) -> None:
        self.status, self.code, self.detail, self.headers = status, code, detail, headers
        self.params = params
        super().__init__(code)


# ---------------------------------------------------------------- the shape, for OpenAPI


class CandidateOut(BaseModel):
    name: str
    jurisdiction: str
    iri: str


class Problem(BaseModel):
    where: str = Field(description="The parameter, e.g. query.role or path.name")
    problem: str


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable error code, e.g. unknown_agency, bad_api_key")
    message: str = Field(description="中文 / English; one language by Accept-Language")
    name: str | None = None
    field: str | None = Field(None, description="The filter that names nothing")
    value: str | None = None
    closest: list[str] | None = Field(None, description="The nearest known names, best first")
    candidates: list[CandidateOut] | None = None
    problems: list[Problem] | None = None
    detail: Any = None


class ErrorBody(BaseModel):
    error: ErrorDetail


def error_doc(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


# `responses=` entries for routers; every route gets COMMON (FastAPI then adds no 422 of its own)
COMMON: dict[int | str, dict[str, Any]] = {
    422: error_doc("invalid parameter (type, length, control characters)"),
    500: error_doc("internal error (no trace; the server log has it)"),
    503: error_doc("server busy"),
}
NOT_FOUND = {404: error_doc("a name or filter value that names nothing, with the closest names")}
AMBIGUOUS = {409: error_doc("a name that denotes several things, with the candidates")}
LOOKUP = {**NOT_FOUND, **AMBIGUOUS}


def for_pages(responses: dict) -> dict:
    """The same error responses for a route that answers pages: a page (text/html) by default,
    the JSON body when the client asks for application/json first."""
    ref = {"$ref": "#/components/schemas/ErrorBody"}
    return {
        status: {
            "description": doc["description"],
            "content": {
                "text/html": {"schema": {"type": "string"}},
                "application/json": {"schema": ref},
            },
        }
        for status, doc in responses.items()
    }


# ---------------------------------------------------------------- rendering

STATUS_OF_DOMAIN = {Unknown: 404, Ambiguous: 409}


def _status(exc: PlankgError) -> int:
    for kind, status in STATUS_OF_DOMAIN.items():
        if isinstance(exc, kind):
            return status
    return 400


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body = {"error": {"code": code, "message": message, **(extra or {})}}
    if _wants_html(request):
        return HTMLResponse(error_page(request, status, body["error"]), status, headers=headers)
    return JSONResponse(body, status, headers=headers)


def _lang(request: Request):
    return language(request.headers.get("accept-language"))


def _wants_html(request: Request) -> bool:
    """A page for a browser's navigation (text/html before JSON in Accept) and on the routes
    that answer pages; JSON for every API client."""
    accept = (request.headers.get("accept") or "").lower()
    html_at, json_at = accept.find("text/html"), accept.find("application/json")
    if json_at >= 0 and (html_at < 0 or json_at < html_at):
        return False
    if html_at >= 0:
        return True
    route = request.scope.get("route")
    return getattr(route, "response_class", None) is HTMLResponse


def domain_response(request: Request, exc: PlankgError) -> Response:
    return error_response(
        request, _status(exc), exc.code, exc.message(_lang(request)), exc.details()
    )


def allowed_methods(request: Request) -> str:
    """Every method some route serves at this path (Starlette's 405 lists only the first
    route's, though `/plans` is GET in one router and POST in another)."""
    methods: set[str] = set()
    routes = getattr(request.app.state, "routes", None) or request.app.router.routes
    for route in routes:
        route_methods = getattr(route, "methods", None)
        if route_methods and route.matches(request.scope)[0] != Match.NONE:
            methods |= set(route_methods)
    return ", ".join(sorted(methods))


def install_error_handlers(app: FastAPI) -> None:
    """One handler per kind of failure, all rendering `ErrorBody`."""

    @app.exception_handler(PlankgError)
    async def domain_error(request: Request, exc: PlankgError):
        return domain_response(request, exc)

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError):
        from plankg.api.messages import ALL_MESSAGES

        if exc.code in ALL_MESSAGES:
            code, message = exc.code, say(exc.code, _lang(request), **exc.params)
        else:  # a message text from an older caller
            code, message = "error", exc.code
        extra = {"detail": exc.detail} if exc.detail is not None else {}
        return error_response(request, exc.status, code, message, extra, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        lang = _lang(request)
        path = request.url.path
        if exc.status_code == 404:
            return error_response(request, 404, "not_found", say("not_found", lang, path=path))
        if exc.status_code == 405:
            allow = allowed_methods(request)
            message = say("method_not_allowed", lang, path=path, method=request.method, allow=allow)
            headers = {**(exc.headers or {}), "Allow": allow}
            return error_response(request, 405, "method_not_allowed", message, None, headers)
        if exc.status_code == 400:  # a body the server cannot parse (multipart, form)
            message = say("bad_request", lang, reason=str(exc.detail))
            return error_response(request, 400, "bad_request", message, None, exc.headers)
        message = say("error", lang, message=str(exc.detail))
        return error_response(request, exc.status_code, "error", message, None, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        problems = [
            {"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")}
            for e in exc.errors()
        ]
        message = say("invalid_request", _lang(request))
        return error_response(request, 422, "invalid_request", message, {"problems": problems})

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("unhandled error", exc_info=exc)
        return error_response(request, 500, "internal", say("internal", _lang(request)))


# ---------------------------------------------------------------- the page


def _suggestion_href(request: Request, error: dict[str, Any], suggestion: str) -> str | None:
    """The same request with the wrong name replaced by a suggestion: in the filter that
    named nothing, or in the path segment that did."""
    field = error.get("field")
    if field:
        params = dict(request.query_params)
        params[field] = suggestion
        return request.url.path + "?" + urlencode(params)
    name = error.get("name")
    if name:
        segments = request.url.path.split("/")
        quoted = quote(name, safe="")
        for i in range(len(segments) - 1, -1, -1):
            if segments[i] in (quoted, name):
                segments[i] = quote(suggestion, safe="")
                path = "/".join(segments)
                return path + ("?" + str(request.url.query) if request.url.query else "")
    return None


@dataclass(frozen=True)
class Link:
    name: str
    href: str | None
    jurisdiction: str = ""


@dataclass(frozen=True)
class ErrorPage:
    """What the error page (viz/templates/error.html) shows: the message as negotiated, the
    status's title in both languages, links to the closest names or candidates, and the
    wrong name again in the page's search box."""

    status: int
    code: str
    title: tuple[str, str]
    message: str
    closest: list[Link]
    candidates: list[Link]
    problems: list[dict[str, str]]
    query: str


def error_page(request: Request, status: int, error: dict[str, Any]) -> str:
    """The error as a page of the site (its header, nav and stylesheet), Chinese first."""
    closest = [
        Link(name, _suggestion_href(request, error, name)) for name in error.get("closest") or []
    ]
    candidates = [
        Link(
            c["name"],
            request.url.path
            + "?"
            + urlencode(dict(request.query_params) | {"jurisdiction": c["jurisdiction"]}),
            c["jurisdiction"],
        )
        for c in error.get("candidates") or []
    ]
    problems = [
        {"where": str(p["where"]), "problem": str(p["problem"])}
        for p in error.get("problems") or []
    ]
    agency = str(error["code"]).endswith("_agency")  # the wrong name goes back in the search box
    page = ErrorPage(
        status=status,
        code=str(error["code"]),
        title=status_title(status),
        message=str(error["message"]),
        closest=closest,
        candidates=candidates,
        problems=problems,
        query=str(error.get("name") or error.get("value") or "") if agency else "",
    )
    try:
        return render("error.html", page=page)
    except Exception:  # an error answer must not fail in turn: the bare message then
        log.exception("error page not rendered")
        e = html.escape
        return (
            f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{status}'
            f'</title></head><body><h1>{e(page.message)}</h1><p><a href="/">首页 Home</a></p>'
        )
