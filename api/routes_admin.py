"""Changes behind the API key: upload a plan, remove one, reload from disk. Thin over the
`Library` the app was given; the work (extraction, rewriting the graph files, reopening the
store) runs in a worker thread, so other requests keep being answered meanwhile."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, File, UploadFile
from starlette.concurrency import run_in_threadpool

from plankg.api.deps import AdminDep, AppState, NameInPath, SettingsDep, StateDep, rdf_source
from plankg.api.errors import COMMON, NOT_FOUND, ApiError, error_doc
from plankg.api.plan_errors import PlanConflict, UploadTooLarge
from plankg.api.schemas import PlanChange
from plankg.api.settings import Settings
from plankg.graph.errors import Unknown

AUTH = {
    400: error_doc("a body the server cannot parse (a malformed multipart body)"),
    401: error_doc("missing or wrong X-API-Key"),
    403: error_doc("changes disabled (no PLANKG_API_KEY) or a read-only store"),
}
router = APIRouter(tags=["admin"], responses={**COMMON, **AUTH})


def _apply(
    state: AppState, settings: Settings, change: Callable[..., tuple[Any, Any, dict]], *args: Any
) -> PlanChange:
    """One change at a time: the library call and the swap of store and RDF under the lock."""
    with state.lock:
        store, rdf, summary = change(*args)
        state.store, state.rdf = store, rdf_source(rdf, settings)
    return PlanChange(**summary)


@router.post(
    "/plans",
    response_model=PlanChange,
    summary="Upload a plan (API key required)",
    responses={
        409: error_doc("the same content as a plan already there, or another plan's stem"),
        413: error_doc("body over PLANKG_MAX_BODY_MIB, or a plan over a reading limit"),
        422: error_doc("not a plan: unreadable, unsupported type, no clauses"),
    },
)
async def upload(
    file: Annotated[UploadFile, File(description=".txt, .md, .docx, .pdf or .html")],
    library: AdminDep,
    state: StateDep,
    settings: SettingsDep,
):
    data = await file.read()
    name = os.path.basename(file.filename or "upload.txt")
    try:
        return await run_in_threadpool(_apply, state, settings, library.add_plan, name, data)
    except PlanConflict as exc:
        raise ApiError(409, "plan_conflict", {"existing": exc.existing}, reason=str(exc)) from exc
    except UploadTooLarge as exc:
        raise ApiError(413, "upload_too_large", reason=str(exc)) from exc
    except ValueError as exc:
        raise ApiError(422, "bad_upload", reason=str(exc)) from exc


@router.delete(
    "/plans/{doc}",
    response_model=PlanChange,
    summary="Remove a plan (API key required)",
    responses=NOT_FOUND,
)
def delete(doc: NameInPath, library: AdminDep, state: StateDep, settings: SettingsDep):
    try:
        return _apply(state, settings, library.remove_plan, doc)
    except KeyError as exc:
        known = [p.doc for p in state.store.plans()]
        from plankg.graph.lookup import closest

        raise Unknown("plan", doc, closest(doc, known)) from exc


@router.post("/reload", response_model=PlanChange, summary="Reload the graph from disk (API key)")
def reload(library: AdminDep, state: StateDep, settings: SettingsDep):
    return _apply(state, settings, library.reload)
