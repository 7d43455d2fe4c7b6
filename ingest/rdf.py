"""Plans → RDF under the plankg ontology, as N-Triples lines.

Agencies, projects and parks are keyed by (jurisdiction, name), so a second plan of the same
jurisdiction adds to the same nodes instead of duplicating them. No blank nodes: every node
has a deterministic IRI, which is what makes the serialised output byte-identical across runs.

Each plan's triples are built as N-Triples lines (`plan_lines`): plain f-strings, no term
objects. rdflib Graph objects made the RDF build the slowest step of `plankg ingest` (~40,000
triples/s); the lines go as they are into the RDF store (pyoxigraph parses them in Rust) and
into the sorted `plankg.nt`. A plan's lines include every triple it states about shared nodes
(its agencies, jurisdictions, projects, parks, units), so a plan's named graph in the store is
complete on its own. Nodes that subclass a reused class are also typed with that class
(`org:Organization`, `org:OrganizationalCollaboration`, `dcterms:BibliographicResource`,
`prov:Association`, `prov:Role`), so plain SPARQL without inference finds them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from plankg.ingest.model import Agency, AgencyMention, Deadline, Indicator, Plan, Span, Task
from plankg.ontology import iris
from plankg.ontology.gazetteer import gazetteer
from plankg.ontology.namespaces import DCTERMS, ORG, PK, PROV, RDF, SKOS, XSD

_XSD, _PK = str(XSD), str(PK)  # plain strings: an f-string of a Namespace runs its __str__
_ILLEGAL_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`]')


def iri(value: str) -> str:
    """An IRI as an N-Triples token; characters an IRI may not hold are percent-encoded."""
    if _ILLEGAL_IRI.search(value):
        value = _ILLEGAL_IRI.sub(lambda m: "".join(f"%{b:02X}" for b in m[0].encode()), value)
    return f"<{value}>"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def zh(text: str) -> str:
    return f'"{_escape(text)}"@zh'


def plain(text: str) -> str:
    return f'"{_escape(text)}"'


def typed(lexical: str, datatype: str) -> str:
    return f'"{_escape(lexical)}"^^<{datatype}>'


def _int(n: int) -> str:
    return f'"{int(n)}"^^<{_XSD}integer>'


def _decimal(x: float) -> str:
    d = Decimal(repr(float(x)))
    if d == d.to_integral_value():
        d = d.quantize(Decimal(1))
    return f'"{format(d, "f")}"^^<{_XSD}decimal>'


_TRUE = f'"true"^^<{_XSD}boolean>'


class _V:
    """Vocabulary terms as N-Triples tokens: `V.PKT["Task"]` → `<…ontology#Task>`."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], str] = {}

    def __call__(self, ns: str, local: str) -> str:
        # keyed by the pair: formatting an rdflib Namespace calls its __str__ in Python,
        # which was a tenth of building a plan's lines
        token = self._cache.get((ns, local))
        if token is None:
            token = self._cache[(ns, local)] = f"<{ns}{local}>"
        return token


_v = _V()
A = _v(RDF, "type")
LABEL, ALT = _v(SKOS, "prefLabel"), _v(SKOS, "altLabel")
DERIVED = _v(PROV, "wasDerivedFrom")


class _Tokens(dict):
    """`PKT["Task"]` → `<…ontology#Task>`: a plain dict lookup once made."""

    def __missing__(self, local: str) -> str:
        token = self[local] = f"<{_PK}{local}>"
        return token


PKT = _Tokens()


# Subclasses of reused classes (ontology/plankg.ttl) → the reused class, stated in the data.
ALSO_TYPED = {
    PKT["Agency"]: (_v(ORG, "Organization"),),
    PKT["Jurisdiction"]: (_v(ORG, "Organization"),),
    PKT["WorkingGroup"]: (_v(ORG, "OrganizationalCollaboration"),),
    PKT["Plan"]: (_v(DCTERMS, "BibliographicResource"),),
    PKT["Assignment"]: (_v(PROV, "Association"),),
    PKT["Role"]: (_v(PROV, "Role"),),
}


class Lines:
    """The distinct N-Triples lines of one plan (str, each ending in ' .\\n')."""

    def __init__(self) -> None:
        self.lines: set[str] = set()
        self.done: dict[tuple, str] = {}  # shared nodes already written: their token

    def add(self, s: str, p: str, o: str) -> None:
        self.lines.add(f"{s} {p} {o} .\n")

    def typed(self, node: str, cls: str) -> None:
        """`node a cls`, and the reused class `cls` subclasses."""
        self.lines.add(f"{node} {A} {cls} .\n")
        for also in ALSO_TYPED.get(cls, ()):
            self.lines.add(f"{node} {A} {also} .\n")


def plan_lines(plan: Plan) -> list[str]:
    """One plan's triples as sorted, distinct N-Triples lines."""
    g = Lines()
    add_plan(g, plan)
    return sorted(g.lines)


def build_lines(plans: Iterable[Plan]) -> list[str]:
    """All `plans` as sorted, distinct N-Triples lines (what `plankg.nt` holds)."""
    out: set[str] = set()
    for plan in plans:
        g = Lines()
        add_plan(g, plan)
        out |= g.lines
    return sorted(out)


def build_graph(plans: Iterable[Plan]):
    """An rdflib Graph of `plans`: for pyshacl validation and tests that ask rdflib questions;
    nothing on the product's path builds one."""
    from rdflib import Graph

    from plankg.ontology.namespaces import bind_prefixes

    g = Graph()
    bind_prefixes(g)
    g.parse(data="".join(build_lines(plans)), format="nt")
    return g


def add_agency(g: Lines, agency: Agency, raw: str | None = None) -> str:
    key = ("agency", agency.jurisdiction, agency.canonical, agency.kind, agency.collective)
    node = g.done.get(key)
    if node is not None:  # named again in the plan: only a new spelling adds a line
        for alias in (*agency.aliases, *([raw] if raw else [])):
            if alias and alias != agency.canonical:
                g.add(node, ALT, zh(alias))
        return node
    node = g.done[key] = iri(iris.agency_iri(agency.jurisdiction, agency.canonical))
    jur = add_jurisdiction(g, agency.jurisdiction)
    g.typed(node, PKT["Agency"])
    g.add(node, LABEL, zh(agency.canonical))
    g.add(node, PKT["jurisdiction"], jur)
    g.add(node, _v(ORG, "subOrganizationOf"), jur)
    g.add(node, PKT["kind"], plain(agency.kind))
    if agency.collective:
        g.add(node, PKT["collective"], _TRUE)
    for alias in (*agency.aliases, *([raw] if raw else [])):
        if alias and alias != agency.canonical:
            g.add(node, ALT, zh(alias))
    return node


def add_jurisdiction(g: Lines, name: str, path: Sequence[str] = ()) -> str:
    """A jurisdiction node with its division code, level and parent (county → city →
    province) from the gazetteer; a place the gazetteer does not list takes its parents from
    `path` (province first, itself last), as the user gave them."""
    key = ("jurisdiction", name, tuple(path))
    if key in g.done:
        return g.done[key]
    node = g.done[key] = iri(iris.jurisdiction_iri(name))
    g.typed(node, PKT["Jurisdiction"])
    g.add(node, LABEL, zh(name))
    gaz = gazetteer()
    division = gaz.find(name)
    if division is not None:
        g.add(node, PKT["divisionCode"], plain(division.code))
        g.add(node, PKT["divisionLevel"], plain(division.level))
        parent = gaz.parent(division)
        if parent is not None:
            g.add(node, PKT["withinJurisdiction"], add_jurisdiction(g, gaz.display_name(parent)))
    elif len(path) >= 2 and path[-1] == name:
        g.add(node, PKT["withinJurisdiction"], add_jurisdiction(g, path[-2], path[:-1]))
    return node


def _provenance(g: Lines, node: str, plan_node: str, span: Span | None, section: str) -> None:
    g.add(node, DERIVED, plan_node)
    if span is not None:
        g.add(node, PKT["sourceStart"], _int(span.start))
        g.add(node, PKT["sourceEnd"], _int(span.end))
    if section:
        g.add(node, PKT["sectionPath"], plain(section))


def _unit(g: Lines, unit: str) -> str:
    key = ("unit", unit)
    if key in g.done:
        return g.done[key]
    node = g.done[key] = iri(iris.unit_iri(unit))
    g.typed(node, PKT["Unit"])
    g.add(node, LABEL, zh(unit or "无"))
    return node


def _indicator(g: Lines, node: str, ind: Indicator, plan_node: str, section: str, cls: str) -> None:
    g.typed(node, cls)
    g.add(node, PKT["subject"], zh(ind.subject))
    g.add(node, PKT["value"], _decimal(ind.value))
    g.add(node, PKT["normValue"], _decimal(ind.norm_value))
    g.add(node, PKT["unit"], _unit(g, ind.unit))
    g.add(node, PKT["normUnit"], _unit(g, ind.norm_unit))
    g.add(node, PKT["comparator"], plain(ind.comparator))
    if ind.year is not None:
        g.add(node, PKT["targetYear"], typed(str(ind.year), f"{_XSD}gYear"))
    _provenance(g, node, plan_node, ind.span, section)


def add_plan(g: Lines, plan: Plan) -> str:
    """Add one plan and everything extracted from it; returns the plan node's token."""
    plan_node = iri(iris.plan_iri(plan.doc))
    jur = add_jurisdiction(g, plan.jurisdiction, plan.jurisdiction_path)
    g.typed(plan_node, PKT["Plan"])
    if plan.source_url:
        g.add(plan_node, _v(PROV, "hadPrimarySource"), iri(plan.source_url))
    g.add(plan_node, _v(DCTERMS, "title"), zh(plan.title))
    g.add(plan_node, _v(DCTERMS, "identifier"), plain(iris.doc_stem(plan.doc)))
    g.add(plan_node, _v(DCTERMS, "source"), plain(plan.doc))
    g.add(plan_node, _v(DCTERMS, "spatial"), jur)
    if plan.sha256:
        g.add(plan_node, PKT["sha256"], plain(plan.sha256))

    sections = _SectionIndex(g, plan, plan_node)
    for task in plan.tasks:
        _add_task(g, plan, plan_node, sections, task)
    targets = ((goal, ind) for goal in plan.goals for ind in goal.indicators)
    for n, (goal, ind) in enumerate(targets, start=1):  # a pk:Goal node per target
        node = iri(iris.goal_iri(plan.doc, n))
        _indicator(g, node, ind, plan_node, " / ".join(goal.section), PKT["Goal"])
        g.add(plan_node, PKT["hasGoal"], node)
        g.add(node, PKT["inSection"], sections.node(goal.section))
    for n, wg in enumerate(plan.working_groups, start=1):
        node = iri(iris.working_group_iri(plan.doc, n))
        g.typed(node, PKT["WorkingGroup"])
        g.add(node, LABEL, zh(wg.name))
        if wg.convener:
            g.add(node, PKT["convener"], zh(wg.convener))
        for deputy in wg.deputy_conveners:
            g.add(node, PKT["deputyConvener"], zh(deputy))
        if wg.office_agency is not None:
            office = add_agency(g, wg.office_agency.agency, wg.office_agency.raw)
            g.add(node, PKT["officeAgency"], office)
        for member in wg.members:
            g.add(node, _v(ORG, "hasMember"), add_agency(g, member.agency, member.raw))
        _provenance(g, node, plan_node, wg.span, "")
    for n, loc in enumerate(plan.project_locations, start=1):
        project = _named(
            g, "Project", iris.project_iri(plan.jurisdiction, loc.project), loc.project, jur
        )
        park = _named(g, "Park", iris.park_iri(plan.jurisdiction, loc.park), loc.park, jur)
        g.add(project, PKT["locatedIn"], park)
        # one statement per plan and tie: two plans stating it keep their own provenance
        node = f"{plan_node[:-1]}/location/{n}>"
        g.typed(node, PKT["LocationStatement"])
        g.add(node, PKT["project"], project)
        g.add(node, PKT["park"], park)
        g.add(node, PKT["evidence"], zh(loc.evidence))
        _provenance(g, node, plan_node, loc.span, "")
    return plan_node


def _named(g: Lines, cls: str, node_iri: str, name: str, jur: str) -> str:
    node = iri(node_iri)
    g.typed(node, PKT[cls])
    g.add(node, LABEL, zh(name))
    g.add(node, PKT["jurisdiction"], jur)
    return node


class _SectionIndex:
    """Section nodes for a plan, one per distinct heading path, nested by pk:partOf."""

    def __init__(self, g: Lines, plan: Plan, plan_node: str) -> None:
        self.g, self.plan, self.plan_node = g, plan, plan_node
        self.nodes: dict[tuple[str, ...], str] = {(): plan_node}

    def node(self, path: list[str] | tuple[str, ...]) -> str:
        key = tuple(path)
        if key in self.nodes:
            return self.nodes[key]
        parent = self.node(key[:-1])
        node = iri(iris.section_iri(self.plan.doc, len(self.nodes)))
        self.nodes[key] = node
        g = self.g
        g.typed(node, PKT["Section"])
        g.add(node, LABEL, zh(key[-1]))
        g.add(node, PKT["partOf"], parent)
        g.add(node, PKT["level"], _int(len(key)))
        g.add(node, PKT["sectionPath"], plain(" / ".join(key)))
        return node


_ROLES = (("lead", "leads", "LeadRole"), ("assist", "assists", "AssistRole"))


def _add_task(g: Lines, plan: Plan, plan_node: str, sections: _SectionIndex, task: Task) -> None:
    task_iri = iris.task_iri(plan.doc, task.ordinal)
    node = iri(task_iri)
    section = " / ".join(task.section)
    g.typed(node, PKT["Task"])
    g.add(node, PKT["taskId"], plain(iris.task_id(plan.doc, task.ordinal)))
    g.add(node, PKT["ordinal"], _int(task.ordinal))
    if task.title:
        g.add(node, PKT["title"], zh(task.title))
    g.add(node, PKT["text"], plain(task.text))
    g.add(node, PKT["clause"], plain(task.clause))
    g.add(node, PKT["partOf"], sections.node(task.section))
    if task.deadline is not None:
        _deadline(g, node, task.deadline)
    _provenance(g, node, plan_node, task.span, section)

    for (role, predicate, role_name), mentions in zip(
        _ROLES, (task.lead, task.assist), strict=True
    ):
        role_node = PKT[role_name]
        if mentions:
            g.typed(role_node, PKT["Role"])
        for n, mention in enumerate(mentions, start=1):
            agency = add_agency(g, mention.agency, mention.raw)
            g.add(agency, PKT[predicate], node)
            assignment = iri(iris.assignment_iri(task_iri, role, n))
            _assignment(g, assignment, node, agency, role_node, mention, n, plan_node, section)
    for n, ind in enumerate(task.indicators, start=1):
        ind_node = iri(iris.indicator_iri(task_iri, n))
        _indicator(g, ind_node, ind, plan_node, section, PKT["Indicator"])
        g.add(node, PKT["targets"], ind_node)
    jur = iri(iris.jurisdiction_iri(plan.jurisdiction))
    for name in task.projects:
        project = _named(g, "Project", iris.project_iri(plan.jurisdiction, name), name, jur)
        g.add(node, PKT["mentions"], project)
    for name in task.parks:
        park = _named(g, "Park", iris.park_iri(plan.jurisdiction, name), name, jur)
        g.add(node, PKT["mentions"], park)


def _deadline(g: Lines, task: str, deadline: Deadline) -> None:
    """The completion time as written (`12月底前`) and, when the text states one, the date."""
    if deadline.text:
        g.add(task, PKT["deadline"], plain(deadline.text))
    if deadline.date:
        g.add(task, PKT["dueDate"], typed(str(deadline.date), f"{_XSD}date"))


def _assignment(
    g: Lines,
    node: str,
    task: str,
    agency: str,
    role: str,
    mention: AgencyMention,
    position: int,
    plan_node: str,
    section: str,
) -> None:
    """The qualified lead/assist: `position` is the 1-based place of the agency among the
    task's agencies of that role as the plan names them — the first-named lead answers for
    the task, so the order is part of the fact, not a presentation detail."""
    g.typed(node, PKT["Assignment"])
    g.add(node, PKT["task"], task)
    g.add(node, PKT["agent"], agency)
    g.add(node, PKT["role"], role)
    g.add(node, PKT["position"], _int(position))
    g.add(node, PKT["rawName"], zh(mention.raw))
    _provenance(g, node, plan_node, mention.span, section)
