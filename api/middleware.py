"""Pure ASGI middleware (cheaper per request than starlette's BaseHTTPMiddleware)."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from plankg.api.messages import language, say
from plankg.api.settings import MIB


class BodyLimit:
    """Refuse request bodies over `max_mib` MiB (1 MiB = 1,048,576 bytes, counted in bytes),
    by Content-Length or as they stream, with a 413 in the API's error shape."""

    def __init__(self, app, max_mib: float) -> None:
        self.app, self.max_mib = app, max_mib
        self.max_bytes = int(max_mib * MIB)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            return await self._too_big(scope, receive, send)
        seen = 0
        started = False

        async def limited_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _BodyTooLarge
            return message

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await self._too_big(scope, receive, send)

    async def _too_big(self, scope, receive, send) -> None:
        headers = dict(scope.get("headers") or [])
        lang = language(headers.get(b"accept-language", b"").decode("latin-1"))
        limit = f"{self.max_mib:g}"
        body = {
            "error": {
                "code": "body_too_large",
                "message": say("body_too_large", lang, limit=limit),
            }
        }
        await JSONResponse(body, status_code=413)(scope, receive, send)


class _BodyTooLarge(Exception):
    pass
