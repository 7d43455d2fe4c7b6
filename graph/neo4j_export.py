"""Offline loading: a `.cypher` script for cypher-shell and CSVs for `neo4j-admin database
import`, written from the same property graph the driver loader uses."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from plankg.graph.neo4j_store import (
    merge_nodes_statement,
    merge_rels_statement,
    schema_statements,
)
from plankg.graph.property_graph import PropertyGraph

SCRIPT_BATCH = 200


def cypher_literal(value: Any) -> str:
    """A Cypher literal for a JSON-like value (strings double-quoted and escaped)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # JSON escapes are valid Cypher escapes
    if isinstance(value, list | tuple):
        return "[" + ", ".join(cypher_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"`{k}`: {cypher_literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no Cypher literal for {type(value).__name__}")


def _with_rows(statement: str, rows: list[dict]) -> str:
    return statement.replace("UNWIND $rows AS row", f"UNWIND {cypher_literal(rows)} AS row", 1)


def cypher_script(pg: PropertyGraph, *, schema: bool = True) -> str:
    """Statements separated by `;` lines, runnable with `cypher-shell -f`."""
    out: list[str] = []
    if schema:
        out += schema_statements()
    for label, rows in sorted(pg.nodes.items()):
        for i in range(0, len(rows), SCRIPT_BATCH):
            out.append(_with_rows(merge_nodes_statement(label), rows[i : i + SCRIPT_BATCH]))
    for key, rows in sorted(pg.rels.items()):
        for i in range(0, len(rows), SCRIPT_BATCH):
            out.append(_with_rows(merge_rels_statement(*key), rows[i : i + SCRIPT_BATCH]))
    return "".join(f"{s};\n" for s in out)


def script_statements(script: str) -> list[str]:
    return [s for s in script.split(";\n") if s.strip()]


def _csv_type(values: list[Any]) -> str:
    sample = next((v for v in values if v is not None), "")
    if isinstance(sample, bool):
        return ":boolean"
    if isinstance(sample, int):
        return ":long"
    if isinstance(sample, float):
        return ":double"
    if isinstance(sample, list):
        return ":string[]"
    return ""


def write_admin_csvs(pg: PropertyGraph, out_dir: str | Path) -> list[Path]:
    """One nodes CSV per label and one relationships CSV per type, with neo4j-admin headers.

    Import with: neo4j-admin database import full --nodes=Agency=nodes_Agency.csv … \
    --relationships=rels_LEADS.csv … --array-delimiter=';'
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for label, rows in sorted(pg.nodes.items()):
        keys = sorted({k for r in rows for k in r if k != "iri"})
        header = ["iri:ID"] + [k + _csv_type([r.get(k) for r in rows]) for k in keys] + [":LABEL"]
        path = out / f"nodes_{label}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            for r in rows:
                cells = [r["iri"]]
                for k in keys:
                    v = r.get(k)
                    cells.append(";".join(v) if isinstance(v, list) else "" if v is None else v)
                w.writerow([*cells, label])
        written.append(path)
    by_type: dict[str, list[dict]] = {}
    for (rel_type, _, _), rows in pg.rels.items():
        by_type.setdefault(rel_type, []).extend(rows)
    for rel_type, rows in sorted(by_type.items()):
        path = out / f"rels_{rel_type}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow([":START_ID", ":END_ID", "evidence:string[]", "position:long", ":TYPE"])
            for r in sorted(rows, key=lambda r: (r["start"], r["end"])):
                evidence = ";".join(r.get("evidence", []))
                w.writerow([r["start"], r["end"], evidence, r.get("position", ""), rel_type])
        written.append(path)
    return written
