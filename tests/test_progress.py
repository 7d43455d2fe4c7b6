"""The progress bar of `plankg ingest` / `extract`: on a terminal for more than a few files,
never into a pipe or a log."""

from __future__ import annotations

import io

from conftest import PLANS_DIR

from plankg.api.commands.progress import MIN_FILES, file_bar


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_bar_on_a_terminal_for_many_files():
    files = sorted(PLANS_DIR.glob("*.txt")) * 2
    assert len(files) >= MIN_FILES
    out = _Terminal()
    assert list(file_bar(files, "ingest", out)) == files
    shown = out.getvalue()
    assert shown.startswith("\ringest:") and f"0/{len(files)}" in shown and "file/s" in shown


def test_no_bar_into_a_pipe_or_for_a_few_files():
    files = sorted(PLANS_DIR.glob("*.txt"))
    pipe = io.StringIO()
    assert file_bar(files * 2, "ingest", pipe) == files * 2 and pipe.getvalue() == ""
    out = _Terminal()
    assert file_bar(files[: MIN_FILES - 1], "extract", out) == files[: MIN_FILES - 1]
    assert out.getvalue() == ""
