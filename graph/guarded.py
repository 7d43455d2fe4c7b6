"""Readers never see the embedded store half-updated.

`EmbeddedStore.apply_plan` / `remove_plan` change the in-memory graph and indexes in place
(no rebuild, no second copy of the corpus in memory), while request threads read them:
a reader iterating a dict that a write is resizing gets `RuntimeError: dictionary changed
size during iteration`, or an answer mixing two states. `Guarded` wraps the store so every
method call holds a shared lock and `write()` holds it exclusively; a write waits for the
reads in progress and the reads that arrive meanwhile wait for the write (milliseconds: one
plan's nodes).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any


class RWLock:
    """Many readers or one writer; a waiting writer goes before readers that come later."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self._writers_waiting = 0

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._cond:
            while self._writing or self._writers_waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._cond:
            self._writers_waiting += 1
            while self._writing or self._readers:
                self._cond.wait()
            self._writers_waiting -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


class Guarded:
    """A store whose method calls are reads under `lock`; `write()` is the exclusive side.

    Attributes that are not methods (`in_memory`, `rdf`, `g`) pass through unguarded: a
    caller that walks `g` itself should call a method instead or hold `lock.reading()`.
    """

    def __init__(self, store: Any, lock: RWLock | None = None) -> None:
        object.__setattr__(self, "_store", store)
        object.__setattr__(self, "lock", lock or RWLock())

    @property
    def wrapped(self) -> Any:
        return self._store

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._store, name)
        if not callable(value) or name.startswith("__"):
            return value
        if name == "plans" and hasattr(self._store, "plans_memo"):
            return self._plans
        return self._reader(value)

    def _plans(self) -> Any:
        """The plan list without waiting for a write in progress: the one as of the last
        completed write (`/health` runs on the event loop; waiting there for a large plan's
        index update froze every connection)."""
        memo = self._store.plans_memo()
        if memo is not None:
            return list(memo)
        with self.lock.reading():
            return self._store.plans()

    def _reader(self, method: Callable[..., Any]) -> Callable[..., Any]:
        lock = self.lock

        @wraps(method)
        def read(*args: Any, **kwargs: Any) -> Any:
            with lock.reading():
                return method(*args, **kwargs)

        return read

    @contextmanager
    def write(self) -> Iterator[Any]:
        """The store itself, for changing it while no one reads."""
        with self.lock.writing():
            yield self._store
