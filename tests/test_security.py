"""Read-only guards for user-written Cypher and SPARQL, and the API-key check."""

import pytest

from plankg.api.security import (
    UnsafeQuery,
    check_read_only_cypher,
    check_read_only_sparql,
    key_matches,
)


@pytest.mark.parametrize(
    "query",
    [
        "CREATE (n:Agency {name: 'x'})",
        "MATCH (n) DETACH DELETE n",
        "MATCH (n) SET n.name = 'x'",
        "MERGE (n:X {iri: 'a'})",
        "MATCH (n) REMOVE n.name",
        "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row",
        "CALL dbms.security.createUser('x', 'y', false)",
        "match (n) // harmless?\n delete n",
        "MATCH (n) /* hide */ SET n.x = 1",
        "DROP CONSTRAINT agency_iri",
        "UNWIND range(1, 10) AS i CALL { CREATE (:X) } IN TRANSACTIONS",
        "MATCH (n) WHERE n.x = '//' DELETE n",
        "CALL `dbms`.security.createUser('x', 'y', false)",
    ],
)
def test_cypher_writes_are_refused(query):
    with pytest.raises(UnsafeQuery):
        check_read_only_cypher(query)


@pytest.mark.parametrize(
    "query",
    [
        "MATCH (a:Agency)-[:LEADS]->(t:Task) RETURN a.name, count(t)",
        "MATCH (t:Task) WHERE t.text CONTAINS 'CREATE' RETURN t.task_id",
        'MATCH (t:Task) WHERE t.text CONTAINS "SET n" RETURN t LIMIT 5',
    ],
)
def test_cypher_reads_pass(query):
    check_read_only_cypher(query)


@pytest.mark.parametrize(
    "query",
    [
        "INSERT DATA { <a:b> <a:c> <a:d> }",
        "PREFIX x: <http://x#> DELETE WHERE { ?s ?p ?o }",
        "CLEAR ALL",
        "LOAD <http://example.org/data.ttl>",
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "DROP GRAPH <http://x>",
        "SELECT * WHERE { \\u0053ERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    ],
)
def test_sparql_updates_and_service_are_refused(query):
    with pytest.raises(UnsafeQuery):
        check_read_only_sparql(query)


def test_sparql_reads_pass():
    check_read_only_sparql(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n# a comment with INSERT\n"
        'SELECT ?s WHERE { ?s skos:prefLabel "DELETE"@zh }'
    )
    check_read_only_sparql("ASK { ?s ?p ?o }")


def test_api_key():
    assert key_matches("secret", "secret")
    assert not key_matches("Secret", "secret")
    assert not key_matches(None, "secret")
    assert not key_matches("anything", None)
