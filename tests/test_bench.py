"""The benchmark's own arithmetic: ratios against the baseline, and targets called met or
MISSED from the figures (the figures themselves come from `make bench`, never from a test)."""

from __future__ import annotations

from bench.run import ratios, report, targets


def _size(ms_per_plan: float, us_per_kb: float, load_s: float, triples: int, **http) -> dict:
    return {
        "extract": {
            "mb_per_s": 1.2,
            "chars_per_s": 4e5,
            "ms_per_plan": ms_per_plan,
            "us_per_kb": us_per_kb,
        },
        "rdf": {"triples": triples, "peak_rss_mb": 100.0},
        "ingest": {
            "jobs1": {"seconds": 10.0, "extract_s": 6.0, "mb_per_s_per_core": 1.1},
            "jobs2": {"seconds": http.get("jobs2_s", 5.5), "extract_s": 3.1},
        },
        "store": {
            "index_build_s": load_s,
            "server_ready_s": http.get("ready", 2.0),
            "server_rss_mb": http.pop("rss", 100.0),
        },
        "query": {
            "p50_ms": 0.1,
            "p99_ms": 0.2,
            "sparql_p50_ms": http.get("sparql", 0.3),
            "sparql_over_store_p50": http.get("sparql", 0.3) / 0.1,
        },
        "http": {"p50_ms": 1.0, "p99_ms": http.get("p99", 4.0), "rps": http.get("rps", 1500.0)},
        "accuracy": {"lead": 1.0, "assist": 1.0},
    }


def test_ratios_are_against_the_smallest_corpus():
    sizes = {
        "10": _size(10.0, 700.0, 1.0, 10_000),
        "1000": _size(13.0, 700.0, 50.0, 1_000_000, p99=8.0),
    }
    out = ratios(sizes)
    assert out["extract_ms_per_plan_1000_over_10"] == 1.3
    assert out["extract_us_per_kb_1000_over_10"] == 1.0
    assert out["index_build_s_per_mtriple_1000_over_10"] == 0.5
    assert out["http_p99_1000_over_10"] == 2.0
    assert out["ingest_jobs2_over_jobs1_at_1000"] == 10.0 / 5.5
    assert round(out["sparql_over_embedded_p50_at_1000"], 6) == 3.0


def test_targets_are_called_missed_when_the_figures_miss_them():
    sizes = {
        "10": _size(10.0, 700.0, 1.0, 10_000),
        "1000": _size(
            13.0, 700.0, 50.0, 10**6, p99=8.0, rps=600.0, rss=5000.0, ready=70.0, sparql=1.5
        ),
    }
    results = {"sizes": sizes, "ratios": ratios(sizes), "neo4j": None}
    results["targets"] = got = targets(results, "1000")
    assert got["cost per plan flat (ratio <= 1.2)"] is False
    assert got["HTTP p99 <= 5 ms"] is False and got["HTTP >= 1000 req/s"] is False
    assert got["1000 plans served in <= 4 GB"] is False
    assert got["extract >= 1 MB/s/core"] is True
    assert got["batched Neo4j >= 20x naive"] is None
    assert got["1000 plans: serve ready <= 5 s"] is False
    assert got["SPARQL tasks-led-by p50 <= 1 ms at 1000"] is False
    assert got["SPARQL within 5x of the embedded lookup at 1000"] is False
    assert got["ingest >= 1 MB/s/core end to end"] is True
    assert got["ingest --jobs 2 >= 1.7x --jobs 1"] is True
    text = report(results)
    assert "target HTTP p99 <= 5 ms: MISSED" in text
    assert "target batched Neo4j >= 20x naive: not measured" in text


def test_the_naive_sample_is_whole_plan_subgraphs(sample_plans):
    """The naive Neo4j load is rated on every n-th plan's subgraph: the same rows
    `PropertyGraph.for_plan` cuts, so every relationship finds both its ends."""
    from bench.neo4j_bench import plan_sample
    from plankg.graph.property_graph import to_property_graph
    from plankg.ingest.rdf import build_lines

    pg = to_property_graph(build_lines(sample_plans))
    assert plan_sample(pg, 1) is pg
    docs = sorted(r["plan_doc"] for r in pg.nodes["Plan"])
    sample = plan_sample(pg, 2)
    expected = [pg.for_plan(d) for d in docs[::2]]
    iris = {r["iri"] for rows in sample.nodes.values() for r in rows}
    assert iris == {r["iri"] for p in expected for rows in p.nodes.values() for r in rows}
    assert sample.rel_count() == sum(p.rel_count() for p in expected)
    assert all(
        r["start"] in iris and r["end"] in iris for rows in sample.rels.values() for r in rows
    )


def test_the_neo4j_target_is_judged_on_batched_over_naive():
    sizes = {"10": _size(10.0, 700.0, 1.0, 10_000), "1000": _size(10.0, 700.0, 90.0, 10**6)}
    figures = {
        "nodes_per_s": 1.0,
        "relationships_per_s": 1.0,
        "seconds": 1.0,
        "rows_per_statement": 900.0,
        "peak_rss_mb": 120.0,
    }
    http = {"p50_ms": 9.0, "p99_ms": 30.0, "rps": 100.0, "server_rss_mb": 150.0}
    neo = {
        "server": "Neo4j 5.26 community",
        "plans": 1000,
        "batch_size": 1000,
        "naive": {**figures, "items_per_s": 800.0, "plans_every": 1},
        "batched_in_memory": {**figures, "items_per_s": 20_000.0},
        "batched": {**figures, "items_per_s": 12_000.0},
        "batched_over_naive": 25.0,
        "plankg_load_over_naive": 15.0,
        "http": http,
        "embedded_http": {**http, "p50_ms": 0.6},
        "embedded_server_rss_mb": 340.0,
    }
    results = {"sizes": sizes, "ratios": ratios(sizes), "neo4j": neo}
    results["targets"] = targets(results, "1000")
    assert results["targets"]["batched Neo4j >= 20x naive"] is True
    text = report(results)
    assert "ratio batched / naive: 25.0x" in text and "15.0x naive" in text
    assert "target batched Neo4j >= 20x naive: met" in text
