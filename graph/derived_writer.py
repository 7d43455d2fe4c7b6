"""The derived files (and the index snapshot) rewritten off the request path.

A write through the API costs its store transaction and one plan's index update; dumping the
whole corpus into plankg.nt/.ttl/.jsonld (seconds at 10,000 plans) happens in one background
thread, once per burst of writes. The store is the truth meanwhile: the files record the
store state they reflect, and a start after a crash rewrites them if they are older.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger("plankg.derived")


class DerivedWriter:
    """Runs `write` in one background thread after `schedule()`, once per burst of calls."""

    def __init__(self, write: Callable[[], None]) -> None:
        self._write = write
        self._cond = threading.Condition()
        self._wanted = self._done = 0
        self._stopped = False
        self._thread: threading.Thread | None = None

    def schedule(self) -> None:
        with self._cond:
            self._wanted += 1
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="plankg-derived", daemon=True
                )
                self._thread.start()
            self._cond.notify_all()

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._done >= self._wanted and not self._stopped:
                    self._cond.wait()
                if self._stopped and self._done >= self._wanted:
                    return
                target = self._wanted
            try:
                self._write()
            except Exception:  # the store is still right; the next start rewrites them
                log.exception("rewriting the derived graph files failed")
            with self._cond:
                self._done = target
                self._cond.notify_all()

    def wait(self) -> None:
        with self._cond:
            while self._thread is not None and self._done < self._wanted:
                self._cond.wait()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
