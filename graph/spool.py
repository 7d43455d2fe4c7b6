"""Sorted, distinct N-Triples lines for corpora larger than memory comfortably holds.

Keeping every line of a 10,000-plan corpus in one set and sorting it peaked at 4.7 GB (14
million lines). The spool keeps at most `chunk_lines` distinct lines in memory; a full chunk
is sorted into a run file in a private temporary folder, and the sorted, de-duplicated whole
is read back as a k-way merge of the runs. Small corpora never touch the disk.
"""

from __future__ import annotations

import heapq
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType

CHUNK_LINES = 1_000_000  # ≈ 250 MB of lines and set slots; ~70 plans' worth per run


def merge_distinct(*sorted_streams: Iterable[bytes]) -> Iterator[bytes]:
    """Sorted streams of lines merged into one sorted stream, each line once."""
    previous = None
    for line in heapq.merge(*sorted_streams):
        if line != previous:
            yield line
            previous = line


class LineSpool:
    """Yields the lines added to it as sorted, distinct N-Triples lines (bytes, each
    ending in a newline), holding at most `chunk_lines` of them in memory."""

    def __init__(self, chunk_lines: int | None = None, directory: str | Path | None = None):
        chunk_lines = CHUNK_LINES if chunk_lines is None else chunk_lines
        if chunk_lines < 1:
            raise ValueError("chunk_lines must be at least 1")
        self.chunk_lines = chunk_lines
        self._directory = directory
        self._chunk: set[bytes] = set()
        self._runs: list[Path] = []
        self._tmp: Path | None = None

    def add_line(self, line: bytes) -> None:
        self._chunk.add(line)
        if len(self._chunk) >= self.chunk_lines:
            self._spill()

    def add_lines(self, lines: bytes) -> None:
        """A block of N-Triples lines (each ending in a newline), added in one C-level set
        update: a Python call per line was most of what the ingesting process did per plan
        while its workers waited. A chunk may overshoot `chunk_lines` by one block."""
        self._chunk.update(lines.splitlines(keepends=True))
        if len(self._chunk) >= self.chunk_lines:
            self._spill()

    def write_to(self, path: str | Path) -> int:
        """The sorted distinct lines written to `path`; returns how many."""
        count = 0
        with open(path, "wb") as fh:
            if not self._runs:
                lines = sorted(self._chunk)
                fh.writelines(lines)
                return len(lines)
            for line in self:
                fh.write(line)
                count += 1
        return count

    @property
    def runs(self) -> int:
        """How many run files were written (0 while everything fits in one chunk)."""
        return len(self._runs)

    def _spill(self) -> None:
        if self._tmp is None:
            self._tmp = Path(tempfile.mkdtemp(prefix="plankg-spool-", dir=self._directory))
        path = self._tmp / f"run{len(self._runs):05d}.nt"
        with open(path, "wb") as fh:
            fh.writelines(sorted(self._chunk))
        self._runs.append(path)
        self._chunk = set()

    def __iter__(self) -> Iterator[bytes]:
        """The sorted distinct lines (a fresh merge each time, until `close`)."""
        if not self._runs:
            yield from sorted(self._chunk)
            return
        if self._chunk:
            self._spill()
        files = [open(path, "rb") for path in self._runs]  # noqa: SIM115 — closed below
        try:
            yield from merge_distinct(*files)
        finally:
            for fh in files:
                fh.close()

    def close(self) -> None:
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None
        self._runs = []
        self._chunk = set()

    def __enter__(self) -> LineSpool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
