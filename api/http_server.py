"""Serving over HTTP with limits a hostile or busy client cannot walk past: the socket bound
before anything else (a port in use is an error before "Serving …"), uvicorn's connection cap
(above it 503 at once), backlog and keep-alive timeout, and — in `BoundedHttpTools` — a cap on
the request line + header bytes (431) and a deadline for a request's headers to arrive (a
connection that opens and sends nothing, or trickles, is closed).

uvicorn's h11 parser has the header cap (`h11_max_incomplete_event_size`) but no header
deadline; httptools is faster and has neither: this subclass adds both, the cap read from the
same setting. (Both parsers refuse raw non-ASCII bytes in a URL: percent-encode it, as browsers
and `curl --get --data-urlencode` do.)
"""

from __future__ import annotations

import asyncio
import json
import socket

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from plankg.api.messages import say
from plankg.api.settings import Settings


def bind(host: str, port: int, backlog: int) -> socket.socket:
    """The listening socket, or `OSError` (address in use, no such interface)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


class BoundedHttpTools(HttpToolsProtocol):
    """httptools with a header byte cap (431) and a header deadline (the connection closes)."""

    header_timeout_s: float = 10.0  # set per server by `uvicorn_config`

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._max_head = self.config.h11_max_incomplete_event_size
        self._head_bytes = 0
        self._in_head = True
        self._head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        loop = asyncio.get_running_loop()
        self._head_timer = loop.call_later(self.header_timeout_s, self._head_timeout)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timeout(self) -> None:
        self._head_timer = None
        if self._in_head and not self.transport.is_closing():
            self.transport.close()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if not self._in_head:  # a new request on a kept-alive connection
            self._in_head, self._head_bytes = True, 0
            self._arm()

    def on_headers_complete(self) -> None:
        self._in_head, self._head_bytes = False, 0
        self._disarm()
        super().on_headers_complete()

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            # only the head counts: a read may hold the headers' end and the body's start
            end = data.find(b"\r\n\r\n")
            self._head_bytes += len(data) if end < 0 else end + 4
            if self._head_bytes > self._max_head:
                self._refuse_head()
                return
        super().data_received(data)

    def _refuse_head(self) -> None:
        limit = f"{self._max_head / 1024:g}"
        body = json.dumps(
            {
                "error": {
                    "code": "header_too_large",
                    "message": say("header_too_large", limit=limit),
                }
            },
            ensure_ascii=False,
        ).encode("utf-8")
        self.transport.write(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
            b"content-type: application/json\r\n"
            b"content-length: " + str(len(body)).encode("ascii") + b"\r\n"
            b"connection: close\r\n\r\n" + body
        )
        self._in_head = False
        self._disarm()
        self.transport.close()


def uvicorn_config(application, settings: Settings):
    """uvicorn with plankg's HTTP limits (`api/settings.py`)."""
    import uvicorn

    protocol = type(
        "PlankgHttp", (BoundedHttpTools,), {"header_timeout_s": settings.header_timeout_s}
    )
    return uvicorn.Config(
        application,
        http=protocol,
        ws="none",
        lifespan="off",
        log_level="warning",
        access_log=False,  # costs per request and is not used
        proxy_headers=False,
        limit_concurrency=settings.limit_concurrency,
        backlog=settings.backlog,
        timeout_keep_alive=settings.keep_alive_s,
        h11_max_incomplete_event_size=settings.max_header_bytes,
    )
