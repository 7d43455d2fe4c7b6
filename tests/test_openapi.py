"""schemathesis with every check (what `--checks all` does, set in tests/schemathesis.toml)
against a real `plankg serve` on loopback: every operation of the OpenAPI schema, a few
generated requests each (fixed seed, bounded), zero failures — status codes, content types,
headers (405 with `Allow`) and bodies (error bodies included) all as documented. Run on a
copy of the sample build with an API key, so uploads and deletes are exercised too."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PLANS_DIR, ROOT
from server_support import serve

KEY = "schemathesis-key"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from plankg.ingest.pipeline import ingest

    data = tmp_path_factory.mktemp("st-build")
    ingest([PLANS_DIR], data)
    with serve(data, env={"PLANKG_API_KEY": KEY}) as base:
        yield base


def test_schemathesis_checks_all_find_nothing(server, tmp_path):
    st = shutil.which("st", path=str(Path(sys.executable).parent)) or "st"
    command = [
        st,
        "--config-file",
        str(ROOT / "tests" / "schemathesis.toml"),
        "run",
        f"{server}/openapi.json",
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        "4",
        "--seed",
        "20261203",
        "--workers",
        "1",
        "--no-shrink",
        "--continue-on-failure",
        "--request-timeout",
        "60",
        "--header",
        f"X-API-Key: {KEY}",
        "--suppress-health-check",
        "all",
    ]
    env = {**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_HOOKS": ""}
    done = subprocess.run(  # in tmp_path: schemathesis keeps a cache folder where it runs
        command, capture_output=True, text=True, env=env, timeout=900, cwd=tmp_path
    )
    report = done.stdout + done.stderr
    (tmp_path / "schemathesis.txt").write_text(report, encoding="utf-8")
    summary = "\n".join(line[:300] for line in report.splitlines()[-60:])
    assert done.returncode == 0, summary
    tested = re.search(r"Tested: (\d+)", report)
    generated = re.search(r"(\d+) generated, (\d+) passed", report)
    assert tested and int(tested.group(1)) >= 25, summary  # every operation of the schema
    assert generated and generated.group(1) == generated.group(2), summary
    assert int(generated.group(1)) >= 500, summary
