"""N-Triples lines without rdflib: plankg's on-disk graph format, read and written fast.

rdflib builds a Python object per term and keeps several indexes per triple (about 1 KB and
60 µs per triple to parse), which is what made a province-sized graph take minutes and
gigabytes to open. A sorted N-Triples file is simple enough to read line by line with one
regular expression; terms come back as plain strings (IRIs) or `Lit` values, and a file can
be streamed so that only what the caller keeps stays in memory.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@dataclass(frozen=True, slots=True)
class Lit:
    """A literal: lexical form (escapes undone), language tag or datatype IRI."""

    lexical: str
    lang: str | None = None
    datatype: str | None = None

    def to_python(self) -> Any:
        """int for integers and years, float for decimals and doubles, bool, else the text."""
        dt = self.datatype
        if dt is None or dt == XSD + "string":
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

_IRI = r"<([^>]*)>|(_:\S+)"
_LINE = re.compile(
    rf"\s*(?:{_IRI})\s+<([^>]*)>\s+"
    rf'(?:{_IRI}|"((?:[^"\\]|\\.)*)"(?:@([A-Za-z0-9-]+)|\^\^<([^>]*)>)?)\s*\.\s*'
)
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_SIMPLE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


class NTriplesError(ValueError):
    """A line that is not N-Triples; the message names the file and line."""


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text

    def one(m: re.Match[str]) -> str:
        code = m.group(1) or m.group(2)
        if code:
            return chr(int(code, 16))
        return _SIMPLE.get(m.group(3), m.group(0))

    return _ESCAPE.sub(one, text)


def parse_line(line: str) -> tuple[str, str, Term] | None:
    """One N-Triples line → (subject, predicate, object); None for a blank or comment line.
    Raises `NTriplesError` for anything else."""
    m = _LINE.fullmatch(line)
    if m is None:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            return None
        raise NTriplesError(f"not an N-Triples line: {stripped[:120]}")
    s_iri, s_blank, p, o_iri, o_blank, lexical, lang, datatype = m.groups()
    subject = _unescape(s_iri) if s_iri is not None else s_blank
    if o_iri is not None:
        obj: Term = _unescape(o_iri)
    elif o_blank is not None:
        obj = o_blank
    else:
        obj = Lit(_unescape(lexical), lang, datatype)
    return subject, _unescape(p), obj


@dataclass(frozen=True, slots=True)
class Block:
    """All triples of one subject, and where its lines sit in the file (bytes)."""

    subject: str
    triples: list[tuple[str, Term]]  # (predicate, object)
    offset: int
    length: int


def read_blocks(path: str | Path) -> Iterator[Block]:
    """Stream a file subject by subject (a sorted file keeps each subject's lines together;
    in an unsorted one a subject may come back in several blocks)."""
    with open(path, "rb") as fh:
        yield from iter_blocks(fh, source=str(path))


def iter_blocks(lines: Iterable[bytes], source: str = "N-Triples") -> Iterator[Block]:
    """Group lines (bytes, as read from a file) by subject; offsets count bytes from the first
    line. Errors name `source` and the line number."""
    interned: dict[str, str] = {}
    current: str | None = None
    triples: list[tuple[str, Term]] = []
    start = offset = 0
    for number, raw in enumerate(lines, start=1):
        try:
            parsed = parse_line(raw.decode("utf-8"))
        except (NTriplesError, UnicodeDecodeError) as exc:
            raise NTriplesError(f"{source}, line {number}: {exc}") from exc
        if parsed is not None:
            s, p, o = parsed
            if s != current:
                if current is not None:
                    yield Block(current, triples, start, offset - start)
                current, triples, start = s, [], offset
            triples.append((interned.setdefault(p, p), o))
        offset += len(raw)
    if current is not None:
        yield Block(current, triples, start, offset - start)


def read_lines_at(path: str | Path, offset: int, length: int) -> list[str]:
    """The lines of one block, read back from the file."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        return fh.read(length).decode("utf-8").splitlines()


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
