"""Indicator values on the real plans (`tests/realplans`), measured by the harness that runs
`extract_indicators` on each annotated task's item, independent of task segmentation."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HARNESS = Path(__file__).resolve().parent / "realplans" / "indicator_harness.py"


def _harness():
    spec = importlib.util.spec_from_file_location("indicator_harness", HARNESS)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_every_anchor_is_found_and_values_match_the_gold():
    h = _harness()
    for raw in (False, True):  # normalised as the pipeline does, and traditional script unfolded
        results = h.run(raw=raw)
        assert len(results) == 88 and all(r.window for r in results)
        tp, fp, fn = h.score(results)
        assert h.f1(tp, fp, fn) >= 0.99, (raw, tp, fp, fn)
