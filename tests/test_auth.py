"""narrate.auth: HMAC signatures with a timestamp, bearer tokens, constant-time checks."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from narrate.auth import (
    MAX_SKEW_S,
    AuthError,
    authenticate,
    sign_headers,
    signature,
    verify_signature,
)

NOW = 1_767_225_600.0
BODY = b'{"url": "https://example.com/story"}'


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    expected = hmac.new(b"k", b"1767225600." + BODY, hashlib.sha256).hexdigest()
    assert signature("k", "1767225600", BODY) == "sha256=" + expected


def test_a_signed_request_within_five_minutes_either_way_is_accepted() -> None:
    for skew in (-MAX_SKEW_S, 0, MAX_SKEW_S):
        verify_signature(sign_headers("k", BODY, now=NOW + skew), BODY, "k", now=NOW)


@pytest.mark.parametrize("skew", [-MAX_SKEW_S - 1, MAX_SKEW_S + 1, -86_400])
def test_an_old_or_future_timestamp_is_refused(skew: int) -> None:
    with pytest.raises(AuthError, match="5 minutes"):
        verify_signature(sign_headers("k", BODY, now=NOW + skew), BODY, "k", now=NOW)


def test_header_names_are_case_insensitive_as_servers_give_them() -> None:
    headers = {k.lower(): v for k, v in sign_headers("k", BODY, now=NOW).items()}
    verify_signature(headers, BODY, "k", now=NOW)


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "Sign the request"),
        ({"X-Narrate-Timestamp": "1767225600"}, "Sign the request"),
        ({"X-Narrate-Timestamp": "-5", "X-Narrate-Signature": "sha256=00"}, "Unix seconds"),
        (
            {"X-Narrate-Timestamp": "1767225600", "X-Narrate-Signature": "sha256=00"},
            "does not match",
        ),
        ({"X-Narrate-Timestamp": "1767225600", "X-Narrate-Signature": "ünïcode"}, "does not match"),
    ],
)
def test_a_bad_signature_says_why(headers: dict[str, str], reason: str) -> None:
    with pytest.raises(AuthError, match=reason):
        verify_signature(headers, BODY, "k", now=NOW)


def test_a_bodyless_request_signs_its_method_and_path() -> None:
    headers = sign_headers("k", b"", "DELETE", "/v1/episodes/a", now=NOW)
    verify_signature(headers, b"", "k", "DELETE", "/v1/episodes/a", now=NOW)
    with pytest.raises(AuthError):
        verify_signature(headers, b"", "k", "DELETE", "/v1/episodes/b", now=NOW)


def test_bearer_tokens() -> None:
    authenticate({"authorization": "Bearer t0k"}, BODY, "", "t0k")
    authenticate({"Authorization": "bearer t0k"}, BODY, "k", "t0k")
    for value in ("Bearer nope", "Bearer t0k2", "Bearer t0"):
        with pytest.raises(AuthError, match="not valid"):
            authenticate({"authorization": value}, BODY, "k", "t0k")
    # No token configured: no bearer token is ever accepted, even an empty-looking one.
    with pytest.raises(AuthError):
        authenticate({"authorization": "Bearer \0no token is configured"}, BODY, "k", "")
    with pytest.raises(AuthError, match="Bearer"):
        authenticate({}, BODY, "", "t0k")


def test_a_signature_is_accepted_when_only_a_secret_is_set() -> None:
    authenticate(sign_headers("k", BODY, now=NOW), BODY, "k", "", now=NOW)
    with pytest.raises(AuthError):
        authenticate(sign_headers("other", BODY, now=NOW), BODY, "k", "", now=NOW)
