"""The questions users ask of the graph, as one interface with two implementations:
`EmbeddedStore` (networkx, in process, the default) and `Neo4jStore` (a Neo4j server).

Answers are plain dataclasses so the API, the CLI, the views and the exports do not care which
store produced them; the contract tests run one suite against both and expect equal answers.
Lists are returned in a deterministic order (documented per method) so answers compare equal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

RoleFilter = Literal["lead", "assist", "any"]


@dataclass(frozen=True)
class AgencyRef:
    iri: str
    name: str  # canonical name (skos:prefLabel@zh)
    jurisdiction: str


@dataclass(frozen=True)
class AgencyInfo:
    iri: str
    name: str
    jurisdiction: str
    kind: str
    aliases: tuple[str, ...] = ()  # every spelling seen (skos:altLabel), sorted
    collective: bool = False


@dataclass(frozen=True)
class SourceRef:
    """Where a fact comes from: the plan document, its section path and the character span."""

    doc: str
    plan_title: str
    section: tuple[str, ...]
    start: int
    end: int


@dataclass(frozen=True)
class IndicatorInfo:
    iri: str
    subject: str
    value: float
    unit: str
    norm_value: float
    norm_unit: str
    comparator: str
    year: int | None
    source: SourceRef
    task_id: str | None = None  # None for a plan-level goal


@dataclass(frozen=True)
class DeadlineInfo:
    """When a task is due: `text` exactly as the plan writes it (`12月底前`, `长期坚持`) and the
    ISO date it states (`2024-12-31`), None for open-ended wording. Dates stay strings so
    every store and file format carries the same value."""

    text: str
    date: str | None = None


@dataclass(frozen=True)
class TaskInfo:
    id: str  # URL-safe, e.g. 000_99d16d149e72ffbe-t003
    iri: str
    title: str
    text: str
    jurisdiction: str
    source: SourceRef
    lead: tuple[AgencyRef, ...] = ()  # in the order the plan names them: lead[0] answers
    assist: tuple[AgencyRef, ...] = ()  # in the order the plan names them
    indicators: tuple[IndicatorInfo, ...] = ()
    projects: tuple[str, ...] = ()
    parks: tuple[str, ...] = ()
    deadline: DeadlineInfo | None = None
    clause: str = ""  # the responsibility clause as written (pk:clause), located in `text`


@dataclass(frozen=True)
class ProjectInfo:
    iri: str
    name: str
    jurisdiction: str
    parks: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()  # the sentences that tie the project to its parks
    task_ids: tuple[str, ...] = ()  # tasks that mention it


@dataclass(frozen=True)
class ParkInfo:
    iri: str
    name: str
    jurisdiction: str
    project_count: int = 0
    task_count: int = 0


@dataclass(frozen=True)
class PlanInfo:
    iri: str
    doc: str
    title: str
    jurisdiction: str
    task_count: int
    goal_count: int


@dataclass(frozen=True)
class WorkingGroupInfo:
    iri: str
    name: str
    doc: str
    jurisdiction: str
    convener: str | None
    deputy_conveners: tuple[str, ...]
    office: AgencyRef | None
    members: tuple[AgencyRef, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class CoordinationCell:
    """`count` tasks in which `row` leads and `col` assists (mode "lead_assist"), or in which
    both are named (mode "co", symmetric, row < col by name)."""

    row: AgencyRef
    col: AgencyRef
    count: int


@dataclass(frozen=True)
class LoadRow:
    agency: AgencyRef
    lead: int
    assist: int

    @property
    def total(self) -> int:
        return self.lead + self.assist


@runtime_checkable
class Store(Protocol):
    """Read questions over the plan graph. Filters are optional and combine with AND.

    `plan` filters by plan document name (`000_99d16d149e72ffbe.txt`, the stem also accepted);
    `jurisdiction` by jurisdiction name (`平江县`).
    """

    def agencies(self, q: str | None = None, jurisdiction: str | None = None) -> list[AgencyInfo]:
        """Agencies whose name or any alias contains `q`; sorted by (jurisdiction, name)."""
        ...

    def resolve_agency(self, name: str, jurisdiction: str | None = None) -> list[AgencyInfo]:
        """Agencies that `name` denotes exactly (canonical name or alias, jurisdiction prefix
        optional); more than one means the name is ambiguous across jurisdictions."""
        ...

    def agency(self, iri: str) -> AgencyInfo | None: ...

    def tasks_of_agency(
        self,
        agency_iri: str,
        role: RoleFilter = "any",
        plan: str | None = None,
        jurisdiction: str | None = None,
    ) -> list[TaskInfo]:
        """Tasks the agency leads / assists; sorted by (doc, source start)."""
        ...

    def task(self, task_id: str) -> TaskInfo | None:
        """One task; in every `TaskInfo` a store returns, `lead` and `assist` list the
        agencies in the order the plan names them (pk:position), never re-sorted."""
        ...

    def search_tasks(self, q: str, limit: int = 50) -> list[TaskInfo]:
        """Tasks whose text or title contains `q`; sorted by (doc, source start)."""
        ...

    def indicators(
        self,
        subject: str | None = None,
        plan: str | None = None,
        agency_iri: str | None = None,
        task_id: str | None = None,
        include_goals: bool = True,
    ) -> list[IndicatorInfo]:
        """Indicators (task targets and plan goals); sorted by (doc, source start)."""
        ...

    def parks(self, jurisdiction: str | None = None) -> list[ParkInfo]: ...

    def projects_in_park(self, park_iri: str) -> list[ProjectInfo]: ...

    def park_by_name(self, name: str) -> list[ParkInfo]: ...

    def plans(self) -> list[PlanInfo]: ...

    def working_groups(self, plan: str | None = None) -> list[WorkingGroupInfo]: ...

    def coordination(
        self,
        jurisdiction: str | None = None,
        plan: str | None = None,
        mode: Literal["lead_assist", "co"] = "lead_assist",
    ) -> list[CoordinationCell]:
        """Non-zero cells, sorted by (-count, row name, col name)."""
        ...

    def load(self, jurisdiction: str | None = None, plan: str | None = None) -> list[LoadRow]:
        """Tasks per agency by role, sorted by (-total, name)."""
        ...
