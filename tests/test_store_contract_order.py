"""Store contract, part two: the order the plan names agencies in and the deadline survive
extraction → RDF → every store. The first-named lead answers for a task, so a store that
sorts leads by name or IRI gives an office the wrong unit.

A plan of its own (not the samples: none of them states a deadline), so it runs in its own
module: loading it into Neo4j replaces the sample graph the main contract module loads.
"""

from __future__ import annotations

import pytest

from plankg.graph.store import DeadlineInfo, Store
from plankg.ingest.model import Deadline

STATS, NDRC, FINANCE, AGRI = (
    "平江县统计局",
    "平江县发展和改革局",
    "平江县财政局",
    "平江县农业农村局",
)
PLAN = """平江县统计数据质量提升工作方案
一、工作任务
（一）夯实统计基础
1.数据质量。加强统计数据质量管理，推进规模以上企业联网直报。（县统计局、县发改局牵头，县财政局、县农业农村局配合）
2.数据共享。推进部门统计数据共享交换。（县财政局、县统计局牵头，县农业农村局、县发改局配合）
3.统计执法。常态化开展统计督察。（县统计局牵头）
"""
# what the plan says, in its order: (title, leads, assists, deadline)
EXPECTED = {
    "t-t001": (
        "数据质量",
        [STATS, NDRC],
        [FINANCE, AGRI],
        DeadlineInfo("2024年12月底前", "2024-12-31"),
    ),
    "t-t002": ("数据共享", [FINANCE, STATS], [AGRI, NDRC], DeadlineInfo("长期坚持", None)),
    "t-t003": ("统计执法", [STATS], [], None),
}


@pytest.fixture(scope="module")
def plan():
    from plankg.ingest.extract import extract_text

    plan = extract_text(PLAN, "t.txt", jurisdiction="平江县")
    assert [t.title for t in plan.tasks] == ["数据质量", "数据共享", "统计执法"]
    # the extractor does not read deadlines yet: set them as it will
    plan.tasks[0].deadline = Deadline("2024年12月底前", "2024-12-31")
    plan.tasks[1].deadline = Deadline("长期坚持")
    return plan


@pytest.fixture(scope="module")
def rdf(plan):
    from plankg.ingest.rdf import build_lines

    return build_lines([plan])


@pytest.fixture(scope="module", params=["embedded", "embedded-from-file", "neo4j"])
def store(request, rdf, plan, tmp_path_factory) -> Store:
    from plankg.graph.embedded import EmbeddedStore
    from plankg.graph.neo4j_store import Neo4jStore

    if request.param == "embedded":
        yield EmbeddedStore(rdf)
        return
    if request.param == "embedded-from-file":
        from plankg.ingest.pipeline import write_plans

        out = tmp_path_factory.mktemp("order")
        write_plans([plan], out)
        yield EmbeddedStore.open(out)
        return
    from neo4j_support import neo4j_or_skip

    settings = neo4j_or_skip()
    driver = settings.driver()
    try:
        settings.clear(driver)
        settings.loader(driver).load(rdf)  # the product's defaults: batches, constraints
        yield Neo4jStore(driver, database=settings.database)
    finally:
        driver.close()


def _names(refs) -> list[str]:
    return [a.name for a in refs]


@pytest.mark.parametrize("task_id", sorted(EXPECTED))
def test_leads_and_assists_come_back_in_the_plans_order(store, task_id):
    title, lead, assist, _ = EXPECTED[task_id]
    task = store.task(task_id)
    assert task is not None and task.title == title
    assert _names(task.lead) == lead
    assert _names(task.assist) == assist


def test_the_order_holds_in_every_answer_that_carries_tasks(store):
    stats = store.resolve_agency("县统计局")[0]
    for task in store.tasks_of_agency(stats.iri):
        assert _names(task.lead) == EXPECTED[task.id][1]
        assert _names(task.assist) == EXPECTED[task.id][2]
    for task in store.search_tasks("统计"):
        assert _names(task.lead) == EXPECTED[task.id][1]


def test_deadline_text_and_date_come_back(store):
    for task_id, (*_, deadline) in EXPECTED.items():
        assert store.task(task_id).deadline == deadline


def test_counts_do_not_depend_on_the_order(store):
    load = {r.agency.name: (r.lead, r.assist) for r in store.load()}
    assert load == {STATS: (3, 0), FINANCE: (1, 1), NDRC: (1, 1), AGRI: (0, 2)}


def test_assignments_carry_their_position_in_rdf(plan):
    from plankg.ingest.rdf import build_graph
    from plankg.ontology import iris
    from plankg.ontology.namespaces import PK, SKOS

    rdf = build_graph([plan])
    task = iris.task_iri("t.txt", 2)
    placed = {
        (str(rdf.value(a, PK.role)).rsplit("#", 1)[1], int(rdf.value(a, PK.position))): str(
            rdf.value(rdf.value(a, PK.agent), SKOS.prefLabel)
        )
        for a in rdf.subjects(PK.task, task)
    }
    assert placed == {
        ("LeadRole", 1): FINANCE,
        ("LeadRole", 2): STATS,
        ("AssistRole", 1): AGRI,
        ("AssistRole", 2): NDRC,
    }


def test_neo4j_relationships_carry_the_position(rdf):
    """The property graph (what `plankg load` writes) has `position` on LEADS and ASSISTS."""
    from plankg.graph.property_graph import to_property_graph

    pg = to_property_graph(rdf)
    task = next(r["iri"] for r in pg.nodes["Task"] if r["task_id"] == "t-t002")
    names = {r["iri"]: r["name"] for r in pg.nodes["Agency"]}
    placed = {
        (kind, row["position"]): names[row["start"]]
        for (kind, _, _), rows in pg.rels.items()
        if kind in ("LEADS", "ASSISTS")
        for row in rows
        if row["end"] == task
    }
    assert placed == {
        ("LEADS", 1): FINANCE,
        ("LEADS", 2): STATS,
        ("ASSISTS", 1): AGRI,
        ("ASSISTS", 2): NDRC,
    }
    row = next(r for r in pg.nodes["Task"] if r["task_id"] == "t-t001")
    assert (row["deadline"], row["due_date"]) == ("2024年12月底前", "2024-12-31")
