"""The SPARQL guard judges the parsed query: a hostile corpus (SERVICE hidden behind quotes,
comments, escapes, subqueries; updates; FROM) is refused, and a listener on loopback proves that
nothing the guard lets through makes pyoxigraph — which does execute SERVICE — connect anywhere.
And the API-key check."""

from __future__ import annotations

import time

import pyoxigraph
import pytest
from sandbox_support import Listener

from plankg.api.security import key_matches
from plankg.graph.sparql_guard import RefusedQuery, guard

URL = "{url}"  # the listener's URL, filled in per test
HIDDEN_SERVICE = [
    f"SELECT * WHERE {{ SERVICE <{URL}> {{ ?s ?p ?o }} }}",
    f"select * where {{ SeRvIcE <{URL}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ \\u0053ERVICE <{URL}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ \\U00000053\\u0045RVICE <{URL}> {{ ?s ?p ?o }} }}",
    f'SELECT * WHERE {{ ?s ?p "\\"" . SERVICE <{URL}> {{ ?s ?p ?o }} }}',
    f"SELECT * WHERE {{ ?s ?p '\"' . SERVICE <{URL}> {{ ?s ?p ?o }} }}",
    f'SELECT * WHERE {{ ?s ?p "a\\\\" . SERVICE <{URL}> {{ ?s ?p ?o }} }}',
    f'SELECT * WHERE {{ ?s ?p """a"b""c""" . SERVICE <{URL}> {{ ?s ?p ?o }} }}',
    f"SELECT * WHERE {{ ?s ?p '''it's''' . SERVICE <{URL}> {{ ?s ?p ?o }} }}",
    f'SELECT * WHERE {{ ?s ?p "x\\u0022 . SERVICE <{URL}> {{ ?s ?p ?o }} #" }}',
    f"SELECT * WHERE {{ # }} comment\n SERVICE <{URL}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ ?s <urn:x#> ?o . SERVICE <{URL}> {{ ?s ?p ?o }} }}",
    f"SELECT * {{ {{ SELECT * {{ SERVICE SILENT <{URL}> {{ ?s ?p ?o }} }} }} }}",
    f"SELECT * {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{URL}> {{ ?s ?p ?o }} }} }}",
    f"SELECT * {{ ?s ?p ?o MINUS {{ SERVICE <{URL}> {{ ?s ?p ?o }} }} }}",
    f"SELECT * {{ {{ ?s ?p ?o }} UNION {{ OPTIONAL {{ SERVICE <{URL}> {{ ?s ?p ?o }} }} }} }}",
    f"SELECT * {{ GRAPH ?g {{ SERVICE <{URL}> {{ ?s ?p ?o }} }} }}",
    f"SELECT * {{ BIND(<{URL}> AS ?u) SERVICE ?u {{ ?s ?p ?o }} }}",
    f"PREFIX remote: <{URL}> SELECT * {{ SERVICE remote: {{ ?s ?p ?o }} }}",
    f"BASE <{URL}> SELECT * {{ SERVICE <> {{ ?s ?p ?o }} }}",
    f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{URL}> {{ ?s ?p ?o }} }}",
    f"ASK {{ SERVICE <{URL}> {{ ?s ?p ?o }} }}",
    f"DESCRIBE ?s {{ SERVICE <{URL}> {{ ?s ?p ?o }} }}",
    f"SELECT * {{ ?s ?p ?o }} VALUES ?x {{ 1 }} # then\nSERVICE <{URL}> {{}}",
]
UPDATES = [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "PREFIX x: <http://x#> DELETE WHERE { ?s ?p ?o }",
    "CLEAR ALL",
    "DROP GRAPH <urn:g>",
    "CREATE GRAPH <urn:g>",
    "ADD DEFAULT TO <urn:g>",
    f"LOAD <{URL}>",
    f"LOAD SILENT <{URL}> INTO GRAPH <urn:g>",
    f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{URL}> {{ ?s ?p ?o }} }}",
    f"SELECT * {{}} ; LOAD <{URL}>",
    "# a comment\n\\u0049NSERT DATA { <urn:a> <urn:b> <urn:c> }",
]
DATASETS = [
    f"SELECT * FROM <{URL}> WHERE {{ ?s ?p ?o }}",
    f"SELECT * FROM NAMED <{URL}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "ASK FROM <urn:plankg:any-graph> { ?s ?p ?o }",
]
# reads the guard lets through: SERVICE only inside strings, comments or IRIs
HARMLESS = [
    f'SELECT * WHERE {{ ?s ?p "a\\" }} SERVICE <{URL}> {{ ?s ?p ?o }} #" }}',
    f"SELECT * WHERE {{ ?s ?p ?o }} # SERVICE <{URL}> {{ ?s ?p ?o }}",
    f"SELECT * WHERE {{ ?s ?p 'SERVICE <{URL}> {{ ?s ?p ?o }}' }}",
    f'SELECT * WHERE {{ ?s ?p """\nSERVICE <{URL}> {{ ?s ?p ?o }}\n""" }}',
    f"SELECT * WHERE {{ ?s <{URL}#SERVICE> ?o }}",
    f"DESCRIBE <{URL}>",
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n# a comment with INSERT\n"
    'SELECT ?s WHERE { ?s skos:prefLabel "DELETE"@zh }',
    "ASK { ?s ?p ?o }",
]


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def _fill(queries: list[str], url: str) -> list[str]:
    return [q.replace(URL, url) for q in queries]


@pytest.mark.parametrize("query", HIDDEN_SERVICE)
def test_service_is_refused_however_it_is_written(query):
    # refused as SERVICE, or as invalid where an escape changes where a string ends
    with pytest.raises(RefusedQuery, match=r"SERVICE|not a valid"):
        guard(query.replace(URL, "http://127.0.0.1:9/sparql"))


@pytest.mark.parametrize("query", UPDATES)
def test_updates_are_refused(query):
    with pytest.raises(RefusedQuery, match=r"updates|not a valid"):
        guard(query.replace(URL, "http://127.0.0.1:9/x"))


@pytest.mark.parametrize("query", DATASETS)
def test_from_and_from_named_are_refused(query):
    with pytest.raises(RefusedQuery, match="FROM"):
        guard(query.replace(URL, "http://127.0.0.1:9/x"))


def test_invalid_sparql_gets_the_parsers_message():
    with pytest.raises(RefusedQuery, match=r"not a valid SPARQL query: Expected"):
        guard("SELECT ?s WHERE { ?s ?p }")


def test_what_passes_is_the_text_as_sent_with_its_form():
    for query, form in [
        ("SELECT * { ?s ?p ?o }", "SELECT"),
        ("ASK {}", "ASK"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE <urn:x>", "DESCRIBE"),
    ]:
        passed = guard(query)
        assert passed.text == query and passed.form == form


def _run_unguarded(query: str) -> None:
    store = pyoxigraph.Store()
    store.add(
        pyoxigraph.Quad(
            pyoxigraph.NamedNode("urn:s"),
            pyoxigraph.NamedNode("urn:p"),
            pyoxigraph.Literal("o"),
            pyoxigraph.NamedNode("urn:g"),
        )
    )
    try:
        result = store.query(query, use_default_graph_as_union=True)
        if not isinstance(result, pyoxigraph.QueryBoolean):
            list(result)
    except (OSError, SyntaxError, ValueError, RuntimeError):
        pass  # the listener answers nothing: pyoxigraph reports the failed SERVICE call


def test_no_query_of_the_corpus_makes_an_outbound_request(listener):
    """Every query the guard passes runs on pyoxigraph in this (unsandboxed) process: the
    listener sees nothing. The refused SERVICE queries, run without the guard, do reach it:
    pyoxigraph executes SERVICE, so the guard (and the workers' seccomp filter) is the line."""
    corpus = _fill(HIDDEN_SERVICE + UPDATES + DATASETS + HARMLESS, listener.url)
    passed = []
    for query in corpus:
        try:
            passed.append(guard(query).text)
        except RefusedQuery:
            continue
    assert len(passed) == len(HARMLESS)
    for query in passed:
        _run_unguarded(query)
    time.sleep(0.3)
    assert listener.connections == []
    for query in _fill(HIDDEN_SERVICE, listener.url):
        _run_unguarded(query)
    deadline = time.monotonic() + 5
    while len(listener.connections) < 8 and time.monotonic() < deadline:
        time.sleep(0.05)
    # plain, lower case, behind a comment, in a subquery, FILTER EXISTS, MINUS, OPTIONAL, GRAPH…
    assert len(listener.connections) >= 8 and all(b"POST" in c for c in listener.connections)


def test_api_key():
    assert key_matches("secret", "secret")
    assert not key_matches("Secret", "secret")
    assert not key_matches(None, "secret")
    assert not key_matches("anything", None)
