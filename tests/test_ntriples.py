"""The N-Triples reader the embedded store loads with: same triples as rdflib, clear errors."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal

from plankg.ingest.serialize import format_literal, write_graph
from plankg.ontology.ntriples import (
    Lit,
    NTriplesError,
    parse_line,
    read_blocks,
    read_lines_at,
)

XSD = "http://www.w3.org/2001/XMLSchema#"


def test_escapes_language_tags_and_datatypes():
    s, p, o = parse_line('<a:s> <a:p> "第一行\\n\\"引号\\"\\\\ \\u5E73\\U00006C5F"@zh .')
    assert (s, p) == ("a:s", "a:p")
    assert o == Lit('第一行\n"引号"\\ 平江', "zh")
    assert parse_line(f'<a:s> <a:p> "7"^^<{XSD}integer> .')[2].to_python() == 7
    assert parse_line(f'<a:s> <a:p> "2.50"^^<{XSD}decimal> .')[2].to_python() == 2.5
    assert parse_line(f'<a:s> <a:p> "2025"^^<{XSD}gYear> .')[2].to_python() == 2025
    assert parse_line(f'<a:s> <a:p> "true"^^<{XSD}boolean> .')[2].to_python() is True
    assert parse_line("_:b1 <a:p> <a:o> .") == ("_:b1", "a:p", "a:o")
    assert parse_line("   ") is None and parse_line("# a comment") is None


def test_a_broken_line_names_the_file_and_line(tmp_path):
    bad = tmp_path / "plankg.nt"
    bad.write_text('<a:s> <a:p> "ok" .\n<a:s> <a:p> "unterminated .\n', encoding="utf-8")
    with pytest.raises(NTriplesError, match=r"plankg\.nt, line 2"):
        list(read_blocks(bad))


def test_format_literal_round_trips():
    for text in ["普通", 'a "quoted"\nline\\', "\r"]:
        lit = Lit(text, "zh")
        assert parse_line(f"<a:s> <a:p> {format_literal(lit)} .")[2] == lit


def test_the_sample_graph_reads_back_exactly_as_rdflib_reads_it(sample_plans, tmp_path):
    from plankg.ingest.rdf import build_graph

    graph = build_graph(sample_plans)
    path = write_graph(graph, tmp_path)["nt"]
    mine = set()
    blocks = list(read_blocks(path))
    for block in blocks:
        mine |= {(block.subject, p, o) for p, o in block.triples}
        # a subject's lines sit together in the sorted file, found again by offset
        lines = read_lines_at(path, block.offset, block.length)
        assert {parse_line(x)[0] for x in lines} == {block.subject}
    assert len({b.subject for b in blocks}) == len(blocks)  # sorted: one block per subject

    def term(t):
        if isinstance(t, Literal):
            return Lit(str(t), t.language, str(t.datatype) if t.datatype else None)
        return str(t)

    reference = {(str(s), str(p), term(o)) for s, p, o in Graph().parse(path, format="nt")}
    assert mine == reference and len(mine) == len(graph)


def test_build_ntriples_gives_the_triples_of_build_graph(sample_plans):
    from plankg.ingest.rdf import build_graph, build_ntriples
    from plankg.ingest.serialize import graph_lines

    assert build_ntriples(sample_plans) == graph_lines(build_graph(sample_plans))
