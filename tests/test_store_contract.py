"""One suite of store questions, run against every store; both must give the same answers.

The Neo4j side runs when NEO4J_URI names a Neo4j 5 server (`.ci/run` starts Neo4j's own
Community test server); it is never mocked.
"""

from __future__ import annotations

import re

import pytest

from plankg.graph.store import Store

KGX = "平江县科技和工业信息化局"


@pytest.fixture(scope="module")
def rdf(sample_plans):
    from plankg.ingest.rdf import build_lines

    return build_lines(sample_plans)


@pytest.fixture(scope="module")
def embedded(rdf):
    from plankg.graph.embedded import EmbeddedStore

    return EmbeddedStore(rdf)


@pytest.fixture(scope="module")
def nt_dir(sample_plans, tmp_path_factory):
    """The RDF store and graph files `plankg ingest` writes, sorted plankg.nt included."""
    from plankg.ingest.pipeline import write_plans

    out = tmp_path_factory.mktemp("nt")
    write_plans(sample_plans, out)
    return out


@pytest.fixture(scope="module")
def embedded_from_file(nt_dir):
    """The same graph streamed back from plankg.nt without rdflib (`plankg serve`)."""
    from plankg.graph.embedded import EmbeddedStore

    return EmbeddedStore.open(nt_dir)


@pytest.fixture(scope="module")
def neo4j_store(nt_dir):
    """A Neo4j server loaded the way `plankg load` loads it: rows streamed from plankg.nt."""
    from neo4j_support import neo4j_or_skip

    from plankg.graph.neo4j_store import Neo4jStore
    from plankg.graph.nt_rows import NtRows

    settings = neo4j_or_skip()
    driver = settings.driver()
    try:
        settings.clear(driver)
        settings.loader(driver).load(NtRows(nt_dir / "plankg.nt"))
        yield Neo4jStore(driver, database=settings.database)
    finally:
        driver.close()


_FIXTURES = {"embedded": "embedded", "embedded-from-file": "embedded_from_file"}


@pytest.fixture(scope="module", params=["embedded", "embedded-from-file", "neo4j"])
def store(request) -> Store:
    return request.getfixturevalue(_FIXTURES.get(request.param, "neo4j_store"))


@pytest.fixture(scope="module", params=["embedded-from-file", "neo4j"])
def other_store(request) -> Store:
    """Every store but the rdflib-built embedded one, which the others are compared with."""
    return request.getfixturevalue(_FIXTURES.get(request.param, "neo4j_store"))


def _ws(s: str) -> str:
    return re.sub(r"\s+", "", s)


def test_store_satisfies_the_protocol(store):
    assert isinstance(store, Store)


@pytest.mark.parametrize("name", ["科工信局", "县科工信局", "县科技和工业信息化局", KGX])
def test_any_alias_resolves_to_one_agency(store, name):
    found = store.resolve_agency(name)
    assert [a.name for a in found] == [KGX]
    assert found[0].jurisdiction == "平江县"


def test_a_name_used_in_two_jurisdictions_is_ambiguous(store):
    found = store.resolve_agency("自然资源局")
    assert {a.jurisdiction for a in found} == {"平江县", "大通湖区"}
    assert [a.jurisdiction for a in store.resolve_agency("自然资源局", "大通湖区")] == ["大通湖区"]


def test_tasks_led_by_kgx_are_exactly_the_gold_tasks(store, gold_tasks):
    agency = store.resolve_agency("科工信局")[0]
    tasks = store.tasks_of_agency(agency.iri, role="lead")
    gold = [g for g in gold_tasks if KGX in g["lead"]]
    assert len(tasks) == len(gold)
    for g in gold:
        assert sum(_ws(g["anchor"]) in _ws(t.text) for t in tasks) == 1, g["anchor"]
    for t in tasks:
        assert KGX in [a.name for a in t.lead]
        assert t.source.doc.endswith(".txt") and t.source.end > t.source.start


def test_assist_and_any_roles(store, gold_tasks):
    agency = store.resolve_agency("科工信局")[0]
    assist = store.tasks_of_agency(agency.iri, role="assist")
    assert len(assist) == sum(KGX in g["assist"] for g in gold_tasks)
    both = store.tasks_of_agency(agency.iri, role="any")
    assert len(both) == len(assist) + len(store.tasks_of_agency(agency.iri, role="lead"))


def test_filters_by_plan_and_jurisdiction(store, gold_tasks):
    agency = store.resolve_agency("科工信局")[0]
    doc = "001_13505c27ad81fa3b.txt"
    in_plan = store.tasks_of_agency(agency.iri, role="lead", plan=doc)
    assert len(in_plan) == sum(KGX in g["lead"] and g["doc"] == doc for g in gold_tasks)
    assert store.tasks_of_agency(agency.iri, jurisdiction="大通湖区") == []


def test_task_by_id_and_search(store):
    agency = store.resolve_agency("科工信局")[0]
    first = store.tasks_of_agency(agency.iri, role="lead")[0]
    again = store.task(first.id)
    assert again == first
    hits = store.search_tasks("余梅工业区")
    assert hits and all("余梅工业区" in t.text for t in hits)


def test_indicators_by_subject_plan_and_task(store, gold_goals):
    everything = store.indicators()
    goals = [i for i in everything if i.task_id is None]
    assert len(goals) == len(gold_goals)
    growth = store.indicators(subject="增长率")
    assert growth and all("增长率" in i.subject for i in growth)
    one = store.indicators(plan="000_99d16d149e72ffbe.txt")
    assert one and {i.source.doc for i in one} == {"000_99d16d149e72ffbe.txt"}


def test_parks_projects_plans_working_groups(store, gold_taskforces):
    names = {p.name for p in store.parks()}
    assert {"余梅工业区", "安定工业区"} <= names
    yumei = store.park_by_name("余梅工业区")
    assert len(yumei) == 1
    projects = store.projects_in_park(yumei[0].iri)
    assert {p.name for p in projects} >= {"污水处理厂"}
    assert all(p.evidence for p in projects)
    assert len(store.plans()) == 5
    groups = store.working_groups()
    assert len(groups) == len(gold_taskforces)


def test_coordination_and_load_agree_with_gold(store, gold_tasks):
    expected: dict[tuple[str, str], int] = {}
    for g in gold_tasks:
        for a in set(g["lead"]):
            for b in set(g["assist"]):
                expected[(a, b)] = expected.get((a, b), 0) + 1
    cells = {(c.row.name, c.col.name): c.count for c in store.coordination()}
    assert cells == expected
    load = {r.agency.name: (r.lead, r.assist) for r in store.load(jurisdiction="平江县")}
    assert load[KGX] == (
        sum(KGX in g["lead"] for g in gold_tasks),
        sum(KGX in g["assist"] for g in gold_tasks),
    )


def test_both_stores_give_identical_answers(other_store, embedded):
    """Every question, every agency and park, against the rdflib-built embedded store."""
    store = other_store
    assert store.agencies() == embedded.agencies()
    for agency in embedded.agencies():
        assert store.tasks_of_agency(agency.iri) == embedded.tasks_of_agency(agency.iri), agency
        assert store.resolve_agency(agency.name) == embedded.resolve_agency(agency.name)
    for park in embedded.parks():
        assert store.projects_in_park(park.iri) == embedded.projects_in_park(park.iri)
    assert store.coordination() == embedded.coordination()
    assert store.coordination(mode="co") == embedded.coordination(mode="co")
    assert store.load() == embedded.load()
    assert store.plans() == embedded.plans()
    assert store.indicators() == embedded.indicators()
    assert store.working_groups() == embedded.working_groups()
    assert store.parks() == embedded.parks()


def test_the_file_loaded_store_matches_the_lines_one_on_every_agency(embedded, embedded_from_file):
    """Every question, every agency: the data folder must lose nothing the lines hold."""
    a, b = embedded, embedded_from_file
    assert a.agencies() == b.agencies()
    for agency in a.agencies():
        assert a.tasks_of_agency(agency.iri) == b.tasks_of_agency(agency.iri), agency.name
        assert a.resolve_agency(agency.name) == b.resolve_agency(agency.name)
    for park in a.parks():
        assert a.projects_in_park(park.iri) == b.projects_in_park(park.iri)
    assert a.parks() == b.parks()
    assert a.plans() == b.plans()
    assert a.indicators() == b.indicators()
    assert a.working_groups() == b.working_groups()
    assert a.coordination() == b.coordination()
    assert sorted(a.g.nodes(data=True)) == sorted(b.g.nodes(data=True))
    assert sorted(a.g.edges(keys=True)) == sorted(b.g.edges(keys=True))


def test_neo4j_load_is_idempotent_and_reload_touches_one_plan(rdf):
    from neo4j_support import neo4j_or_skip

    from plankg.graph.property_graph import to_property_graph

    settings = neo4j_or_skip()
    pg = to_property_graph(rdf)
    count = "MATCH (n) OPTIONAL MATCH (n)-[r]->() RETURN count(DISTINCT n) AS n, count(r) AS r"
    other = "MATCH (t:Task {plan_doc: '001_13505c27ad81fa3b.txt'}) RETURN count(t) AS n"
    driver = settings.driver()
    try:
        settings.clear(driver)
        loader = settings.loader(driver)
        loader.load(pg)
        with settings.session(driver) as s:
            first = s.run(count).single().data()
            others = s.run(other).single()["n"]
        assert first == {"n": pg.node_count(), "r": pg.rel_count()}
        loader.load(pg)  # loading twice changes nothing
        with settings.session(driver) as s:
            assert s.run(count).single().data() == first
        loader.reload_plan(pg, "000_99d16d149e72ffbe.txt")  # replace one plan's subgraph
        with settings.session(driver) as s:
            assert s.run(count).single().data() == first
            assert s.run(other).single()["n"] == others
    finally:
        driver.close()
