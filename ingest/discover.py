"""Turn the paths a user typed (files, folders, globs) into the plan files to read."""

from __future__ import annotations

import glob
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

PLAN_SUFFIXES = {".txt", ".md", ".markdown", ".docx", ".pdf", ".html", ".htm"}


@dataclass
class Discovery:
    files: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one human-readable line per bad path


def discover_plans(paths: Iterable[str | Path]) -> Discovery:
    """Expand folders (recursively, plan suffixes only) and globs; keep order, drop repeats.

    A path that names nothing is an error line, not an exception: the rest of the batch goes on.
    """
    found = Discovery()
    seen: set[Path] = set()

    def add(p: Path) -> None:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            found.files.append(p)

    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for child in sorted(p.rglob("*")):
                if child.is_file() and child.suffix.lower() in PLAN_SUFFIXES:
                    add(child)
        elif p.exists():
            add(p)
        elif any(ch in str(raw) for ch in "*?["):
            matches = sorted(glob.glob(str(raw), recursive=True))
            if not matches:
                found.errors.append(f"{raw}: no file matches this pattern")
            for m in matches:
                if Path(m).is_file():
                    add(Path(m))
        else:
            found.errors.append(f"{raw}: no such file or folder")
    return found
