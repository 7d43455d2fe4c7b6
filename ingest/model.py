"""The structured model of an action plan: the contract between extraction and everything else.

Every fact carries a `Span` into the *original* source text of its document, so the RDF, the
stores and the API can always point a reader back to the sentence a fact came from.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Comparator = Literal[">=", "<=", "~", "="]
Role = Literal["lead", "assist"]


@dataclass(frozen=True, order=True)
class Span:
    """Half-open character range [start, end) in the original (decoded) source text."""

    start: int
    end: int


class PlanReadError(Exception):
    """A file that cannot be read as a plan; the message names the file and says why."""


class _Picklable:
    """Exceptions with their own constructor arguments cross process boundaries (ingest's
    worker pool) only if pickling replays those arguments."""

    _args: tuple = ()

    def __reduce__(self):
        return (type(self), self._args)


class PlanTooLarge(_Picklable, PlanReadError):
    """A plan over one of `ingest.limits.Limits`: `limit` is the field's name, `value` what was
    seen (at least; counting stops at the limit) and `maximum` the limit, both in `unit`
    (bytes, chars, pages, members, tasks or ratio). The API answers 413."""

    def __init__(self, doc: str, what: str, limit: str, value: float, maximum: float, unit: str):
        from plankg.ingest.limits import describe

        self.doc, self.limit, self.value, self.maximum, self.unit = doc, limit, value, maximum, unit
        self._args = (doc, what, limit, value, maximum, unit)
        super().__init__(
            f"{doc}: {what} is {describe(value, unit)}, over the limit of "
            f"{describe(maximum, unit)} [{limit}]"
        )


class PlanNameTooLong(_Picklable, PlanReadError):
    """A file name too long for the sidecar (`NAME.meta.toml`) and the temporary files written
    next to the plan; the API answers 422."""

    def __init__(self, name: str, value: int, maximum: int):
        self.limit, self.value, self.maximum, self.unit = "max_name_bytes", value, maximum, "bytes"
        self._args = (name, value, maximum)
        short = name[:40] + "…" if len(name) > 40 else name
        super().__init__(
            f"{short}: the file name is {value} bytes (UTF-8), over the limit of {maximum} "
            "bytes [max_name_bytes]; rename the file"
        )


# Warning codes, each with what it means (README "Reliability" lists them).
WARNING_CODES: dict[str, str] = {
    "unparsed-clause": "a responsibility clause was found but could not be read",
    "unreadable-clause": "bracketed text that assigns work is not the task's clause "
    "(doubly nested, unbalanced, mid-sentence or a second clause in one item)",
    "not-an-agency": "a name in a clause does not read as an agency; left out",
    "no-assignment": "an item with no responsibility assignment, not in a goals section",
    "truncated": "the text ends inside an item, before any assignment",
    "no-tasks": "no responsibility clauses found",
    "no-title": "no plan title found; the file name is used",
    "no-jurisdiction": "jurisdiction not detected; agencies filed under 未知辖区",
}


@dataclass
class Warning_:
    """A problem found while reading a plan: reported with its location, never dropped silently."""

    doc: str
    code: str  # e.g. "unparsed-clause", "encoding", "empty-file"
    message: str
    span: Span | None = None

    def __str__(self) -> str:
        where = f"{self.doc}:{self.span.start}-{self.span.end}" if self.span else self.doc
        return f"{where}: [{self.code}] {self.message}"


@dataclass(frozen=True)
class Agency:
    """A canonical agency: one body within one jurisdiction."""

    canonical: str
    jurisdiction: str
    kind: str = "government_department"
    aliases: tuple[str, ...] = ()
    collective: bool = False  # "各镇", "市级各有关部门": stays as written, not a single body


@dataclass(frozen=True)
class AgencyMention:
    """An agency as a clause writes it, and what it resolved to."""

    raw: str
    agency: Agency
    span: Span | None = None


@dataclass
class Indicator:
    """A quantitative target: `subject comparator value unit [by year]`."""

    subject: str
    value: float
    unit: str
    norm_value: float
    norm_unit: str
    comparator: Comparator = "="
    year: int | None = None
    span: Span | None = None


@dataclass(frozen=True)
class Deadline:
    """When a task is due, as the plan writes it (`12月底前`, `长期坚持`), and the date it
    states if any: ISO `YYYY-MM-DD`, the last day of the stated period (the plan's year when
    the text names only a month). `date` is None for open-ended wording (`持续推进`)."""

    text: str
    date: str | None = None
    span: Span | None = None

    def to_record(self) -> dict[str, Any]:
        return {"text": self.text, "date": self.date}


@dataclass
class ProjectLocation:
    """A project tied to a park by the text, with the sentence that ties them."""

    project: str
    park: str
    evidence: str
    span: Span | None = None


@dataclass
class Section:
    """A heading: its number as written (`（一）`), title, nesting level and span."""

    heading: str  # as written, white space removed, e.g. "（一）突出做强支柱产业"
    level: int
    span: Span


@dataclass
class Task:
    """A unit of text that carries its own responsibility assignment."""

    doc: str
    section: list[str]
    title: str
    text: str  # normalised text, clause included
    span: Span
    lead: list[AgencyMention] = field(default_factory=list)
    assist: list[AgencyMention] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)
    parks: list[str] = field(default_factory=list)
    clause: str = ""  # the responsibility clause as written (normalised)
    clause_span: Span | None = None
    ordinal: int = 0  # position of the task within its document, 1-based
    deadline: Deadline | None = None

    def to_record(self) -> dict[str, Any]:
        """The `tests/gold/tasks.jsonl` shape plus `kind`, `text` and `span` (CLI contract)."""
        return {
            "kind": "task",
            "doc": self.doc,
            "section": self.section,
            "title": self.title,
            "lead": [m.agency.canonical for m in self.lead],
            "assist": [m.agency.canonical for m in self.assist],
            "lead_raw": [m.raw for m in self.lead],
            "assist_raw": [m.raw for m in self.assist],
            "indicators": [indicator_record(i) for i in self.indicators],
            "projects": self.projects,
            "parks": self.parks,
            "deadline": self.deadline.to_record() if self.deadline else None,
            "text": self.text,
            "span": [self.span.start, self.span.end],
        }


@dataclass
class Goal:
    """A plan-level goal: the text of a goals section (工作目标 / 主要指标) or of a section's
    opening, with the targets it states — one goal is one record, whatever its number of
    targets."""

    doc: str
    section: list[str]
    indicators: list[Indicator]
    text: str = ""
    span: Span | None = None

    def to_record(self) -> dict[str, Any]:
        return {
            "kind": "goal",
            "doc": self.doc,
            "section": self.section,
            "text": self.text,
            "indicators": [indicator_record(i) for i in self.indicators],
            "span": [self.span.start, self.span.end] if self.span else None,
        }


@dataclass
class WorkingGroup:
    """A working group (工作专班) from a 推进机制 section."""

    doc: str
    name: str
    convener: str | None
    deputy_conveners: list[str]
    office_agency: AgencyMention | None
    members: list[AgencyMention]
    span: Span

    def to_record(self) -> dict[str, Any]:
        return {
            "kind": "working_group",
            "doc": self.doc,
            "name": self.name,
            "convener": self.convener,
            "deputy_conveners": self.deputy_conveners,
            "office_agency": self.office_agency.agency.canonical if self.office_agency else None,
            "members": [m.agency.canonical for m in self.members],
            "span": [self.span.start, self.span.end],
        }


@dataclass
class Plan:
    """One ingested plan document."""

    doc: str  # file base name
    title: str
    jurisdiction: str
    source_text: str  # the decoded original text; spans index into it
    sha256: str
    sections: list[Section] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    working_groups: list[WorkingGroup] = field(default_factory=list)
    project_locations: list[ProjectLocation] = field(default_factory=list)
    warnings: list[Warning_] = field(default_factory=list)
    division_code: str | None = None  # the official 6-digit code of the jurisdiction, if known
    jurisdiction_path: list[str] = field(default_factory=list)  # 山东省 › 济宁市 › 金乡县
    source_url: str | None = None  # the web address the file was saved from

    def to_record(self) -> dict[str, Any]:
        """The `kind: plan` line `plankg extract --format jsonl` prints before the tasks."""
        known = bool(self.jurisdiction_path) or self.division_code is not None
        return {
            "kind": "plan",
            "doc": self.doc,
            "title": self.title,
            "jurisdiction": self.jurisdiction if known else None,
            "division_code": self.division_code,
            "jurisdiction_path": self.jurisdiction_path or None,
        }

    def to_records(self, with_groups: bool = False) -> list[dict[str, Any]]:
        """The JSON lines of `plankg extract`: the plan line, then its tasks and goals (and
        working groups when asked)."""
        records = [self.to_record()]
        records += [t.to_record() for t in self.tasks] + [g.to_record() for g in self.goals]
        if with_groups:
            records += [wg.to_record() for wg in self.working_groups]
        return records

    def agencies(self) -> list[Agency]:
        """Every distinct agency the plan names, in first-mention order."""
        seen: dict[tuple[str, str], Agency] = {}
        for task in self.tasks:
            for m in (*task.lead, *task.assist):
                seen.setdefault((m.agency.jurisdiction, m.agency.canonical), m.agency)
        for wg in self.working_groups:
            for m in ([wg.office_agency] if wg.office_agency else []) + wg.members:
                seen.setdefault((m.agency.jurisdiction, m.agency.canonical), m.agency)
        return list(seen.values())


def indicator_record(ind: Indicator) -> dict[str, Any]:
    """An indicator in the gold-file shape (integers stay integers)."""
    d = asdict(ind)
    d.pop("span", None)
    for key in ("value", "norm_value"):
        v = d[key]
        if isinstance(v, float) and v.is_integer():
            d[key] = int(v)
    return d
