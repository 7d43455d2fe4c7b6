"""Files → plans → the RDF store and its files: the `plankg ingest` pipeline as a library call.

A file that cannot be read is reported and skipped; the other files of the batch are still
ingested, and the previous store and graph files are only replaced once the new ones are
complete. With `jobs` > 1 plans are extracted (and their N-Triples built, as one bytes block
per plan) in worker processes; results come back in file order, and duplicates and doc-name
clashes are decided in that order, so the output is the same bytes for any number of jobs.
With `jobs` > 1 the rest overlaps too: the plan graphs are bulk-loaded by a thread of this
process while the workers extract, and once the sorted plankg.nt is written, Turtle and
JSON-LD are serialised from it in two child processes while the default graph loads. With
one job everything runs one step after the other in this process: one core. This module
writes through `graph/rdf_store.py` and `graph/spool.py` (ingest → graph: the store it
builds).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from plankg.graph.rdf_store import NT, STORE_DIR, BulkLoader, RdfStore, Serialiser, swap_in
from plankg.graph.spool import LineSpool
from plankg.ingest.agencies import AgencyDirectory
from plankg.ingest.discover import discover_plans
from plankg.ingest.extract import extract_plan
from plankg.ingest.model import Plan, Warning_
from plankg.ingest.rdf import plan_lines
from plankg.ingest.reading import PlanReadError
from plankg.ontology import iris

FREEZE_EVERY = 100  # plans between two freezes of the finished plans (see extract_all)
# below this much N-Triples, Turtle and JSON-LD are written in this process: starting two
# child processes (~0.5 s) costs more than it saves
SERIALISE_APART_BYTES = 16 * 1024 * 1024


@dataclass
class IngestSummary:
    plans: list[Plan] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    triples: int = 0
    outputs: dict[str, Path] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per ingest phase

    @property
    def warnings(self) -> list[Warning_]:
        return [w for p in self.plans for w in p.warnings]

    def counts(self) -> dict[str, int]:
        agencies = {(a.jurisdiction, a.canonical) for p in self.plans for a in p.agencies()}
        projects = {
            (p.jurisdiction, name) for p in self.plans for t in p.tasks for name in t.projects
        }
        parks = {(p.jurisdiction, name) for p in self.plans for t in p.tasks for name in t.parks}
        return {
            "plans": len(self.plans),
            "tasks": sum(len(p.tasks) for p in self.plans),
            "agencies": len(agencies),
            "indicators": sum(len(t.indicators) for p in self.plans for t in p.tasks)
            + sum(len(g.indicators) for p in self.plans for g in p.goals),
            "projects": len(projects),
            "parks": len(parks),
            "working_groups": sum(len(p.working_groups) for p in self.plans),
            "triples": self.triples,
            "warnings": len(self.warnings),
            "errors": len(self.errors) + len(self.duplicates),
        }


OnPlan = Callable[[Plan, bytes], None]
Outcome = tuple[Plan | PlanReadError, bytes | None]


class _Worker:
    """Per-process settings of the extraction workers (set once by the pool initialiser)."""

    jurisdiction: str | None = None
    title: str | None = None
    directory: AgencyDirectory | None = None
    lines: bool = False


def _init_worker(jurisdiction, title, directory, lines) -> None:
    _Worker.jurisdiction, _Worker.title, _Worker.lines = jurisdiction, title, lines
    _Worker.directory = directory or AgencyDirectory.load()


def _extract_one(path: Path) -> Outcome:
    """One file in a worker: the plan (or why it could not be read) and its lines."""
    try:
        plan = extract_plan(
            path,
            jurisdiction=_Worker.jurisdiction,
            title=_Worker.title,
            directory=_Worker.directory,
        )
    except PlanReadError as exc:
        return exc, None
    except OSError as exc:  # the file system refused this file (a name too long…)
        return _unreadable(path, exc), None
    return plan, ntriples(plan) if _Worker.lines else None


def ntriples(plan: Plan) -> bytes:
    """A plan's sorted distinct N-Triples lines as one block of bytes: one object to send
    back from a worker and to hand on to the store and the spool, not 1,600 strings."""
    return "".join(plan_lines(plan)).encode("utf-8")


def _unreadable(path: Path, exc: OSError) -> PlanReadError:
    """An error for this file only: the rest of the batch goes on."""
    return PlanReadError(f"{path}: cannot be read ({exc.strerror or exc})")


def _outcomes(
    files: list[Path],
    jobs: int,
    jurisdiction: str | None,
    title: str | None,
    directory: AgencyDirectory,
    lines: bool,
) -> Iterator[Outcome]:
    """Each file's outcome, in file order: in this process for one job, else from a pool of
    `jobs` worker processes fed in chunks."""
    if jobs <= 1 or len(files) < 2:
        for path in files:
            try:
                plan = extract_plan(
                    path, jurisdiction=jurisdiction, title=title, directory=directory
                )
            except PlanReadError as exc:
                yield exc, None
                continue
            except OSError as exc:
                yield _unreadable(path, exc), None
                continue
            yield plan, ntriples(plan) if lines else None
        return
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    chunk = max(1, min(16, len(files) // (jobs * 8)))
    with ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context(method),
        initializer=_init_worker,
        initargs=(jurisdiction, title, directory, lines),
    ) as pool:
        yield from pool.map(_extract_one, files, chunksize=chunk)


def extract_all(
    paths: Iterable[str | Path],
    *,
    jurisdiction: str | None = None,
    title: str | None = None,
    progress: Callable[[Iterable[Path]], Iterable[Path]] | None = None,
    directory: AgencyDirectory | None = None,
    jobs: int = 1,
    on_plan: OnPlan | None = None,
) -> IngestSummary:
    """Extract every plan under `paths`; unreadable files and duplicate contents are reported.
    `on_plan(plan, ntriples)` gets each kept plan with its sorted N-Triples lines (bytes,
    `ntriples`), in file order.

    The plans of a batch stay in memory until the graph is written, and Python's cyclic
    collector would rescan all of them on each full collection, so each plan would cost more
    the more came before it (measured: +25 % per KB by 4,000 plans). Finished plans are
    therefore frozen out of the collector's view every 100 plans, and thawed at the end.
    """
    found = discover_plans(paths)
    summary = IngestSummary(errors=list(found.errors))
    directory = directory or AgencyDirectory.load()
    seen: dict[str, str] = {}
    docs: dict[str, str] = {}  # plan IRI (from the stem) → the doc that has it
    outcomes = _outcomes(found.files, jobs, jurisdiction, title, directory, on_plan is not None)
    files = progress(found.files) if progress else found.files
    thaw = gc.get_freeze_count() == 0  # leave alone whatever the process froze before
    try:
        for path, (plan, lines) in zip(files, outcomes, strict=True):
            if isinstance(plan, PlanReadError):
                summary.errors.append(str(plan))
                continue
            if plan.sha256 in seen:
                summary.duplicates.append(
                    f"{path}: same content as {seen[plan.sha256]}; skipped as a duplicate"
                )
                continue
            key = str(iris.plan_iri(plan.doc))
            if key in docs:
                other = docs[key]
                summary.duplicates.append(
                    f"{path}: another plan is already named {other}; skipped"
                    if other == plan.doc
                    else f"{path}: the plan {other} has the same name before its extension "
                    f"(both would be {key}); skipped"
                )
                continue
            seen[plan.sha256] = str(path)
            docs[key] = plan.doc
            summary.plans.append(plan)
            if on_plan is not None and lines is not None:
                on_plan(plan, lines)
            if len(summary.plans) % FREEZE_EVERY == 0:
                gc.collect()  # only what is not frozen yet: the last 100 plans' leftovers
                gc.freeze()
    finally:
        if thaw:
            gc.unfreeze()
    return summary


def default_jobs() -> int:
    return os.cpu_count() or 1


def ingest(
    paths: Iterable[str | Path],
    out_dir: str | Path,
    *,
    jurisdiction: str | None = None,
    title: str | None = None,
    progress: Callable[[Iterable[Path]], Iterable[Path]] | None = None,
    jobs: int = 1,
    directory: AgencyDirectory | None = None,
) -> IngestSummary:
    """Extract, build the RDF store in `out_dir/store` (a new one, swapped in when complete)
    and write plankg.nt, .ttl and .jsonld from it."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=".store-new-", dir=out))
    try:
        with LineSpool(directory=build) as spool:
            summary, built = _extract_into(
                build, spool, paths, jurisdiction, title, progress, jobs, directory
            )
        if not summary.plans:
            return summary
        swap_in(build / STORE_DIR, out)
        started = time.perf_counter()
        written = RdfStore.open(out).write_derived(
            out, nt=build / NT, triples=built.triples, serialised=built.serialised
        )
        summary.timings["files_s"] = built.files_s + time.perf_counter() - started
        summary.triples = written["record"]["triples"]
        summary.outputs = {k: written[k] for k in ("nt", "ttl", "jsonld")}
        summary.outputs["store"] = out / STORE_DIR
    finally:
        shutil.rmtree(build, ignore_errors=True)
    return summary


def write_plans(plans: Iterable[Plan], out_dir: str | Path) -> dict[str, Path]:
    """A data folder (RDF store and the three files) holding exactly `plans`, already
    extracted: what `ingest` writes, for callers that have the plans in hand."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=".store-new-", dir=out))
    try:
        RdfStore.open(build).bulk_load((p.doc, plan_lines(p)) for p in plans)
        swap_in(build / STORE_DIR, out)
    finally:
        shutil.rmtree(build, ignore_errors=True)
    written = RdfStore.open(out).write_derived(out)
    return {k: written[k] for k in ("nt", "ttl", "jsonld")}


@dataclass
class _Built:
    """What `_extract_into` made besides the store: plankg.nt's line count and, when they
    were serialised apart, the Turtle and JSON-LD files (waited for: `files_s`)."""

    triples: int = 0
    serialised: dict[str, Path] | None = None
    files_s: float = 0.0


def _extract_into(
    build: Path,
    spool: LineSpool,
    paths: Iterable[str | Path],
    jurisdiction: str | None,
    title: str | None,
    progress: Callable[[Iterable[Path]], Iterable[Path]] | None,
    jobs: int,
    directory: AgencyDirectory | None = None,
) -> tuple[IngestSummary, _Built]:
    """Extract the plans into a new store under `build` and their lines into `spool`, write
    the sorted distinct lines to `build/plankg.nt` (the default graph is loaded from it); the
    store is closed on return (its last reference goes), so it can be moved. With `jobs` > 1
    the plan graphs load in a thread during extraction, and a large plankg.nt is serialised
    to Turtle and JSON-LD in child processes while the default graph loads."""
    loader = BulkLoader(RdfStore.open(build), background=jobs > 1)
    built = _Built()

    def on_plan(plan: Plan, ntriples: bytes) -> None:
        loader.add_ntriples(plan.doc, ntriples)
        spool.add_lines(ntriples)

    started = time.perf_counter()
    try:
        summary = extract_all(
            paths,
            jurisdiction=jurisdiction,
            title=title,
            progress=progress,
            directory=directory,
            jobs=jobs,
            on_plan=on_plan,
        )
    except BaseException:
        loader.discard()
        raise
    summary.timings["extract_s"] = time.perf_counter() - started
    if not summary.plans:
        loader.discard()
        return summary, built
    started = time.perf_counter()
    built.triples = spool.write_to(build / NT)
    summary.timings["sort_s"] = time.perf_counter() - started
    serialiser = None
    if jobs > 1 and (build / NT).stat().st_size >= SERIALISE_APART_BYTES:
        serialiser = Serialiser(build / NT, build)
    try:
        started = time.perf_counter()
        loader.close(build / NT)  # the default graph: every distinct triple once
        summary.timings["store_s"] = time.perf_counter() - started
    finally:
        if serialiser is not None:
            started = time.perf_counter()
            built.serialised = serialiser.wait()
            built.files_s = time.perf_counter() - started
    return summary, built
