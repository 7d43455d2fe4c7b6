"""Shared fixtures: the sample plans extracted once per session, and the gold answers."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLANS_DIR = ROOT / "data" / "plans"
GOLD_DIR = ROOT / "tests" / "gold"


def require(env: str, reason: str) -> None:
    """Skip for a missing optional tool — but fail instead when CI says the tool must be there."""
    if os.environ.get(env):
        pytest.fail(f"{reason} (and {env} is set, so this run requires it)")
    pytest.skip(reason)


def _jsonl(name: str) -> list[dict]:
    with (GOLD_DIR / name).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="session")
def gold_tasks() -> list[dict]:
    return _jsonl("tasks.jsonl")


@pytest.fixture(scope="session")
def gold_goals() -> list[dict]:
    return _jsonl("goals.jsonl")


@pytest.fixture(scope="session")
def gold_taskforces() -> list[dict]:
    return _jsonl("taskforces.jsonl")


@pytest.fixture(scope="session")
def sample_paths() -> list[Path]:
    return sorted(PLANS_DIR.glob("*.txt"))


@pytest.fixture(scope="session")
def sample_plans(sample_paths):
    from plankg.ingest.agencies import AgencyDirectory
    from plankg.ingest.extract import extract_plan

    directory = AgencyDirectory.load()
    return [extract_plan(p, directory=directory) for p in sample_paths]
