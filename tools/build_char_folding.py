"""Regenerate `ontology/char_folding.csv`: traditional → simplified, one character for one.

Source: OpenCC's character table `TSCharacters.txt` (Apache-2.0, see ontology/DATA_SOURCES.md),
as the PyPI package `opencc-python-reimplemented` ships it. Only one-to-one mappings are kept
(the first candidate), so folding never changes a text's length and every offset stays exact;
phrase-level conversions are not needed for matching names and role words. Run with network
access to PyPI:

    .venv/bin/python tools/build_char_folding.py
"""

from __future__ import annotations

import csv
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PACKAGE = "opencc-python-reimplemented==0.1.7"
OUT = Path(__file__).resolve().parent.parent / "ontology" / "char_folding.csv"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp, PACKAGE],
            check=True,
        )
        wheel = next(Path(tmp).glob("opencc_python_reimplemented-*.whl"))
        with zipfile.ZipFile(wheel) as z:
            lines = z.read("opencc/dictionary/TSCharacters.txt").decode("utf-8").splitlines()
    table: dict[str, str] = {}
    for line in lines:
        parts = line.split("\t")
        if len(parts) != 2:
            continue
        trad, simp = parts[0], parts[1].split(" ")[0]
        if len(trad) == 1 and len(simp) == 1 and trad != simp:
            table[trad] = simp
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["traditional", "simplified"])
        writer.writerows(sorted(table.items()))
    print(f"wrote {len(table)} one-to-one mappings to {OUT}")


if __name__ == "__main__":
    main()
