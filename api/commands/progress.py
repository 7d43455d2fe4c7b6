"""A tqdm progress bar over the files of `plankg ingest` / `plankg extract`, on a terminal only
(a pipe or a log file gets no control characters) and only for more than a few files."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

MIN_FILES = 5  # fewer finish before a bar would be read


def file_bar(files: Iterable[Path], desc: str, stream: TextIO | None = None) -> Iterable[Path]:
    """`files`, with a bar on `stream` (stderr) when it is a terminal and there are many."""
    files = list(files)
    stream = stream or sys.stderr
    if len(files) < MIN_FILES or not stream.isatty():
        return files
    from tqdm import tqdm

    return tqdm(files, desc=desc, unit="file", file=stream, leave=False, dynamic_ncols=True)
