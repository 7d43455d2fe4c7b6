"""Every Cypher statement plankg can emit passes Neo4j's own linter with no errors."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import require

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import cypher_lint


@pytest.fixture(scope="module")
def linter():
    if not cypher_lint.available():
        require(
            "PLANKG_REQUIRE_CYPHERLINT", "Cypher linter missing: npm ci --prefix tools/cypherlint"
        )
    return cypher_lint


def test_linter_catches_mistakes(linter):
    bad, good = linter.lint_statements(
        [("typo", "MATCH (n) RETRUN n"), ("ok", "MATCH (n:Agency {iri: $iri}) RETURN n.name")]
    )
    assert bad.errors and not good.errors


def test_every_statement_the_product_emits_is_valid(linter, sample_plans):
    from plankg.graph.neo4j_export import cypher_script, script_statements
    from plankg.graph.neo4j_store import statements
    from plankg.graph.property_graph import to_property_graph
    from plankg.ingest.rdf import build_lines

    pg = to_property_graph(build_lines(sample_plans))
    emitted = statements(pg)
    script = script_statements(cypher_script(pg))
    emitted += [(f"script:{i}", s) for i, s in enumerate(script)]
    assert len(emitted) > 60
    results = linter.lint_statements(emitted)
    failures = {r.id: r.errors for r in results if r.errors}
    assert failures == {}
