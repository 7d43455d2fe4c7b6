"""RDF terms as plain Python values, read with pyoxigraph's parser.

The embedded store and the Neo4j row stream keep IRIs as plain strings and literals as `Lit`
values (small, hashable, comparable); pyoxigraph (Rust) parses N-Triples and hands its terms
over, converted here once. No parser of our own.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_STRING = XSD + "string"


@dataclass(frozen=True, slots=True)
class Lit:
    """A literal: lexical form (escapes undone), language tag or datatype IRI."""

    lexical: str
    lang: str | None = None
    datatype: str | None = None

    def to_python(self) -> Any:
        """int for integers and years, float for decimals and doubles, bool, else the text."""
        dt = self.datatype
        if dt is None or dt == _STRING:
            return self.lexical
        local = dt[len(XSD) :] if dt.startswith(XSD) else ""
        try:
            if local in ("integer", "int", "long", "gYear", "nonNegativeInteger"):
                return int(self.lexical)
            if local == "decimal":
                return float(Decimal(self.lexical))
            if local in ("double", "float"):
                return float(self.lexical)
            if local == "boolean":
                return self.lexical in ("true", "1")
        except ValueError:
            pass
        return self.lexical


Term = str | Lit  # an IRI (or `_:label` blank node) as a plain string, or a literal


class NTriplesError(ValueError):
    """Input that is not N-Triples; the message names the file and line."""


def term(t: Any) -> Term:
    """A pyoxigraph term as a plain value: IRI → str, blank node → '_:id', literal → Lit
    (plain literals keep no datatype, as N-Triples writes them)."""
    if isinstance(t, ox.NamedNode):
        return t.value
    if isinstance(t, ox.Literal):
        if t.language:
            return Lit(t.value, t.language, None)
        dt = t.datatype.value
        return Lit(t.value, None, None if dt == _STRING else dt)
    return f"_:{t.value}"


def triples(source: Iterable[ox.Triple]) -> Iterator[tuple[str, str, Term]]:
    for t in source:
        yield term(t.subject), t.predicate.value, term(t.object)  # type: ignore[misc]


def parse_line(line: str | bytes) -> tuple[str, str, Term] | None:
    """One N-Triples line → (subject, predicate, object); None for a blank or comment line.
    Raises `NTriplesError` for anything else."""
    try:
        found = list(ox.parse(line, format=ox.RdfFormat.N_TRIPLES))
    except SyntaxError as exc:
        raise NTriplesError(f"not an N-Triples line: {exc}") from exc
    if not found:
        return None
    if len(found) > 1:
        raise NTriplesError("more than one triple on a line")
    return next(triples(found))


@dataclass(frozen=True, slots=True)
class Block:
    """All triples of one subject (consecutive in the input)."""

    subject: str
    triples: list[tuple[str, Term]]  # (predicate, object)


def iter_blocks(source: Iterable[tuple[str, str, Term]]) -> Iterator[Block]:
    """Consecutive triples grouped by subject (a sorted file keeps each subject together;
    in an unsorted one a subject may come back in several blocks)."""
    interned: dict[str, str] = {}
    current: str | None = None
    block: list[tuple[str, Term]] = []
    for s, p, o in source:
        if s != current:
            if current is not None:
                yield Block(current, block)
            current, block = s, []
        block.append((interned.setdefault(p, p), o))
    if current is not None:
        yield Block(current, block)


def read_blocks(path: str | Path) -> Iterator[Block]:
    """Stream an N-Triples file subject by subject; a syntax error names the file and line."""
    try:
        yield from iter_blocks(triples(ox.parse(path=path, format=ox.RdfFormat.N_TRIPLES)))
    except SyntaxError as exc:
        raise NTriplesError(f"{path}: {exc}") from exc


def lines_blocks(lines: Iterable[str | bytes]) -> Iterator[Block]:
    """N-Triples lines (str or bytes) grouped into blocks, in the order given."""
    text = b"".join(x.encode() if isinstance(x, str) else x for x in lines)
    try:
        yield from iter_blocks(triples(ox.parse(text, format=ox.RdfFormat.N_TRIPLES)))
    except SyntaxError as exc:
        raise NTriplesError(f"N-Triples: {exc}") from exc


@contextmanager
def collector_paused() -> Iterator[None]:
    """Bulk graph work (building millions of lines or node dicts) makes Python's cyclic
    collector rescan everything alive, again and again, so the cost per triple grows with the
    corpus (store load per triple: 1.65x from 10 to 10,000 plans). That work makes no cyclic
    garbage, so the collector waits until it is done."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
