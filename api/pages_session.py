"""The web app's login session: a signed, expiring cookie (itsdangerous) that says "this
browser gave the API key", plus the CSRF token its forms must echo.

The signing secret is derived from the configured API key, so no second secret has to be
configured and changing the key logs every browser out. The cookie holds no key, only a random
session id and the CSRF token; it is HttpOnly and SameSite=Strict, so another site can neither
read it nor send it with a forged form.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "plankg_session"
MAX_AGE_S = 8 * 3600  # a working day


@dataclass(frozen=True)
class Session:
    sid: str  # random per login: drafts (previewed uploads) belong to one session
    csrf: str


def _serializer(api_key: str) -> URLSafeTimedSerializer:
    secret = hashlib.sha256(b"plankg-web-session\0" + api_key.encode("utf-8")).hexdigest()
    return URLSafeTimedSerializer(secret, salt="plankg.session")


def new_session() -> Session:
    return Session(secrets.token_urlsafe(16), secrets.token_urlsafe(24))


def dump(session: Session, api_key: str) -> str:
    return _serializer(api_key).dumps({"sid": session.sid, "csrf": session.csrf})


def load(cookie: str | None, api_key: str | None) -> Session | None:
    """The session a cookie carries, or None (no key configured, no cookie, forged, expired)."""
    if not api_key or not cookie:
        return None
    try:
        data = _serializer(api_key).loads(cookie, max_age=MAX_AGE_S)
    except BadSignature:  # SignatureExpired is a BadSignature too
        return None
    if not isinstance(data, dict) or not {"sid", "csrf"} <= data.keys():
        return None
    return Session(str(data["sid"]), str(data["csrf"]))


def csrf_ok(session: Session | None, token: str | None) -> bool:
    return (
        session is not None
        and token is not None
        and hmac.compare_digest(session.csrf.encode(), token.encode())
    )
