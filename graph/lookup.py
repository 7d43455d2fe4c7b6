"""Turn what a person typed into the thing it names, or a domain error with the closest names
(`graph/errors.py`) — shared by the API, the views, the exports and the CLI so they can never
disagree. Filters (`plan`, `jurisdiction`) are checked here too: a filter that names nothing
is an error, never an empty answer that looks like a true "none"."""

from __future__ import annotations

import difflib
import threading
import time
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath

from plankg.graph.errors import Ambiguous, BadFilter, Unknown
from plankg.graph.store import AgencyInfo, ParkInfo, PlanInfo, Store, TaskInfo
from plankg.ontology.names import Place, query_level

CLOSEST = 5  # suggestions per error
CUTOFF = 0.3  # difflib ratio below which a name is not offered


def closest(name: str, names: Iterable[str], n: int = CLOSEST) -> list[str]:
    """The known names nearest to `name`, best first (difflib's ratio, as `plankg query`)."""
    return difflib.get_close_matches(name, sorted(set(names)), n=n, cutoff=CUTOFF)


def resolve_agency(store: Store, name: str, jurisdiction: str | None = None) -> AgencyInfo:
    """The one agency `name` denotes (canonical name or alias, jurisdiction prefix optional);
    raises `Ambiguous` with the candidates or `Unknown` with the closest names."""
    found = store.resolve_agency(name, jurisdiction)
    if len(found) == 1:
        return found[0]
    if found:
        raise Ambiguous("agency", name, found)
    names = (n for a in store.agencies(jurisdiction=jurisdiction) for n in (a.name, *a.aliases))
    raise Unknown("agency", name, closest(name, names))


def resolve_park(store: Store, name: str, jurisdiction: str | None = None) -> ParkInfo:
    """The one park `name` denotes within `jurisdiction` (any when None)."""
    parks = [
        p for p in store.park_by_name(name) if not jurisdiction or p.jurisdiction == jurisdiction
    ]
    if len(parks) == 1:
        return parks[0]
    if parks:
        raise Ambiguous("park", name, parks)
    raise Unknown("park", name, closest(name, (p.name for p in store.parks(jurisdiction))))


def task_or_unknown(store: Store, task_id: str) -> TaskInfo:
    """The task with this id; `Unknown` offers the plan's first task when the id's plan part
    names a plan (`<plan stem>-t<n>`)."""
    found = store.task(task_id)
    if found is None:
        stem = task_id.rsplit("-t", 1)[0]
        plan = vocabulary(store).plan(stem)
        hint = [PurePath(plan.doc).stem + "-t001"] if plan and plan.task_count else []
        raise Unknown("task", task_id, hint)
    return found


# ---------------------------------------------------------------- filters


@dataclass(frozen=True)
class Vocabulary:
    """The names a filter may take in one store: plan documents (and their stems and IRIs)
    and jurisdictions (of plans, agencies and parks)."""

    plans: tuple[PlanInfo, ...]
    jurisdictions: frozenset[str]

    @classmethod
    def of(cls, store: Store) -> Vocabulary:
        plans = tuple(store.plans())
        places = {p.jurisdiction for p in plans}
        places |= {a.jurisdiction for a in store.agencies()}
        places |= {p.jurisdiction for p in store.parks()}
        return cls(plans, frozenset(j for j in places if j))

    def plan(self, value: str) -> PlanInfo | None:
        return next((p for p in self.plans if value in (p.doc, PurePath(p.doc).stem, p.iri)), None)


_VOCABULARIES: weakref.WeakKeyDictionary[object, tuple[float, Vocabulary]] = (
    weakref.WeakKeyDictionary()
)
_VOCAB_LOCK = threading.Lock()
SERVER_VOCAB_TTL_S = 30.0  # a database can change under a running server (`plankg load`)


def vocabulary(store: Store) -> Vocabulary:
    """The store's `Vocabulary`, computed once per store object: the API swaps in a new store
    object on every upload, so the embedded store's is never stale; a database store's is
    recomputed after `SERVER_VOCAB_TTL_S`."""
    ttl = None if getattr(store, "in_memory", False) else SERVER_VOCAB_TTL_S
    now = time.monotonic()
    try:
        with _VOCAB_LOCK:
            cached = _VOCABULARIES.get(store)
    except TypeError:  # an unhashable store: no cache
        return Vocabulary.of(store)
    if cached is not None and (ttl is None or now - cached[0] < ttl):
        return cached[1]
    vocab = Vocabulary.of(store)
    with _VOCAB_LOCK:
        _VOCABULARIES[store] = (now, vocab)
    return vocab


def forget(store: Store) -> None:
    """Drop a store's cached vocabulary (after the data behind the same object changed)."""
    with _VOCAB_LOCK:
        _VOCABULARIES.pop(store, None)


def check_plan(store: Store, plan: str | None) -> PlanInfo | None:
    """The plan the filter names, None for no filter; raises `BadFilter` for a typo."""
    if not plan:
        return None
    vocab = vocabulary(store)
    found = vocab.plan(plan)
    if found is None:
        names = [n for p in vocab.plans for n in (p.doc, p.title)]
        raise BadFilter("plan", plan, closest(plan, names))
    return found


def check_jurisdiction(store: Store, jurisdiction: str | None) -> str | None:
    """The jurisdiction unchanged when the store knows it; raises `BadFilter` for a typo."""
    if not jurisdiction:
        return None
    known = vocabulary(store).jurisdictions
    if jurisdiction not in known:
        raise BadFilter("jurisdiction", jurisdiction, closest(jurisdiction, known))
    return jurisdiction


def check_filters(
    store: Store, *, plan: str | None = None, jurisdiction: str | None = None
) -> None:
    """Both filters at once, jurisdiction first (the coarser mistake)."""
    check_jurisdiction(store, jurisdiction)
    check_plan(store, plan)


def narrow_by_level(
    name: str, jurisdiction: str | None, found: list[AgencyInfo]
) -> list[AgencyInfo]:
    """The matches of a typed name, in a stable order; within the jurisdiction given, and,
    when the name is written at a level (`县发改局`), at that level if any match there."""
    if jurisdiction:
        found = [i for i in found if i.jurisdiction == jurisdiction]
    level = None if jurisdiction else query_level(name)
    if level is not None:
        same = [i for i in found if Place.of(i.jurisdiction).level == level]
        found = same or found
    return sorted(found, key=lambda i: (i.jurisdiction, i.name))
