"""Jinja2 rendering of the web app's pages (templates in viz/templates/, CSS in viz/static/).

Autoescaping is on for every template, so text from a plan can never become markup. Every
rendered page goes through the same offline check as the graph views (`remote_references`):
a page that would fetch anything from another host is refused, not served.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from plankg.viz.page import OfflinePageError, remote_references

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")


def agency_href(name: str, jurisdiction: str | None = None, base: str = "/agency/") -> str:
    """`/agency/平江县科技和工业信息化局?jurisdiction=平江县` (the name quoted for the path)."""
    href = base + quote(name, safe="")
    return href + ("?" + urlencode({"jurisdiction": jurisdiction}) if jurisdiction else "")


def query(**params: Any) -> str:
    """`?a=1&b=2` without the parameters that are None or ""."""
    kept = {k: v for k, v in params.items() if v not in (None, "")}
    return "?" + urlencode(kept) if kept else ""


@functools.cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,  # a misspelt variable is an error, not an empty cell
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(agency_href=agency_href, query=query, quote=quote)
    env.filters["urlpath"] = lambda s: quote(str(s), safe="")
    return env


def render(template: str, **context: Any) -> str:
    page = environment().get_template(template).render(**context)
    remote = remote_references(page)
    if remote:
        raise OfflinePageError(f"{template} references remote resources: {remote[:3]}")
    return page
