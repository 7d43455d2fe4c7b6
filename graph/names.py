"""Lookup keys for agency names typed by users: `科工信局`, `县科工信局` and the full
`平江县科技和工业信息化局` must all find the same body; `自然资源局` alone may find one body in
each jurisdiction (and is then ambiguous). Both stores index agencies with these keys."""

from __future__ import annotations

import re
from collections.abc import Iterable

_LEVEL_PREFIX = re.compile(r"^(县委|区委|市委|县|区|市|镇|乡)")


def _variants(name: str, jurisdiction: str) -> set[str]:
    name = re.sub(r"\s+", "", name)
    out = {name}
    if jurisdiction and name.startswith(jurisdiction) and len(name) > len(jurisdiction):
        out.add(name[len(jurisdiction) :])
    for v in list(out):
        stripped = _LEVEL_PREFIX.sub("", v)
        if stripped and stripped != v and len(stripped) >= 2:
            out.add(stripped)
    return out


def name_keys(name: str, jurisdiction: str = "", aliases: Iterable[str] = ()) -> set[str]:
    """Every key under which an agency (or a query for one) is indexed."""
    keys: set[str] = set()
    for n in (name, *aliases):
        if n:
            keys |= _variants(n, jurisdiction)
    return keys
