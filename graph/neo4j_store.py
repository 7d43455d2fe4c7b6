"""Neo4j: load the property graph with batched `UNWIND … MERGE`, and answer the store
questions with parameterised Cypher.

Every statement is built from fixed labels and relationship types (never from user input);
all values travel as parameters. `statements()` lists every Cypher text the product can emit,
so CI can lint each one with Neo4j's own parser.
"""

from __future__ import annotations

import functools
import json
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from queue import Full, Queue
from typing import Any, TypeVar

from rdflib import Graph

from plankg.graph.counting import coordination_cells, load_rows
from plankg.graph.lookup import narrow_by_level
from plankg.graph.nt_rows import NtRows
from plankg.graph.property_graph import LABELS, PLAN_OWNED, PropertyGraph, to_property_graph
from plankg.graph.store import (
    AgencyInfo,
    AgencyRef,
    CoordinationCell,
    DeadlineInfo,
    IndicatorInfo,
    LoadRow,
    ParkInfo,
    PlanInfo,
    ProjectInfo,
    RoleFilter,
    SourceRef,
    TaskInfo,
    WorkingGroupInfo,
)
from plankg.ontology.names import is_exact_key, query_keys

# ---------------------------------------------------------------------------- statements


def constraint_statement(label: str) -> str:
    return (
        f"CREATE CONSTRAINT {label.lower()}_iri IF NOT EXISTS "
        f"FOR (n:{label}) REQUIRE n.iri IS UNIQUE"
    )


# properties questions look nodes up by, besides `iri`: without an index, counting each plan's
# tasks (/plans, /health) scans every task once per plan — minutes at 1,000 plans
INDEXES = (("Task", "plan_doc"), ("Task", "task_id"))


def index_statement(label: str, prop: str) -> str:
    return f"CREATE INDEX {label.lower()}_{prop} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})"


def schema_statements() -> list[str]:
    """Uniqueness constraints on `iri` for every label, then the lookup indexes."""
    return [constraint_statement(label) for label in LABELS] + [
        index_statement(label, prop) for label, prop in INDEXES
    ]


def merge_nodes_statement(label: str) -> str:
    return f"UNWIND $rows AS row MERGE (n:{label} {{iri: row.iri}}) SET n += row"


def merge_rels_statement(rel_type: str, start: str, end: str) -> str:
    """A row's `start` and `end` name its nodes; its other keys (evidence, …) are the
    relationship's properties (`SET r += row` also stored both end IRIs on every one)."""
    return (
        f"UNWIND $rows AS row MATCH (a:{start} {{iri: row.start}}) "
        f"MATCH (b:{end} {{iri: row.end}}) MERGE (a)-[r:{rel_type}]->(b) "
        "SET r += row {.*, start: null, end: null}"
    )


DELETE_PLAN = "MATCH (n {plan_doc: $doc}) DETACH DELETE n"

# Options for every driver plankg opens. Its queries read optional properties (a deadline, a
# position) that a graph may not hold anywhere; Neo4j then warns "property key does not exist"
# on every query, and the driver logs each warning (a plan set with no deadline filled a server's
# log with a warning per request). Those are the UNRECOGNIZED category; others still show.
DRIVER_OPTIONS: dict[str, Any] = {"notifications_disabled_categories": ["UNRECOGNIZED"]}

Q_AGENCIES = (
    "MATCH (a:Agency) WHERE ($jurisdiction IS NULL OR a.jurisdiction = $jurisdiction) "
    "AND ($q IS NULL OR a.name CONTAINS $q "
    "OR any(x IN coalesce(a.aliases, []) WHERE x CONTAINS $q)) "
    "RETURN a.iri AS iri, a.name AS name, a.jurisdiction AS jurisdiction, a.kind AS kind, "
    "a.aliases AS aliases, a.collective AS collective"
)
Q_RESOLVE = (
    "MATCH (a:Agency) WHERE any(k IN a.keys WHERE k IN $keys) "
    "AND ($jurisdiction IS NULL OR a.jurisdiction = $jurisdiction) "
    "RETURN a.iri AS iri, a.name AS name, a.jurisdiction AS jurisdiction, a.kind AS kind, "
    "a.aliases AS aliases, a.collective AS collective"
)
Q_AGENCY = (
    "MATCH (a:Agency {iri: $iri}) RETURN a.iri AS iri, a.name AS name, "
    "a.jurisdiction AS jurisdiction, a.kind AS kind, a.aliases AS aliases, "
    "a.collective AS collective"
)
Q_TASKS_OF_AGENCY = (
    "MATCH (a:Agency {iri: $iri})-[r]->(t:Task) WHERE type(r) IN $types "
    "AND ($plan IS NULL OR t.plan_doc = $plan) "
    "AND ($jurisdiction IS NULL OR t.jurisdiction = $jurisdiction) RETURN DISTINCT t.iri AS iri"
)
# one indicator's fields, as a map projection (the same names `_indicator` reads)
_INDICATOR = (
    "{.iri, .subject, .value, .unit, .norm_value, .norm_unit, .comparator, .year, "
    "doc: i.plan_doc, plan_title: i.plan_title, .section, .start, .end}"
)
# tasks with their agencies, targets and mentions in one round trip (pattern comprehensions,
# valid on every Neo4j 5), instead of four queries and one more per indicator for each task
Q_TASKS = (
    "UNWIND $iris AS iri MATCH (t:Task {iri: iri}) "
    "RETURN t.iri AS iri, t.task_id AS task_id, t.title AS title, t.text AS text, "
    "t.clause AS clause, t.jurisdiction AS jurisdiction, t.plan_doc AS doc, "
    "t.plan_title AS plan_title, "
    "t.section AS section, t.start AS start, t.end AS end, "
    "t.deadline AS deadline, t.due_date AS due_date, "
    "[(a:Agency)-[r:LEADS|ASSISTS]->(t) | "
    "{role: type(r), iri: a.iri, name: a.name, jurisdiction: a.jurisdiction, "
    "position: r.position}] AS agencies, "
    f"[(t)-[:TARGETS]->(i:Indicator) | i {_INDICATOR}] AS indicators, "
    "[(t)-[:MENTIONS]->(m) | {name: m.name, kind: CASE WHEN m:Park THEN 'Park' ELSE 'Project' END}]"
    " AS mentions"
)
Q_TASK_BY_ID = "MATCH (t:Task {task_id: $task_id}) RETURN t.iri AS iri"
Q_SEARCH_TASKS = (
    "MATCH (t:Task) WHERE t.text CONTAINS $q OR coalesce(t.title, '') CONTAINS $q "
    "RETURN t.iri AS iri"
)
Q_ALL_TASK_INDICATORS = (
    "MATCH (t:Task)-[:TARGETS]->(i:Indicator) WHERE ($plan IS NULL OR t.plan_doc = $plan) "
    f"RETURN i {_INDICATOR} AS indicator, t.task_id AS task_id"
)
Q_GOALS = (
    "MATCH (p:Plan)-[:HAS_GOAL]->(i:Indicator) WHERE ($plan IS NULL OR p.plan_doc = $plan) "
    f"RETURN i {_INDICATOR} AS indicator"
)
Q_PARKS = (
    "MATCH (p:Park) WHERE ($jurisdiction IS NULL OR p.jurisdiction = $jurisdiction) "
    "OPTIONAL MATCH (pr:Project)-[:LOCATED_IN]->(p) WITH p, count(pr) AS projects "
    "OPTIONAL MATCH (t:Task)-[:MENTIONS]->(p) "
    "RETURN p.iri AS iri, p.name AS name, p.jurisdiction AS jurisdiction, projects, "
    "count(t) AS tasks"
)
Q_PROJECTS_IN_PARK = (
    "MATCH (pr:Project)-[r:LOCATED_IN]->(:Park {iri: $iri}) "
    "RETURN pr.iri AS iri, pr.name AS name, pr.jurisdiction AS jurisdiction"
)
Q_PROJECT_PARKS = (
    "MATCH (:Project {iri: $iri})-[r:LOCATED_IN]->(p:Park) "
    "RETURN p.name AS name, r.evidence AS evidence"
)
Q_PROJECT_TASKS = "MATCH (t:Task)-[:MENTIONS]->(:Project {iri: $iri}) RETURN t.task_id AS task_id"
Q_PLANS = (
    "MATCH (p:Plan) OPTIONAL MATCH (p)-[:HAS_GOAL]->(g:Indicator) WITH p, count(g) AS goals "
    "OPTIONAL MATCH (t:Task {plan_doc: p.plan_doc}) "
    "RETURN p.iri AS iri, p.doc AS doc, p.title AS title, p.jurisdiction AS jurisdiction, "
    "count(t) AS tasks, goals"
)
Q_WORKING_GROUPS = (
    "MATCH (w:WorkingGroup) WHERE ($plan IS NULL OR w.plan_doc = $plan) "
    "OPTIONAL MATCH (w)-[:OFFICE_OF]->(o:Agency) "
    "RETURN w.iri AS iri, w.name AS name, w.plan_doc AS doc, w.jurisdiction AS jurisdiction, "
    "w.convener AS convener, w.deputies AS deputies, o.iri AS office"
)
Q_MEMBERS = (
    "MATCH (a:Agency)-[:MEMBER_OF]->(:WorkingGroup {iri: $iri}) "
    "RETURN a.iri AS iri, a.name AS name, a.jurisdiction AS jurisdiction"
)
Q_ROLES = (
    "MATCH (a:Agency)-[r]->(t:Task) WHERE type(r) IN ['LEADS', 'ASSISTS'] "
    "AND ($plan IS NULL OR t.plan_doc = $plan) "
    "AND ($jurisdiction IS NULL OR t.jurisdiction = $jurisdiction) "
    "RETURN t.iri AS task, type(r) AS role, a.iri AS iri, a.name AS name, "
    "a.jurisdiction AS jurisdiction"
)
QUERIES = {name: value for name, value in globals().items() if name.startswith("Q_")}


def statements(pg: PropertyGraph | None = None) -> list[tuple[str, str]]:
    """(id, Cypher) for every statement the product emits: schema, loader, queries."""
    out = [(f"schema:{i}", statement) for i, statement in enumerate(schema_statements())]
    out += [(f"merge-nodes:{label}", merge_nodes_statement(label)) for label in LABELS]
    rel_keys = sorted(pg.rels) if pg else []
    out += [(f"merge-rels:{t}:{a}:{b}", merge_rels_statement(t, a, b)) for t, a, b in rel_keys]
    out.append(("delete-plan", DELETE_PLAN))
    out += [(f"query:{name}", q) for name, q in sorted(QUERIES.items())]
    return out


# ---------------------------------------------------------------------------- loading

T = TypeVar("T")


Rows = PropertyGraph | NtRows  # anything with node_rows(), rel_rows() and for_plan(doc)


def _rows(graph: Graph | Rows) -> Rows:
    return graph if isinstance(graph, PropertyGraph | NtRows) else to_property_graph(graph)


@dataclass
class LoadReport:
    nodes: int
    relationships: int
    statements_run: int
    nodes_s: float = 0.0  # wall time of each phase, rows read from the source included
    relationships_s: float = 0.0


class _Batches:
    """Rows waiting for their statement, one buffer per statement, cut at `size` rows or at
    `max_bytes` encoded bytes."""

    def __init__(self, size: int, max_bytes: int | None) -> None:
        self.size, self.max_bytes = size, max_bytes
        self.rows: dict[str, list[dict]] = {}
        self.used: dict[str, int] = {}

    def add(self, statement: str, row: dict) -> list[dict] | None:
        """Queue a row; returns the full batch it displaced, if any."""
        cost = len(json.dumps(row, ensure_ascii=False).encode("utf-8")) if self.max_bytes else 0
        full = None
        batch = self.rows.get(statement)
        if batch and (
            len(batch) >= self.size
            or (self.max_bytes and self.used[statement] + cost > self.max_bytes)
        ):
            full = self.rows.pop(statement)
        self.rows.setdefault(statement, []).append(row)
        self.used[statement] = cost + (self.used.get(statement, 0) if full is None else 0)
        return full

    def drain(self) -> Iterator[tuple[str, list[dict]]]:
        for statement in sorted(self.rows):
            yield statement, self.rows[statement]
        self.rows.clear()


def _ahead(items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """`items`, produced by a thread up to `depth` ahead: reading plankg.nt overlaps the
    server's work (the loader waits on the socket, which lets the reading thread run)."""
    queue: Queue = Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def offer(item: object) -> bool:
        while not stop.is_set():
            try:
                queue.put(item, timeout=0.1)
                return True
            except Full:
                continue
        return False  # the consumer has gone

    def produce() -> None:
        try:
            for item in items:
                if not offer(item):
                    return
        except BaseException as exc:  # handed to the consumer
            offer(exc)
            return
        offer(done)

    worker = threading.Thread(target=produce, daemon=True)
    worker.start()
    try:
        while (item := queue.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()


class Neo4jLoader:
    """Writes a property graph into Neo4j; idempotent (MERGE on `iri`).

    Rows stream from the source (`NtRows` reads them off plankg.nt) into one buffer per
    statement; every `batch_size` rows become one `UNWIND` statement in one transaction, so
    memory holds a batch per label, never the graph. `max_batch_bytes` also cuts a batch by its
    encoded size (for servers with small message limits); `create_schema=False` skips the
    uniqueness constraints and lookup indexes. These are the loader's only knobs. Nodes go
    first, then the relationships that MATCH them.
    """

    def __init__(
        self,
        driver: Any,
        *,
        batch_size: int = 1000,
        max_batch_bytes: int | None = None,
        create_schema: bool = True,
        database: str | None = None,
    ) -> None:
        self.driver = driver
        self.batch_size = batch_size
        self.max_batch_bytes = max_batch_bytes
        self.create_schema = create_schema
        self.database = database

    def _session(self):
        return (
            self.driver.session(database=self.database) if self.database else self.driver.session()
        )

    def schema(self) -> None:
        with self._session() as session:
            for statement in schema_statements():
                session.run(statement).consume()

    def _batches(self, items: Iterable[tuple[str, dict]]) -> Iterator[tuple[str, list[dict]]]:
        batches = _Batches(self.batch_size, self.max_batch_bytes)
        for statement, row in items:
            full = batches.add(statement, row)
            if full is not None:
                yield statement, full
        yield from batches.drain()

    def _write(self, items: Iterable[tuple[str, dict]]) -> tuple[int, int]:
        """(statement, row) pairs in batches; returns (rows, statements run). The next batches
        are read from the source while the server works on the current one."""
        rows = runs = 0
        with self._session() as session:
            for statement, batch in _ahead(self._batches(items)):
                session.execute_write(lambda tx, s=statement, b=batch: tx.run(s, rows=b).consume())
                rows += len(batch)
                runs += 1
        return rows, runs

    def load(self, graph: Graph | Rows) -> LoadReport:
        source = _rows(graph)
        if self.create_schema:
            self.schema()
        node_statement = functools.cache(merge_nodes_statement)
        rel_statement = functools.cache(lambda key: merge_rels_statement(*key))
        started = time.perf_counter()
        nodes, runs = self._write((node_statement(k), r) for k, r in source.node_rows())
        middle = time.perf_counter()
        rels, more = self._write((rel_statement(k), r) for k, r in source.rel_rows())
        ended = time.perf_counter()
        return LoadReport(nodes, rels, runs + more, middle - started, ended - middle)

    def load_naive(self, graph: Graph | Rows) -> LoadReport:
        """One statement and one transaction per row: the baseline the benchmark compares with."""
        source = _rows(graph)
        report = LoadReport(0, 0, 0)
        with self._session() as session:
            started = time.perf_counter()
            for label, row in source.node_rows():
                statement = merge_nodes_statement(label)
                session.execute_write(lambda tx, r=row, s=statement: tx.run(s, rows=[r]).consume())
                report.nodes += 1
            middle = time.perf_counter()
            for key, row in source.rel_rows():
                statement = merge_rels_statement(*key)
                session.execute_write(lambda tx, r=row, s=statement: tx.run(s, rows=[r]).consume())
                report.relationships += 1
            report.nodes_s, report.relationships_s = middle - started, time.perf_counter() - middle
        report.statements_run = report.nodes + report.relationships
        return report

    def reload_plan(self, graph: Graph | Rows, doc: str) -> LoadReport:
        """Replace one plan's subgraph (tasks, sections, indicators, groups) and nothing else."""
        part = _rows(graph).for_plan(doc)
        with self._session() as session:
            session.execute_write(lambda tx: tx.run(DELETE_PLAN, doc=doc).consume())
        return self.load(part)


# ---------------------------------------------------------------------------- queries


def _in_plan_order(rows: list[dict], role: str) -> list[AgencyRef]:
    """The agencies of one role by the `position` on their relationship (plan order); a
    relationship loaded without one (an older load) goes last."""
    mine = [r for r in rows if r["role"] == role]
    mine.sort(key=lambda r: (r["position"] is None, r["position"] or 0, r["iri"]))
    return [AgencyRef(r["iri"], r["name"] or "", r["jurisdiction"] or "") for r in mine]


class Neo4jStore:
    """The `Store` questions answered by parameterised Cypher over a Neo4j database."""

    def __init__(self, driver: Any, database: str | None = None) -> None:
        self.driver = driver
        self.database = database

    def _read(self, query: str, **params: Any) -> list[dict[str, Any]]:
        def work(tx):
            return [record.data() for record in tx.run(query, **params)]

        session = (
            self.driver.session(database=self.database) if self.database else self.driver.session()
        )
        with session:
            return session.execute_read(work)

    def run_read_cypher(
        self, query: str, params: dict, timeout: float, limit: int
    ) -> tuple[list[dict], bool]:
        """A user's query, if the server plans it as a read, in a read transaction the server
        stops at `timeout`: (the first `limit` rows, whether there were more). `user_cypher`
        says how; refusals raise its `CypherError`."""
        from plankg.graph.user_cypher import run_read

        return run_read(self.driver, self.database, query, params, timeout, limit)

    # -- helpers
    @staticmethod
    def _agency(row: dict) -> AgencyInfo:
        return AgencyInfo(
            row["iri"],
            row["name"] or "",
            row["jurisdiction"] or "",
            row["kind"] or "other",
            tuple(sorted(row["aliases"] or ())),
            bool(row["collective"]),
        )

    @staticmethod
    def _ref(row: dict) -> AgencyRef:
        return AgencyRef(row["iri"], row["name"] or "", row["jurisdiction"] or "")

    @staticmethod
    def _source(row: dict) -> SourceRef:
        section = tuple(s for s in (row.get("section") or "").split(" / ") if s)
        return SourceRef(
            row["doc"] or "", row["plan_title"] or "", section, row["start"] or 0, row["end"] or 0
        )

    def _indicator(self, row: dict, task_id: str | None) -> IndicatorInfo:
        return IndicatorInfo(
            row["iri"],
            row["subject"] or "",
            float(row["value"]),
            row["unit"] or "",
            float(row["norm_value"]),
            row["norm_unit"] or "",
            row["comparator"] or "=",
            row["year"],
            self._source(row),
            task_id,
        )

    def _task(self, row: dict) -> TaskInfo:
        agencies = row["agencies"]
        lead, assist = _in_plan_order(agencies, "LEADS"), _in_plan_order(agencies, "ASSISTS")
        targets = [self._indicator(i, row["task_id"]) for i in row["indicators"]]
        mentions = row["mentions"]
        return TaskInfo(
            id=row["task_id"],
            iri=row["iri"],
            title=row["title"] or "",
            text=row["text"] or "",
            clause=row["clause"] or "",
            jurisdiction=row["jurisdiction"] or "",
            source=self._source(row),
            lead=tuple(lead),
            assist=tuple(assist),
            indicators=tuple(sorted(targets, key=lambda i: (i.source.start, i.iri))),
            projects=tuple(sorted(m["name"] for m in mentions if m["kind"] == "Project")),
            parks=tuple(sorted(m["name"] for m in mentions if m["kind"] == "Park")),
            deadline=(
                DeadlineInfo(row["deadline"] or "", row["due_date"])
                if row["deadline"] is not None or row["due_date"] is not None
                else None
            ),
        )

    def _tasks(self, iris: Iterable[str]) -> list[TaskInfo]:
        tasks = [self._task(row) for row in self._read(Q_TASKS, iris=sorted(set(iris)))]
        return sorted(tasks, key=lambda t: (t.source.doc, t.source.start, t.iri))

    def _plan_doc(self, plan: str | None) -> str | None:
        """Plans are named by document; a stem is accepted too."""
        if plan is None:
            return None
        for p in self.plans():
            if plan in (p.doc, p.doc.rsplit(".", 1)[0], p.iri):
                return p.doc
        return "∅"

    # -- Store API
    def agencies(self, q: str | None = None, jurisdiction: str | None = None) -> list[AgencyInfo]:
        rows = self._read(Q_AGENCIES, q=q, jurisdiction=jurisdiction)
        return sorted((self._agency(r) for r in rows), key=lambda i: (i.jurisdiction, i.name))

    def resolve_agency(self, name: str, jurisdiction: str | None = None) -> list[AgencyInfo]:
        keys = query_keys(name, jurisdiction)
        for tier in ({k for k in keys if is_exact_key(k)}, keys):  # exact spellings first
            rows = self._read(Q_RESOLVE, keys=sorted(tier), jurisdiction=jurisdiction)
            found = narrow_by_level(name, jurisdiction, [self._agency(r) for r in rows])
            if found:
                return found
        return []

    def agency(self, iri: str) -> AgencyInfo | None:
        rows = self._read(Q_AGENCY, iri=iri)
        return self._agency(rows[0]) if rows else None

    def tasks_of_agency(
        self,
        agency_iri: str,
        role: RoleFilter = "any",
        plan: str | None = None,
        jurisdiction: str | None = None,
    ) -> list[TaskInfo]:
        types = {"lead": ["LEADS"], "assist": ["ASSISTS"], "any": ["LEADS", "ASSISTS"]}[role]
        rows = self._read(
            Q_TASKS_OF_AGENCY,
            iri=agency_iri,
            types=types,
            plan=self._plan_doc(plan),
            jurisdiction=jurisdiction,
        )
        return self._tasks(r["iri"] for r in rows)

    def task(self, task_id: str) -> TaskInfo | None:
        rows = self._read(Q_TASK_BY_ID, task_id=task_id)
        return self._tasks([rows[0]["iri"]])[0] if rows else None

    def search_tasks(self, q: str, limit: int = 50) -> list[TaskInfo]:
        return self._tasks(r["iri"] for r in self._read(Q_SEARCH_TASKS, q=q))[:limit]

    def indicators(
        self,
        subject: str | None = None,
        plan: str | None = None,
        agency_iri: str | None = None,
        task_id: str | None = None,
        include_goals: bool = True,
    ) -> list[IndicatorInfo]:
        out: list[IndicatorInfo] = []
        if task_id is not None:
            task = self.task(task_id)
            if task is not None and (plan is None or task.source.doc == self._plan_doc(plan)):
                out = list(task.indicators)
        elif agency_iri is not None:
            out = [i for t in self.tasks_of_agency(agency_iri, plan=plan) for i in t.indicators]
        else:
            doc = self._plan_doc(plan)
            out = [
                self._indicator(r["indicator"], r["task_id"])
                for r in self._read(Q_ALL_TASK_INDICATORS, plan=doc)
            ]
            if include_goals:
                out += [
                    self._indicator(r["indicator"], None) for r in self._read(Q_GOALS, plan=doc)
                ]
        if subject:
            out = [i for i in out if subject in i.subject]
        return sorted(out, key=lambda i: (i.source.doc, i.source.start, i.iri))

    def parks(self, jurisdiction: str | None = None) -> list[ParkInfo]:
        rows = self._read(Q_PARKS, jurisdiction=jurisdiction)
        parks = [
            ParkInfo(r["iri"], r["name"] or "", r["jurisdiction"] or "", r["projects"], r["tasks"])
            for r in rows
        ]
        return sorted(parks, key=lambda p: (p.jurisdiction, p.name))

    def park_by_name(self, name: str) -> list[ParkInfo]:
        return [p for p in self.parks() if p.name == name]

    def projects_in_park(self, park_iri: str) -> list[ProjectInfo]:
        out = []
        for r in self._read(Q_PROJECTS_IN_PARK, iri=park_iri):
            located = self._read(Q_PROJECT_PARKS, iri=r["iri"])
            tasks = self._read(Q_PROJECT_TASKS, iri=r["iri"])
            out.append(
                ProjectInfo(
                    r["iri"],
                    r["name"] or "",
                    r["jurisdiction"] or "",
                    tuple(sorted(x["name"] for x in located)),
                    tuple(sorted({e for x in located for e in (x["evidence"] or [])})),
                    tuple(sorted(t["task_id"] for t in tasks)),
                )
            )
        return sorted(out, key=lambda p: p.name)

    def plans(self) -> list[PlanInfo]:
        rows = self._read(Q_PLANS)
        plans = [
            PlanInfo(
                r["iri"],
                r["doc"] or "",
                r["title"] or "",
                r["jurisdiction"] or "",
                r["tasks"],
                r["goals"],
            )
            for r in rows
        ]
        return sorted(plans, key=lambda p: p.doc)

    def working_groups(self, plan: str | None = None) -> list[WorkingGroupInfo]:
        out = []
        for r in self._read(Q_WORKING_GROUPS, plan=self._plan_doc(plan)):
            members = sorted(
                (self._ref(m) for m in self._read(Q_MEMBERS, iri=r["iri"])), key=lambda a: a.iri
            )
            office = self.agency(r["office"]) if r["office"] else None
            out.append(
                WorkingGroupInfo(
                    r["iri"],
                    r["name"] or "",
                    r["doc"] or "",
                    r["jurisdiction"] or "",
                    r["convener"],
                    tuple(sorted(r["deputies"] or ())),
                    AgencyRef(office.iri, office.name, office.jurisdiction) if office else None,
                    tuple(members),
                )
            )
        return sorted(out, key=lambda w: (w.doc, w.iri))

    def _roles(self, jurisdiction: str | None, plan: str | None) -> dict[str, dict[str, set]]:
        roles: dict[str, dict[str, set]] = {}
        for r in self._read(Q_ROLES, plan=self._plan_doc(plan), jurisdiction=jurisdiction):
            entry = roles.setdefault(r["task"], {"LEADS": set(), "ASSISTS": set()})
            entry[r["role"]].add(self._ref(r))
        return roles

    def _task_roles(self, jurisdiction: str | None, plan: str | None):
        return ((e["LEADS"], e["ASSISTS"]) for e in self._roles(jurisdiction, plan).values())

    def coordination(
        self,
        jurisdiction: str | None = None,
        plan: str | None = None,
        mode: str = "lead_assist",
    ) -> list[CoordinationCell]:
        return coordination_cells(self._task_roles(jurisdiction, plan), mode)

    def load(self, jurisdiction: str | None = None, plan: str | None = None) -> list[LoadRow]:
        return load_rows(self._task_roles(jurisdiction, plan))


__all__ = ["PLAN_OWNED", "Neo4jLoader", "Neo4jStore", "statements"]
