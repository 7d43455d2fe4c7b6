"""CLI command modules, one static list. Each exposes `register(app: typer.Typer) -> None`;
a module that fails to import stops the CLI with the error rather than losing its commands."""

from __future__ import annotations

from plankg.api.commands import export, extract, ingest, load, query, serve, viz

COMMAND_MODULES = (extract, ingest, query, serve, viz, export, load)
