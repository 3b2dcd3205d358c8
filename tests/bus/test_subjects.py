"""Subject rules both backends share: matching, the wire prefix and dead-letter space."""

from __future__ import annotations

import pytest

from fenghuo.bus.base import app_subject, dead_letter_subject, matches, wire_subject


@pytest.mark.parametrize(
    ("pattern", "subject", "expected"),
    [
        ("a.b", "a.b", True),
        ("a.b", "a.b.c", False),
        ("a.*", "a.b", True),
        ("a.*", "a.b.c", False),
        ("a.*.c", "a.b.c", True),
        ("a.>", "a.b", True),
        ("a.>", "a.b.c", True),
        ("a.>", "a", False),
        (">", "a", True),
        ("*", "a.b", False),
    ],
)
def test_matching_follows_nats(pattern: str, subject: str, expected: bool) -> None:
    assert matches(pattern, subject) is expected


@pytest.mark.parametrize(
    ("subject", "wire"),
    [
        ("events.ingested", "fenghuo.events.ingested"),
        (">", "fenghuo.>"),
        ("deadletter.detect.events.ingested", "fenghuo_deadletter.detect.events.ingested"),
        ("deadletter.>", "fenghuo_deadletter.>"),
    ],
)
def test_subjects_map_into_the_stream_and_back(subject: str, wire: str) -> None:
    assert wire_subject(subject, prefix="fenghuo") == wire
    assert app_subject(wire, prefix="fenghuo") == subject


def test_a_wildcard_over_events_never_reaches_dead_letters() -> None:
    dead = wire_subject(dead_letter_subject(durable="d", subject="x.y"), prefix="fenghuo")

    assert not matches(wire_subject(">", prefix="fenghuo"), dead)
    assert matches(wire_subject("deadletter.d.>", prefix="fenghuo"), dead)
