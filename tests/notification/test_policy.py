"""Pure rules: backoff grows and is capped; signatures verify only with the right secret."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fenghuo.notification.policy import (
    backoff_seconds,
    derive_webhook_secret,
    is_valid_signature,
    signature,
)

ATTEMPTS = st.integers(min_value=1, max_value=60)
BASE = st.floats(min_value=0.0, max_value=3600.0)
CAP = st.floats(min_value=0.0, max_value=86400.0)


@given(ATTEMPTS, BASE, CAP)
def test_backoff_never_shrinks_and_never_exceeds_the_cap(
    attempts: int, base: float, cap: float
) -> None:
    delay = backoff_seconds(attempts, base=base, cap=cap)
    assert 0.0 <= delay <= cap
    assert backoff_seconds(attempts + 1, base=base, cap=cap) >= delay


def test_backoff_doubles_from_the_base() -> None:
    assert [backoff_seconds(n, base=30, cap=3600) for n in range(1, 9)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
    ]


@given(st.text(min_size=1, max_size=60), st.integers(0, 2**40).map(str), st.binary(max_size=500))
def test_a_signature_verifies_with_its_secret_and_only_with_it(
    secret: str, timestamp: str, body: bytes
) -> None:
    header = signature(secret, timestamp, body)
    assert header.startswith("sha256=") and len(header) == 7 + 64
    assert is_valid_signature(secret, timestamp, body, header)
    assert not is_valid_signature(secret + "x", timestamp, body, header)
    assert not is_valid_signature(secret, timestamp + "1", body, header)
    assert not is_valid_signature(secret, timestamp, body + b"!", header)


@given(st.text(min_size=1, max_size=40), st.uuids().map(str), st.text(min_size=1, max_size=32))
def test_webhook_secrets_differ_by_key_endpoint_and_salt(
    key: str, endpoint: str, salt: str
) -> None:
    secret = derive_webhook_secret(key, endpoint, salt)
    assert secret == derive_webhook_secret(key, endpoint, salt)
    assert secret != derive_webhook_secret(key + "!", endpoint, salt)
    assert secret != derive_webhook_secret(key, endpoint, salt + "!")
