"""Plans → RDF under the plankg ontology.

Agencies, projects and parks are keyed by (jurisdiction, name), so a second plan of the same
jurisdiction adds to the same nodes instead of duplicating them. No blank nodes: every node
has a deterministic IRI, which is what makes the serialised output byte-identical across runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Protocol

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, SKOS, XSD

from plankg.ingest.model import Agency, AgencyMention, Deadline, Indicator, Plan, Span, Task
from plankg.ingest.spool import LineSpool
from plankg.ontology import iris
from plankg.ontology.gazetteer import gazetteer
from plankg.ontology.namespaces import PK, bind_prefixes
from plankg.ontology.ntriples import collector_paused


def zh(text: str) -> Literal:
    return Literal(text, lang="zh")


def _int(n: int) -> Literal:
    return Literal(n, datatype=XSD.integer)


def _decimal(x: float) -> Literal:
    d = Decimal(repr(float(x)))
    if d == d.to_integral_value():
        d = d.quantize(Decimal(1))
    return Literal(d, datatype=XSD.decimal)


def new_graph() -> Graph:
    g = Graph()
    bind_prefixes(g)
    return g


def build_graph(plans: Iterable[Plan]) -> Graph:
    """One rdflib graph for all `plans` (for SPARQL, validation and small corpora)."""
    g = new_graph()
    for plan in plans:
        add_plan(g, plan)
    return g


class TripleSink(Protocol):
    def add(self, triple: tuple, /) -> object: ...


def add_plans(sink: TripleSink, plans: Iterable[Plan]) -> None:
    """Add every plan's triples to `sink` (a `LineSpool` or an rdflib Graph)."""
    with collector_paused():
        for plan in plans:
            add_plan(sink, plan)


def build_ntriples(plans: Iterable[Plan]) -> list[bytes]:
    """All `plans` as sorted, distinct N-Triples lines: the same triples as `build_graph`."""
    with LineSpool() as spool:
        add_plans(spool, plans)
        with collector_paused():
            return list(spool)


def add_agency(g: TripleSink, agency: Agency, raw: str | None = None) -> URIRef:
    node = iris.agency_iri(agency.jurisdiction, agency.canonical)
    jur = add_jurisdiction(g, agency.jurisdiction)
    g.add((node, RDF.type, PK.Agency))
    g.add((node, SKOS.prefLabel, zh(agency.canonical)))
    g.add((node, PK.jurisdiction, jur))
    g.add((node, ORG.subOrganizationOf, jur))
    g.add((node, PK.kind, Literal(agency.kind)))
    if agency.collective:
        g.add((node, PK.collective, Literal(True)))
    for alias in (*agency.aliases, *([raw] if raw else [])):
        if alias and alias != agency.canonical:
            g.add((node, SKOS.altLabel, zh(alias)))
    return node


def add_jurisdiction(g: TripleSink, name: str, path: Sequence[str] = ()) -> URIRef:
    """A jurisdiction node with its division code, level and parent (county → city →
    province) from the gazetteer; a place the gazetteer does not list takes its parents from
    `path` (province first, itself last), as the user gave them."""
    node = iris.jurisdiction_iri(name)
    g.add((node, RDF.type, PK.Jurisdiction))
    g.add((node, SKOS.prefLabel, zh(name)))
    gaz = gazetteer()
    division = gaz.find(name)
    if division is not None:
        g.add((node, PK.divisionCode, Literal(division.code)))
        g.add((node, PK.divisionLevel, Literal(division.level)))
        parent = gaz.parent(division)
        if parent is not None:
            g.add((node, PK.withinJurisdiction, add_jurisdiction(g, gaz.display_name(parent))))
    elif len(path) >= 2 and path[-1] == name:
        g.add((node, PK.withinJurisdiction, add_jurisdiction(g, path[-2], path[:-1])))
    return node


def _provenance(
    g: TripleSink, node: URIRef, plan_node: URIRef, span: Span | None, section: str
) -> None:
    g.add((node, PROV.wasDerivedFrom, plan_node))
    if span is not None:
        g.add((node, PK.sourceStart, _int(span.start)))
        g.add((node, PK.sourceEnd, _int(span.end)))
    if section:
        g.add((node, PK.sectionPath, Literal(section)))


def _unit(g: TripleSink, unit: str) -> URIRef:
    node = iris.unit_iri(unit)
    g.add((node, RDF.type, PK.Unit))
    g.add((node, SKOS.prefLabel, zh(unit or "无")))
    return node


def _indicator(
    g: TripleSink, node: URIRef, ind: Indicator, plan_node: URIRef, section: str, cls: URIRef
) -> None:
    g.add((node, RDF.type, cls))
    g.add((node, PK.subject, zh(ind.subject)))
    g.add((node, PK.value, _decimal(ind.value)))
    g.add((node, PK.normValue, _decimal(ind.norm_value)))
    g.add((node, PK.unit, _unit(g, ind.unit)))
    g.add((node, PK.normUnit, _unit(g, ind.norm_unit)))
    g.add((node, PK.comparator, Literal(ind.comparator)))
    if ind.year is not None:
        g.add((node, PK.targetYear, Literal(str(ind.year), datatype=XSD.gYear)))
    _provenance(g, node, plan_node, ind.span, section)


def add_plan(g: TripleSink, plan: Plan) -> URIRef:
    """Add one plan and everything extracted from it."""
    plan_node = iris.plan_iri(plan.doc)
    jur = add_jurisdiction(g, plan.jurisdiction, plan.jurisdiction_path)
    g.add((plan_node, RDF.type, PK.Plan))
    if plan.source_url:
        g.add((plan_node, PROV.hadPrimarySource, URIRef(plan.source_url)))
    g.add((plan_node, DCTERMS.title, zh(plan.title)))
    g.add((plan_node, DCTERMS.identifier, Literal(iris.doc_stem(plan.doc))))
    g.add((plan_node, DCTERMS.source, Literal(plan.doc)))
    g.add((plan_node, DCTERMS.spatial, jur))
    if plan.sha256:
        g.add((plan_node, PK.sha256, Literal(plan.sha256)))

    sections = _SectionIndex(g, plan, plan_node)
    for task in plan.tasks:
        _add_task(g, plan, plan_node, sections, task)
    targets = ((goal, ind) for goal in plan.goals for ind in goal.indicators)
    for n, (goal, ind) in enumerate(targets, start=1):  # a pk:Goal node per target
        node = iris.goal_iri(plan.doc, n)
        section = " / ".join(goal.section)
        _indicator(g, node, ind, plan_node, section, PK.Goal)
        g.add((plan_node, PK.hasGoal, node))
        g.add((node, PK.inSection, sections.node(goal.section)))
    for n, wg in enumerate(plan.working_groups, start=1):
        node = iris.working_group_iri(plan.doc, n)
        g.add((node, RDF.type, PK.WorkingGroup))
        g.add((node, SKOS.prefLabel, zh(wg.name)))
        if wg.convener:
            g.add((node, PK.convener, zh(wg.convener)))
        for deputy in wg.deputy_conveners:
            g.add((node, PK.deputyConvener, zh(deputy)))
        if wg.office_agency is not None:
            g.add(
                (
                    node,
                    PK.officeAgency,
                    add_agency(g, wg.office_agency.agency, wg.office_agency.raw),
                )
            )
        for member in wg.members:
            g.add((node, ORG.hasMember, add_agency(g, member.agency, member.raw)))
        _provenance(g, node, plan_node, wg.span, "")
    for n, loc in enumerate(plan.project_locations, start=1):
        project = _named(
            g, PK.Project, iris.project_iri(plan.jurisdiction, loc.project), loc.project, jur
        )
        park = _named(g, PK.Park, iris.park_iri(plan.jurisdiction, loc.park), loc.park, jur)
        g.add((project, PK.locatedIn, park))
        # one statement per plan and tie: two plans stating it keep their own provenance
        node = URIRef(f"{plan_node}/location/{n}")
        g.add((node, RDF.type, PK.LocationStatement))
        g.add((node, PK.project, project))
        g.add((node, PK.park, park))
        g.add((node, PK.evidence, zh(loc.evidence)))
        _provenance(g, node, plan_node, loc.span, "")
    return plan_node


def _named(g: TripleSink, cls: URIRef, node: URIRef, name: str, jur: URIRef) -> URIRef:
    g.add((node, RDF.type, cls))
    g.add((node, SKOS.prefLabel, zh(name)))
    g.add((node, PK.jurisdiction, jur))
    return node


class _SectionIndex:
    """Section nodes for a plan, one per distinct heading path, nested by pk:partOf."""

    def __init__(self, g: TripleSink, plan: Plan, plan_node: URIRef) -> None:
        self.g, self.plan, self.plan_node = g, plan, plan_node
        self.nodes: dict[tuple[str, ...], URIRef] = {(): plan_node}
        self.spans = {s.heading: s for s in plan.sections}

    def node(self, path: list[str] | tuple[str, ...]) -> URIRef:
        key = tuple(path)
        if key in self.nodes:
            return self.nodes[key]
        parent = self.node(key[:-1])
        node = iris.section_iri(self.plan.doc, len(self.nodes))
        self.nodes[key] = node
        g = self.g
        g.add((node, RDF.type, PK.Section))
        g.add((node, SKOS.prefLabel, zh(key[-1])))
        g.add((node, PK.partOf, parent))
        g.add((node, PK.level, _int(len(key))))
        g.add((node, PK.sectionPath, Literal(" / ".join(key))))
        return node


def _add_task(
    g: TripleSink, plan: Plan, plan_node: URIRef, sections: _SectionIndex, task: Task
) -> None:
    node = iris.task_iri(plan.doc, task.ordinal)
    section = " / ".join(task.section)
    g.add((node, RDF.type, PK.Task))
    g.add((node, PK.taskId, Literal(iris.task_id(plan.doc, task.ordinal))))
    g.add((node, PK.ordinal, _int(task.ordinal)))
    if task.title:
        g.add((node, PK.title, zh(task.title)))
    g.add((node, PK.text, Literal(task.text)))
    g.add((node, PK.clause, Literal(task.clause)))
    g.add((node, PK.partOf, sections.node(task.section)))
    if task.deadline is not None:
        _deadline(g, node, task.deadline)
    _provenance(g, node, plan_node, task.span, section)

    for role, mentions, predicate, role_node in (
        ("lead", task.lead, PK.leads, PK.LeadRole),
        ("assist", task.assist, PK.assists, PK.AssistRole),
    ):
        for n, mention in enumerate(mentions, start=1):
            agency = add_agency(g, mention.agency, mention.raw)
            g.add((agency, predicate, node))
            _assignment(
                g,
                iris.assignment_iri(node, role, n),
                node,
                agency,
                role_node,
                mention,
                n,
                plan_node,
                section,
            )
    for n, ind in enumerate(task.indicators, start=1):
        ind_node = iris.indicator_iri(node, n)
        _indicator(g, ind_node, ind, plan_node, section, PK.Indicator)
        g.add((node, PK.targets, ind_node))
    jur = iris.jurisdiction_iri(plan.jurisdiction)
    for name in task.projects:
        g.add(
            (
                node,
                PK.mentions,
                _named(g, PK.Project, iris.project_iri(plan.jurisdiction, name), name, jur),
            )
        )
    for name in task.parks:
        g.add(
            (
                node,
                PK.mentions,
                _named(g, PK.Park, iris.park_iri(plan.jurisdiction, name), name, jur),
            )
        )


def _deadline(g: TripleSink, task: URIRef, deadline: Deadline) -> None:
    """The completion time as written (`12月底前`) and, when the text states one, the date."""
    if deadline.text:
        g.add((task, PK.deadline, Literal(deadline.text)))
    if deadline.date:
        g.add((task, PK.dueDate, Literal(deadline.date, datatype=XSD.date)))


def _assignment(
    g: TripleSink,
    node: URIRef,
    task: URIRef,
    agency: URIRef,
    role: URIRef,
    mention: AgencyMention,
    position: int,
    plan_node: URIRef,
    section: str,
) -> None:
    """The qualified lead/assist: `position` is the 1-based place of the agency among the
    task's agencies of that role as the plan names them — the first-named lead answers for
    the task, so the order is part of the fact, not a presentation detail."""
    g.add((node, RDF.type, PK.Assignment))
    g.add((node, PK.task, task))
    g.add((node, PK.agent, agency))
    g.add((node, PK.role, role))
    g.add((node, PK.position, _int(position)))
    g.add((node, PK.rawName, zh(mention.raw)))
    _provenance(g, node, plan_node, mention.span, section)
