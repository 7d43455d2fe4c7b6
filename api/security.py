"""Guards for the query passthroughs and the mutating endpoints.

User-written Cypher and SPARQL are refused before they reach a store when they could write:
the check runs on the query with comments and string literals removed, so a keyword inside a
string (`'CREATE'`) is harmless and a keyword hidden behind a comment is still seen.
"""

from __future__ import annotations

import hmac
import re

_CYPHER_WRITE = re.compile(
    r"\b(CREATE|MERGE|DELETE|DETACH|SET|REMOVE|DROP|FOREACH|LOAD\s+CSV|"
    r"CALL\s+(dbms|apoc|db\.create|db\.index\.fulltext\.create|gds)|USING\s+PERIODIC\s+COMMIT|"
    r"ALTER|GRANT|DENY|REVOKE|START|STOP|TERMINATE|IN\s+TRANSACTIONS)\b",
    re.IGNORECASE,
)
_SPARQL_FORM = re.compile(r"^\s*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_SPARQL_PROLOGUE = re.compile(r"^\s*(PREFIX\s+[\w-]*:\s*<>|BASE\s+<>)", re.IGNORECASE)
# SERVICE would make the server fetch remote endpoints: refused like a write
_SPARQL_FORBIDDEN = re.compile(r"\b(SERVICE|INSERT|DELETE|LOAD|CLEAR|DROP)\b", re.IGNORECASE)
_STRINGS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`")
# strings and comments in ONE pass, leftmost first: `'//' DELETE n` must not hide the DELETE
_CYPHER_OPAQUE = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|//[^\n]*|/\*.*?\*/", re.DOTALL)
_ESCAPES = re.compile(r"\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})")
_SPARQL_COMMENTS = re.compile(r"#[^\n]*")
_IRIS = re.compile(r"<[^<>\s]*>")


class UnsafeQuery(ValueError):
    """A query that could change data; the message says which clause."""


def check_read_only_cypher(query: str) -> None:
    # backticks quote names (`dbms`): keep the name, drop the quotes
    bare = _CYPHER_OPAQUE.sub(" ", query).replace("`", "")
    m = _CYPHER_WRITE.search(bare)
    if m:
        raise UnsafeQuery(f"read-only endpoint: {m.group(0).upper()} is not allowed")


def check_read_only_sparql(query: str) -> None:
    """Only SELECT / ASK / CONSTRUCT / DESCRIBE, no SERVICE; updates never parse as queries."""
    # SPARQL allows \\uXXXX escapes anywhere (\\u0053ERVICE is SERVICE): expand them first
    query = _ESCAPES.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), query)
    # IRIs and strings first: a `#` inside `<…core#>` is not a comment
    bare = _SPARQL_COMMENTS.sub(" ", _STRINGS.sub("''", _IRIS.sub("<>", query)))
    while True:
        m = _SPARQL_PROLOGUE.match(bare)
        if not m:
            break
        bare = bare[m.end() :]
    forbidden = _SPARQL_FORBIDDEN.search(bare)
    if forbidden:
        raise UnsafeQuery(f"read-only endpoint: SPARQL {forbidden.group(0).upper()} is not allowed")
    if not _SPARQL_FORM.match(bare):
        raise UnsafeQuery("read-only endpoint: only SELECT, ASK, CONSTRUCT and DESCRIBE queries")


def key_matches(given: str | None, configured: str | None) -> bool:
    """Constant-time API key check; with no key configured nothing matches."""
    if not configured or given is None:
        return False
    return hmac.compare_digest(given.encode("utf-8"), configured.encode("utf-8"))
