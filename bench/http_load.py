"""A small HTTP/1.1 load generator: keep-alive connections on asyncio streams.

httpx costs about as much CPU per request as the server under test, and on a 2-core machine
the client then sets the ceiling. Raw streams with pre-built requests cost a fraction of that,
so the figure measures the server. `wrk` would do too, but is not on every machine.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from urllib.parse import quote


@dataclass
class LoadResult:
    latencies_ms: list[float]
    seconds: float
    statuses: dict[int, int]

    @property
    def rps(self) -> float:
        return len(self.latencies_ms) / self.seconds


def request_bytes(host: str, port: int, path: str) -> bytes:
    target = quote(path, safe="/?=&%")
    return (
        f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: application/json\r\n\r\n"
    ).encode("ascii")


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    chunked = False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status


async def _client(host, port, requests: list[bytes], latencies, statuses) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        for req in requests:
            t0 = time.perf_counter()
            writer.write(req)
            status = await _read_response(reader)
            latencies.append((time.perf_counter() - t0) * 1000)
            statuses[status] = statuses.get(status, 0) + 1
    finally:
        writer.close()


def run_load(host: str, port: int, paths: list[str], concurrency: int) -> LoadResult:
    """Send every path once, spread over `concurrency` keep-alive connections."""
    requests = [request_bytes(host, port, p) for p in paths]
    shares = [requests[i::concurrency] for i in range(concurrency)]
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    async def main() -> float:
        started = time.perf_counter()
        await asyncio.gather(*(_client(host, port, s, latencies, statuses) for s in shares))
        return time.perf_counter() - started

    seconds = asyncio.run(main())
    return LoadResult(latencies, seconds, statuses)
