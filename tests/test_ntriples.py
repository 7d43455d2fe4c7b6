"""Terms as plain values, read with pyoxigraph's parser: escapes, tags, datatypes, errors."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from plankg.ingest.rdf import build_lines, plain, zh
from plankg.ontology.ntriples import Lit, NTriplesError, parse_line, read_blocks

XSD = "http://www.w3.org/2001/XMLSchema#"


def test_escapes_language_tags_and_datatypes():
    s, p, o = parse_line('<a:s> <a:p> "第一行\\n\\"引号\\"\\\\ \\u5E73\\U00006C5F"@zh .')
    assert (s, p) == ("a:s", "a:p")
    assert o == Lit('第一行\n"引号"\\ 平江', "zh")
    assert parse_line(f'<a:s> <a:p> "7"^^<{XSD}integer> .')[2].to_python() == 7
    assert parse_line(f'<a:s> <a:p> "2.50"^^<{XSD}decimal> .')[2].to_python() == 2.5
    assert parse_line(f'<a:s> <a:p> "2025"^^<{XSD}gYear> .')[2].to_python() == 2025
    assert parse_line(f'<a:s> <a:p> "true"^^<{XSD}boolean> .')[2].to_python() is True
    assert parse_line('<a:s> <a:p> "plain" .')[2] == Lit("plain")
    assert parse_line("_:b1 <a:p> <a:o> .")[1:] == ("a:p", "a:o")
    assert parse_line("   ") is None and parse_line("# a comment") is None
    with pytest.raises(NTriplesError):
        parse_line("<a:s> <a:p> .")


def test_a_broken_line_names_the_file_and_line(tmp_path):
    bad = tmp_path / "plankg.nt"
    bad.write_text('<a:s> <a:p> "ok" .\n<a:s> <a:p> "unterminated .\n', encoding="utf-8")
    with pytest.raises(NTriplesError, match=r"plankg\.nt.*line 2"):
        list(read_blocks(bad))


def test_literals_written_by_the_builder_read_back_unchanged():
    for text in ["普通", 'a "quoted"\nline\\', "\r", "tab\there"]:
        assert parse_line(f"<a:s> <a:p> {zh(text)} .")[2] == Lit(text, "zh")
        assert parse_line(f"<a:s> <a:p> {plain(text)} .")[2] == Lit(text)


def test_the_sample_lines_are_canonical_ntriples(sample_plans, tmp_path):
    """The builder's lines are what pyoxigraph itself writes for the same triples, so the
    sorted file is the library's N-Triples, one block per subject."""
    lines = build_lines(sample_plans)
    parsed = list(ox.parse("".join(lines), format=ox.RdfFormat.N_TRIPLES))
    assert [f"{t} .\n" for t in parsed] == lines
    path = tmp_path / "plankg.nt"
    path.write_text("".join(lines), encoding="utf-8")
    blocks = list(read_blocks(path))
    assert len({b.subject for b in blocks}) == len(blocks)
    assert sum(len(b.triples) for b in blocks) == len(lines)
