"""CLI command modules. Each exposes `register(app: typer.Typer) -> None`."""

from __future__ import annotations

import importlib
from types import ModuleType

_NAMES = ["extract", "ingest", "query", "serve", "viz", "export", "load"]


def _load() -> list[ModuleType]:
    modules = []
    for name in _NAMES:
        try:
            modules.append(importlib.import_module(f"plankg.api.commands.{name}"))
        except ModuleNotFoundError as exc:  # a command group not written yet
            if exc.name != f"plankg.api.commands.{name}":
                raise
    return modules


COMMAND_MODULES = _load()
