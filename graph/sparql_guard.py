"""Read-only SPARQL by construction: a query is judged on its parse tree and algebra, never on
its text.

rdflib's SPARQL parser (which expands `\\uXXXX` escapes and drops comments and string contents
the way the grammar does) turns the text into a parse tree and `translateQuery` into algebra;
both are walked. Refused: anything that parses only as an update (INSERT, DELETE, LOAD,
CLEAR, …), any SERVICE (pyoxigraph executes SERVICE: it would make the server send HTTP
requests for an anonymous caller), and FROM / FROM NAMED (the dataset is fixed: the union of
the plan graphs). A text rdflib cannot parse is refused with the parser's message, so a query
the two parsers read differently fails closed. The text that passed is what runs.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

FORMS = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}
Form = Literal["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]


class RefusedQuery(ValueError):
    """A query that is not run; the message says why (it is the client's 400 answer)."""


@dataclass(frozen=True)
class GuardedQuery:
    text: str  # exactly what the caller sent: what runs
    form: Form

    @property
    def returns_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


@functools.lru_cache(maxsize=1024)
def guard(text: str) -> GuardedQuery:
    """The query if it is a read-only SELECT / ASK / CONSTRUCT / DESCRIBE over the fixed dataset,
    else `RefusedQuery`. Cached by text: rdflib's parser costs ~3 ms a query, a repeated query
    (a dashboard's) then costs nothing here."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        tree = parseQuery(text)
    except ParseException as exc:
        if _is_update(text):
            raise RefusedQuery(
                "read-only endpoint: SPARQL updates (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, "
                "ADD, MOVE, COPY) are not allowed"
            ) from exc
        raise RefusedQuery(f"not a valid SPARQL query: {exc}") from exc
    except RecursionError as exc:
        raise RefusedQuery("not a valid SPARQL query: nested too deeply") from exc
    _refuse_forbidden(tree)
    try:
        algebra = translateQuery(tree).algebra
    except (RecursionError, ParseException) as exc:
        raise RefusedQuery(f"not a valid SPARQL query: {exc}") from exc
    except Exception as exc:  # rdflib reports semantic errors (e.g. GROUP BY misuse) as any type
        raise RefusedQuery(f"not a valid SPARQL query: {exc}") from exc
    _refuse_forbidden(algebra)
    form = FORMS.get(getattr(tree[1], "name", ""))
    if form is None:  # the grammar has no other query form; refuse rather than guess
        raise RefusedQuery("read-only endpoint: only SELECT, ASK, CONSTRUCT and DESCRIBE queries")
    return GuardedQuery(text, form)  # type: ignore[arg-type]


def _is_update(text: str) -> bool:
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parseUpdate(text)
    except (ParseException, RecursionError):
        return False
    return True


def _refuse_forbidden(tree: Any) -> None:
    for name in _node_names(tree):
        if name == "ServiceGraphPattern":
            raise RefusedQuery("read-only endpoint: SERVICE (a federated query) is not allowed")
        if name == "DatasetClause":
            raise RefusedQuery(
                "read-only endpoint: FROM / FROM NAMED are not allowed; the dataset is fixed "
                "(the union of every plan's graph)"
            )


def _node_names(tree: Any) -> Iterator[str]:
    """The name of every parse-tree / algebra node (rdflib `CompValue`), depth first, without
    recursion (a deeply nested query must not overflow the stack here)."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack, seen = [tree], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, CompValue):
            yield node.name
            stack.extend(dict.values(node))  # raw values: CompValue.get resolves variables
        elif isinstance(node, ParseResults):
            stack.extend(list(node))
        elif isinstance(node, (list, tuple, set, frozenset)):
            stack.extend(node)
        elif isinstance(node, dict):
            stack.extend(node.values())
