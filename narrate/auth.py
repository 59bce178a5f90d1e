"""Who may write to the service: HMAC-signed requests or a bearer token.

A signed request carries two headers::

    X-Narrate-Timestamp: 1767225600                      (Unix seconds, when it was sent)
    X-Narrate-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>

For a request without a body (``DELETE``) the method and path stand in for the body
(``timestamp + "." + "DELETE /v1/episodes/<id>"``), so a signature cannot be replayed against
another episode. A timestamp more than five minutes from the server's clock, either way, is
refused: a captured request cannot be replayed later (within the window a repeated publish is
harmless: it finds its own job). ``Authorization: Bearer <token>`` is the simpler alternative.
Every comparison is constant-time (:func:`hmac.compare_digest`). Callbacks are signed the same
way, so a receiver checks them with :func:`verify_signature`.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

TIMESTAMP_HEADER = "X-Narrate-Timestamp"
SIGNATURE_HEADER = "X-Narrate-Signature"
MAX_SKEW_S = 300
"""How far a request's timestamp may be from the server's clock, in seconds, either way."""


class AuthError(Exception):
    """The request is not authenticated; the message says why (never what the secret is)."""


def signed_message(timestamp: str, body: bytes, method: str = "POST", path: str = "") -> bytes:
    """The bytes a signature covers: the timestamp, a dot, then the body (or method and path)."""
    subject = body if body else f"{method.upper()} {path}".encode()
    return timestamp.encode("ascii") + b"." + subject


def signature(
    secret: str, timestamp: str, body: bytes, method: str = "POST", path: str = ""
) -> str:
    """The ``X-Narrate-Signature`` value for a request.

    >>> signature("s3cret", "1700000000", b'{"url": "https://example.com/a"}')[:15]
    'sha256=7432c629'
    """
    mac = hmac.new(secret.encode(), signed_message(timestamp, body, method, path), hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def sign_headers(
    secret: str, body: bytes, method: str = "POST", path: str = "", now: float | None = None
) -> dict[str, str]:
    """The two headers that authenticate ``body`` (for a client, a test, or a callback)."""
    timestamp = str(int(time.time() if now is None else now))
    return {
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(secret, timestamp, body, method, path),
    }


def verify_signature(
    headers: Mapping[str, str],
    body: bytes,
    secret: str,
    method: str = "POST",
    path: str = "",
    now: float | None = None,
) -> None:
    """Check an HMAC-signed request; raise :class:`AuthError` with the reason if it fails."""
    timestamp = headers.get(TIMESTAMP_HEADER.lower()) or headers.get(TIMESTAMP_HEADER)
    given = headers.get(SIGNATURE_HEADER.lower()) or headers.get(SIGNATURE_HEADER)
    if not timestamp or not given:
        raise AuthError(f"Sign the request: {TIMESTAMP_HEADER} and {SIGNATURE_HEADER} headers.")
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise AuthError(f"{TIMESTAMP_HEADER} must be Unix seconds.")
    clock = time.time() if now is None else now
    if abs(clock - int(timestamp)) > MAX_SKEW_S:
        raise AuthError(
            f"{TIMESTAMP_HEADER} is more than {MAX_SKEW_S // 60} minutes from the server's "
            "clock: sign each request when it is sent, and check the clocks."
        )
    expected = signature(secret, timestamp, body, method, path)
    if not hmac.compare_digest(expected.encode(), given.strip().encode("utf-8", "replace")):
        raise AuthError(f"{SIGNATURE_HEADER} does not match the body.")


def authenticate(
    headers: Mapping[str, str],
    body: bytes,
    secret: str,
    token: str,
    method: str = "POST",
    path: str = "",
    now: float | None = None,
) -> None:
    """Accept a request with a valid bearer token or HMAC signature; else :class:`AuthError`.

    ``headers`` is looked up in lower case (as ASGI servers give them) or as written.
    """
    authorization = headers.get("authorization") or headers.get("Authorization") or ""
    scheme, _, credential = authorization.partition(" ")
    if scheme.lower() == "bearer" and credential.strip():
        # Compared even when no token is set, so a wrong guess costs the same either way.
        expected = token or "\0no token is configured"
        given = credential.strip().encode("utf-8", "replace")
        if hmac.compare_digest(expected.encode(), given) and token:
            return
        raise AuthError("The bearer token is not valid.")
    if not secret:
        raise AuthError("Send 'Authorization: Bearer <token>'.")
    verify_signature(headers, body, secret, method, path, now)
