"""Lint Cypher statements with Neo4j's own parser (npm `@neo4j-cypher/language-support`).

Runs node once for a whole batch. Needs `npm ci --prefix tools/cypherlint` first.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent / "cypherlint"


class LinterMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class LintResult:
    id: str
    errors: list[str]
    warnings: list[str]


def available() -> bool:
    return shutil.which("node") is not None and (HERE / "node_modules" / "@neo4j-cypher").exists()


def lint_statements(statements: list[tuple[str, str]]) -> list[LintResult]:
    if not available():
        raise LinterMissing("Cypher linter not installed: run `npm ci --prefix tools/cypherlint`")
    payload = json.dumps([{"id": i, "query": q} for i, q in statements], ensure_ascii=False)
    proc = subprocess.run(
        ["node", str(HERE / "lint.js")],
        input=payload,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return [
        LintResult(
            r["id"], [e["message"] for e in r["errors"]], [w["message"] for w in r["warnings"]]
        )
        for r in json.loads(proc.stdout)
    ]
