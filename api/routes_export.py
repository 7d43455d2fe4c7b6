"""File downloads under `/export/…`: coordination matrix, task ledger, indicators, indicator
conflicts, the load chart and the agency–task graph — the same bytes `plankg export` writes.

Each response carries its content type and a `Content-Disposition` with an ASCII `filename=`
fallback plus the Chinese name as RFC 5987 `filename*=UTF-8''…`. Errors use the API's JSON
shape (`api/errors.py`); a filter or agency that names nothing is a 404 with the closest names.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import Response

from plankg.api.deps import JurisdictionFilter, PlanFilter, StoreDep, Text
from plankg.api.errors import COMMON, LOOKUP, ApiError, error_doc
from plankg.viz.files import FORMATS, MEDIA_TYPES, ExportError, ExportFile, render_export

router = APIRouter(
    prefix="/export", tags=["exports"], responses=COMMON, default_response_class=Response
)

Role = Literal["lead", "assist", "any"]
Mode = Literal["lead_assist", "co"]
TableFormat = Literal["csv", "xlsx"]
MinCount = Annotated[int, Query(ge=1, le=10_000, description="Drop cells below this count.")]

ERRORS = {400: error_doc("format not available for this export"), **LOOKUP}


def file_responses(kind: str) -> dict:
    """The file's media types (one per format of `kind`) and the error bodies."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    content = {MEDIA_TYPES[fmt].split(";")[0]: binary for fmt in FORMATS[kind]}
    return {200: {"content": content, "description": "the file"}, **ERRORS}


def content_disposition(file: ExportFile, disposition: str = "attachment") -> str:
    """`attachment; filename="ascii.xlsx"; filename*=UTF-8''%E5%8D%8F…` (RFC 6266/5987)."""
    fallback = file.ascii_filename.replace("\\", "_").replace('"', "_")
    return (
        f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(file.filename, safe='')}"
    )


def _send(store, kind: str, fmt: str | None, **filters) -> Response:
    try:
        file = render_export(store, kind, fmt, **filters)  # type: ignore[arg-type]
    except ExportError as exc:
        raise ApiError(400, "bad_export", reason=str(exc)) from exc
    return Response(
        file.content,
        media_type=file.media_type,
        headers={"Content-Disposition": content_disposition(file)},
    )


@router.get(
    "/matrix", responses=file_responses("matrix"), summary="Agency × agency coordination matrix"
)
def export_matrix(
    store: StoreDep,
    jurisdiction: JurisdictionFilter,
    plan: PlanFilter,
    format: Literal["csv", "xlsx", "png"] = "csv",
    agency: Text = None,
    mode: Mode = "lead_assist",
    min_count: MinCount = 1,
) -> Response:
    """Cell = tasks in which the row agency leads and the column agency assists (`lead_assist`)
    or in which both are named (`co`, symmetric). `agency` keeps only its row and column."""
    return _send(
        store,
        "matrix",
        format,
        jurisdiction=jurisdiction,
        plan=plan,
        agency=agency or None,
        mode=mode,
        min_count=min_count,
    )


@router.get("/ledger", responses=file_responses("ledger"), summary="任务分工台账: one row per task")
def export_ledger(
    store: StoreDep,
    jurisdiction: JurisdictionFilter,
    plan: PlanFilter,
    format: TableFormat = "csv",
    agency: Text = None,
    role: Role = "any",
) -> Response:
    return _send(
        store,
        "ledger",
        format,
        jurisdiction=jurisdiction,
        plan=plan,
        agency=agency or None,
        role=role,
    )


@router.get(
    "/indicators", responses=file_responses("indicators"), summary="Every target across plans"
)
def export_indicators(
    store: StoreDep,
    jurisdiction: JurisdictionFilter,
    plan: PlanFilter,
    format: TableFormat = "csv",
    subject: Text = None,
) -> Response:
    return _send(
        store,
        "indicators",
        format,
        jurisdiction=jurisdiction,
        plan=plan,
        subject=subject or None,
    )


@router.get(
    "/conflicts",
    responses=file_responses("conflicts"),
    summary="Same subject, different target values in two plans of one jurisdiction",
)
def export_conflicts(
    store: StoreDep,
    jurisdiction: JurisdictionFilter,
    plan: PlanFilter,
    format: TableFormat = "csv",
    subject: Text = None,
) -> Response:
    """Subjects match after normalisation (NFKC, no whitespace/punctuation, leading 全县/全区/…
    dropped) with the same normalised unit and compatible years; see `graph.exports`."""
    return _send(
        store,
        "conflicts",
        format,
        jurisdiction=jurisdiction,
        plan=plan,
        subject=subject or None,
    )


@router.get(
    "/load-chart",
    responses=file_responses("load-chart"),
    summary="Tasks led and assisted per agency: a one-page bar chart (PNG or SVG)",
)
def export_load_chart(
    store: StoreDep,
    jurisdiction: JurisdictionFilter,
    plan: PlanFilter,
    format: Literal["png", "svg"] = "png",
) -> Response:
    """Horizontal stacked bars (牵头, 配合) per agency, busiest first, for one jurisdiction
    (or all) and plan (or all); the same bytes as `plankg export load-chart`."""
    return _send(store, "load-chart", format, jurisdiction=jurisdiction, plan=plan)


@router.get("/graphml", responses=file_responses("graphml"), summary="Agency–task graph as GraphML")
def export_graphml(store: StoreDep, jurisdiction: JurisdictionFilter, plan: PlanFilter) -> Response:
    return _send(store, "graphml", "graphml", jurisdiction=jurisdiction, plan=plan)


@router.get("/gexf", responses=file_responses("gexf"), summary="Agency–task graph as GEXF (Gephi)")
def export_gexf(store: StoreDep, jurisdiction: JurisdictionFilter, plan: PlanFilter) -> Response:
    return _send(store, "gexf", "gexf", jurisdiction=jurisdiction, plan=plan)
