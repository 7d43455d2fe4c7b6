"""The RDF graph: ontology coverage, SHACL, the SPARQL acceptance query, determinism, merging."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from conftest import PLANS_DIR
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from plankg.ingest.rdf import build_graph
from plankg.ontology import iris
from plankg.ontology.namespaces import PK
from plankg.ontology.validate import ontology_graph, validate

KGX = "平江县科技和工业信息化局"

# Acceptance query: the tasks that 平江县科技和工业信息化局 leads, found through its label.
LEADS_QUERY = """
PREFIX pk: <https://w3id.org/plankg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?task ?text WHERE {
  ?agency skos:prefLabel "平江县科技和工业信息化局"@zh ;
          pk:leads ?task .
  ?task pk:text ?text .
}
"""


@pytest.fixture(scope="module")
def graph(sample_plans) -> Graph:
    return build_graph(sample_plans)


def test_sample_graph_conforms_to_shapes(graph):
    report = validate(graph)
    assert report.conforms, report.text


def test_sparql_leads_query_returns_exactly_the_gold_tasks(graph, gold_tasks):
    rows = list(graph.query(LEADS_QUERY))
    texts = [re.sub(r"\s+", "", str(r.text)) for r in rows]
    gold = [g for g in gold_tasks if KGX in g["lead"]]
    assert len(rows) == len(gold) == len({r.task for r in rows})
    for g in gold:
        anchor = re.sub(r"\s+", "", g["anchor"])
        assert sum(anchor in t for t in texts) == 1, g["anchor"]


def test_every_plankg_term_used_is_declared(graph):
    ontology = ontology_graph()
    declared = {s for s in ontology.subjects(RDF.type, None) if str(s).startswith(str(PK))}
    used = set()
    for _s, p, o in graph:
        if str(p).startswith(str(PK)):
            used.add(p)
        if p == RDF.type and str(o).startswith(str(PK)):
            used.add(o)
        if isinstance(o, URIRef) and str(o).startswith(str(PK)):
            used.add(o)
    assert used, "the data should use the plankg vocabulary"
    assert used <= declared, sorted(used - declared)


def test_every_term_has_zh_and_en_labels_and_a_definition():
    ontology = ontology_graph()
    terms = [
        s
        for s, t in ontology.subject_objects(RDF.type)
        if t in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty) and str(s).startswith(str(PK))
    ]
    assert len(terms) > 40
    for term in terms:
        langs = {lbl.language for lbl in ontology.objects(term, RDFS.label)}
        assert {"zh", "en"} <= langs, term
        assert ontology.value(term, SKOS.definition) is not None, term


def test_same_agency_in_two_plans_of_one_jurisdiction_is_one_node(graph):
    node = iris.agency_iri("平江县", KGX)
    plans = {
        graph.value(a, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))
        for a in graph.subjects(PK.agent, node)
    }
    assert len(plans) == 4  # the four 平江县 sample plans
    assert len(list(graph.objects(node, SKOS.prefLabel))) == 1
    aliases = {str(a) for a in graph.objects(node, SKOS.altLabel)}
    assert {"县科工信局", "科工信局", "县科技和工业信息化局"} <= aliases


def test_same_name_in_another_jurisdiction_is_another_node(graph):
    pj = iris.agency_iri("平江县", "平江县自然资源局")
    dth = iris.agency_iri("大通湖区", "大通湖区自然资源局")
    assert pj != dth
    assert (pj, RDF.type, PK.Agency) in graph and (dth, RDF.type, PK.Agency) in graph


def test_shapes_reject_a_task_without_leader_and_an_agency_with_two_names(graph):
    broken = Graph()
    for t in graph:
        broken.add(t)
    task = next(graph.subjects(RDF.type, PK.Task))
    for agency in list(broken.subjects(PK.leads, task)):
        broken.remove((agency, PK.leads, task))
    agency = iris.agency_iri("平江县", KGX)
    broken.add((agency, SKOS.prefLabel, Literal("科工信局", lang="zh")))
    report = validate(broken)
    assert not report.conforms
    assert "leading agency" in report.text
    assert "prefLabel" in report.text


def test_every_fact_points_back_to_its_source_text(sample_plans, graph):
    sources = {p.doc: p.source_text for p in sample_plans}
    for a in list(graph.subjects(RDF.type, PK.Assignment))[:200]:
        plan = graph.value(a, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))
        doc = str(graph.value(plan, URIRef("http://purl.org/dc/terms/source")))
        start = int(graph.value(a, PK.sourceStart))
        end = int(graph.value(a, PK.sourceEnd))
        raw = str(graph.value(a, PK.rawName))
        written = re.sub(r"\s+", "", sources[doc][start:end])
        assert written == raw


def test_two_runs_give_byte_identical_files(tmp_path):
    outs = []
    for seed in ("1", "4242"):
        out = tmp_path / f"run{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "plankg.api.cli", "ingest", str(PLANS_DIR), "--out", str(out)],
            check=True,
            env=env,
            capture_output=True,
        )
        outs.append(out)
    for name in ("plankg.nt", "plankg.ttl", "plankg.jsonld"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
    lines = (outs[0] / "plankg.nt").read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines)


def test_turtle_and_jsonld_files_hold_the_same_graph(graph, tmp_path):
    from rdflib.compare import isomorphic

    from plankg.graph.rdf_store import RdfStore

    store = RdfStore.open(tmp_path)
    store.replace_plan("all", (t for t in graph.serialize(format="nt").splitlines() if t))
    paths = store.write_derived(tmp_path)
    for fmt, key in (("nt", "nt"), ("turtle", "ttl"), ("json-ld", "jsonld")):
        again = Graph().parse(paths[key], format=fmt)
        assert isomorphic(again, graph), fmt


def _deadline_plan():
    from plankg.ingest.extract import extract_text
    from plankg.ingest.model import Deadline

    plan = extract_text(
        "平江县统计工作方案\n一、工作任务\n"
        "1.联网直报。推进企业联网直报。（县统计局、县发改局牵头，县财政局配合）\n"
        "2.统计督察。常态化开展统计督察。（县统计局牵头）\n",
        "d.txt",
        jurisdiction="平江县",
    )
    plan.tasks[0].deadline = Deadline("2024年12月底前", "2024-12-31")
    plan.tasks[1].deadline = Deadline("长期坚持")
    return plan


def test_deadline_as_written_and_due_date_as_xsd_date():
    from plankg.ingest.rdf import build_lines

    lines = {line.strip() for line in build_lines([_deadline_plan()])}
    t1, t2 = (f"<{iris.task_iri('d.txt', n)}>" for n in (1, 2))
    assert f'{t1} <{PK.deadline}> "2024年12月底前" .' in lines
    assert f'{t1} <{PK.dueDate}> "2024-12-31"^^<http://www.w3.org/2001/XMLSchema#date> .' in lines
    assert f'{t2} <{PK.deadline}> "长期坚持" .' in lines
    assert not any(line.startswith(f"{t2} <{PK.dueDate}>") for line in lines)
    lead = [line for line in lines if "/lead/" in line.split()[0] and str(PK.position) in line]
    assert len(lead) == 3 and all(
        line.endswith('"^^<http://www.w3.org/2001/XMLSchema#integer> .') for line in lead
    )


def test_shapes_accept_deadlines_and_reject_two_due_dates_or_a_shared_position():
    from rdflib.namespace import XSD

    graph = build_graph([_deadline_plan()])
    assert validate(graph).conforms
    task = iris.task_iri("d.txt", 1)
    broken = Graph()
    for t in graph:
        broken.add(t)
    broken.add((task, PK.dueDate, Literal("2025-06-30", datatype=XSD.date)))
    second = URIRef(f"{task}/lead/2")
    broken.set((second, PK.position, Literal(1, datatype=XSD.integer)))
    report = validate(broken)
    assert not report.conforms
    assert "at most one due date" in report.text
    assert "share a position" in report.text
