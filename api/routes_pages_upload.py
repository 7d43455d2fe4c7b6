"""The upload page: log in with the API key (a form that sets a signed session cookie), pick a
plan file, see what extraction finds (tasks with leads/assists, warnings) before anything is
stored, then add it through the `Library` the app was given.

The preview runs `extract_plan` on a temporary copy in a worker thread and changes no store;
the previewed bytes wait in memory as a *draft* bound to the session, so "add" stores exactly
what was previewed. Every form after login carries the session's CSRF token.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from plankg.api import pages_session, security
from plankg.api.deps import Library, get_settings, get_state, rdf_source
from plankg.api.errors import COMMON, for_pages
from plankg.api.messages import say
from plankg.api.routes_pages import html_page

router = APIRouter(tags=["pages"], responses=for_pages(COMMON))
ALLOWED = (".txt", ".md", ".docx", ".pdf", ".html", ".htm")
DRAFT_TTL_S = 1800
MAX_DRAFTS = 8  # previews waiting to be added, all sessions together (each ≤ the body limit)


@dataclass(frozen=True)
class PreviewTask:
    title: str
    lead: list[str]
    assist: list[str]
    deadline: str
    section: str


@dataclass(frozen=True)
class Preview:
    draft: str
    name: str
    title: str
    jurisdiction: str
    tasks: list[PreviewTask]
    warnings: list[str]
    replaces: bool


@dataclass
class _Draft:
    sid: str
    name: str
    content: bytes
    doc: str  # the document name extraction gave the plan
    created: float = field(default_factory=time.monotonic)


class Drafts:
    """Previewed uploads waiting for "add", oldest dropped first, expiring after 30 min."""

    def __init__(self) -> None:
        self._items: dict[str, _Draft] = {}
        self._lock = threading.Lock()

    def put(self, sid: str, name: str, content: bytes, doc: str) -> str:
        with self._lock:
            self._expire()
            while len(self._items) >= MAX_DRAFTS:
                self._items.pop(next(iter(self._items)))
            key = secrets.token_urlsafe(12)
            self._items[key] = _Draft(sid, name, content, doc)
            return key

    def take(self, sid: str, key: str) -> _Draft | None:
        with self._lock:
            self._expire()
            draft = self._items.get(key)
            if draft is None or draft.sid != sid:
                return None
            return self._items.pop(key)

    def _expire(self) -> None:
        now = time.monotonic()
        for k in [k for k, d in self._items.items() if now - d.created > DRAFT_TTL_S]:
            del self._items[k]


_STATE_LOCK = threading.Lock()


def _drafts(request: Request) -> Drafts:
    with _STATE_LOCK:
        if not hasattr(request.app.state, "page_drafts"):
            request.app.state.page_drafts = Drafts()
        return request.app.state.page_drafts


def _api_key(request: Request) -> str | None:
    return get_settings(request).api_key_value


def _library(request: Request) -> Library | None:
    return get_state(request).library


def _session(request: Request) -> pages_session.Session | None:
    return pages_session.load(request.cookies.get(pages_session.COOKIE), _api_key(request))


def _page(request: Request, status: int = 200, **context: Any) -> HTMLResponse:
    """The upload page in the state the server and the cookie put it in."""
    session = _session(request)
    if not _api_key(request):
        state = "disabled"
    elif _library(request) is None:
        state = "read-only"
    elif session is None:
        state = "login"
    else:
        state = "ready"
    context.setdefault("error", None)
    context.setdefault("preview", None)
    context.setdefault("added", None)
    return html_page(
        "upload.html",
        status,
        state=state,
        csrf=session.csrf if session else "",
        hours=pages_session.MAX_AGE_S // 3600,
        **context,
    )


def _to_upload() -> RedirectResponse:
    return RedirectResponse("/upload", status_code=303)


@router.get("/upload", response_class=HTMLResponse, summary="Upload page (log in, preview, add)")
def upload_page(request: Request) -> HTMLResponse:
    return _page(request)


@router.post("/login", include_in_schema=False)
def login(request: Request, key: Annotated[str, Form(max_length=1000)]) -> Response:
    configured = _api_key(request)
    if not configured:
        return _page(request, 403)
    if not security.key_matches(key, configured):
        return _page(request, 401, error=say("page_wrong_key"))
    response = _to_upload()
    response.set_cookie(
        pages_session.COOKIE,
        pages_session.dump(pages_session.new_session(), configured),
        max_age=pages_session.MAX_AGE_S,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request, csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    if not pages_session.csrf_ok(_session(request), csrf):
        return _page(request, 403, error=say("page_form_expired"))
    response = _to_upload()
    response.delete_cookie(pages_session.COOKIE, httponly=True, samesite="strict")
    return response


def _guard(request: Request, csrf: str) -> tuple[pages_session.Session | None, Response | None]:
    """The session, or the page that explains why the form is refused."""
    if not _api_key(request) or _library(request) is None:
        return None, _page(request, 403)
    session = _session(request)
    if session is None:
        return None, _page(request, 401, error=say("page_log_in_first"))
    if not pages_session.csrf_ok(session, csrf):
        return None, _page(request, 403, error=say("page_form_expired"))
    return session, None


def _extract(name: str, content: bytes) -> Any:
    """The plan `extract_plan` reads from a temporary copy (nothing else is written)."""
    from plankg.ingest.extract import extract_plan

    with tempfile.TemporaryDirectory(prefix="plankg-preview-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(content)
        return extract_plan(path)


def _preview(key: str, name: str, plan: Any, known_docs: set[str]) -> Preview:
    tasks = [
        PreviewTask(
            t.title or t.text[:40],
            [m.agency.canonical for m in t.lead],
            [m.agency.canonical for m in t.assist],
            t.deadline.text if t.deadline else "",
            " / ".join(t.section),
        )
        for t in plan.tasks
    ]
    return Preview(
        key,
        name,
        plan.title,
        plan.jurisdiction,
        tasks,
        [str(w) for w in plan.warnings],
        plan.doc in known_docs,
    )


@router.post("/upload/preview", response_class=HTMLResponse, include_in_schema=False)
async def upload_preview(
    request: Request,
    file: Annotated[UploadFile, File()],
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    session, refused = _guard(request, csrf)
    if refused is not None:
        return refused
    assert session is not None
    name = os.path.basename(file.filename or "")
    if not name.lower().endswith(ALLOWED):
        error = say("page_file_type", name=name or "未选择文件 no file", allowed="、".join(ALLOWED))
        return _page(request, 422, error=error)
    content = await file.read()
    try:
        plan = await run_in_threadpool(_extract, name, content)
    except Exception as exc:  # a file extraction cannot read: said on the page, nothing kept
        return _page(request, 422, error=say("page_unreadable", name=name, reason=exc))
    key = _drafts(request).put(session.sid, name, content, plan.doc)
    known = {p.doc for p in get_state(request).store.plans()}
    return _page(request, preview=_preview(key, name, plan, known))


@router.post("/upload/add", response_class=HTMLResponse, include_in_schema=False)
async def upload_add(
    request: Request,
    draft: Annotated[str, Form(max_length=100)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    session, refused = _guard(request, csrf)
    if refused is not None:
        return refused
    assert session is not None
    found = _drafts(request).take(session.sid, draft)
    if found is None:
        return _page(request, 410, error=say("page_preview_expired"))
    try:
        summary = await run_in_threadpool(_add, request, found)
    except ValueError as exc:
        return _page(request, 422, error=say("plan_conflict", reason=exc))
    return _page(request, added=summary)


def _add(request: Request, draft: _Draft) -> dict:
    """Library.add_plan under the app's write lock, then the app serves the new store (the RDF
    store records the plan's date added in the same write)."""
    state, library = get_state(request), _library(request)
    assert library is not None  # _guard checked it
    with state.lock:  # the same lock as POST /plans: one change at a time
        store, rdf, summary = library.add_plan(draft.name, draft.content)
        state.store, state.rdf = store, rdf_source(rdf, get_settings(request))
    return {**summary, "doc": draft.doc}
