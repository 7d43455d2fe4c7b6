"""One writer per data folder: an exclusive `flock` on `<data>/plankg.lock`.

Two `plankg serve` processes on one folder each answered 200 to an upload and one of the
uploads was lost (each rewrote the graph from its own view of it). The lock makes the second
one refuse to start with a message that names the holder, instead of relying on RocksDB's
own LOCK file, whose error does not say what to do. The kernel drops a `flock` when its
holder exits, however it exits (kill -9 included), so a stale lock file never blocks a
restart: only a live process does.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

LOCK_NAME = "plankg.lock"


class DataFolderLocked(RuntimeError):
    """Another live process holds the data folder."""


class DataLock:
    """Hold the data folder's lock from `acquire()` until `release()` (or process exit)."""

    def __init__(self, data_dir: str | Path) -> None:
        self.path = Path(data_dir) / LOCK_NAME
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> DataLock:
        if self._fd is not None:
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise DataFolderLocked(
                f"{self.path.parent} is in use by another plankg process (pid {holder}); "
                "stop it first, or serve another --data folder"
            ) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        os.ftruncate(fd, 0)  # the pid is no longer the holder's; the file itself can stay
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    def __enter__(self) -> DataLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
