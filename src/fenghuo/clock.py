"""The one source of time. Always aware UTC; tests set it with ``frozen``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

_source: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    """The current time, aware, in UTC."""
    return _source()


def as_utc(value: datetime) -> datetime:
    """Make a datetime from the database aware (SQLite drops the zone)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@contextmanager
def frozen(at: datetime) -> Iterator[Callable[[datetime], None]]:
    """Freeze time at ``at``; yields a setter to move the frozen time."""
    global _source
    if at.tzinfo is None:
        raise ValueError("frozen time must be timezone-aware")
    current = [at]
    previous = _source
    _source = lambda: current[0]  # noqa: E731

    def move_to(new_time: datetime) -> None:
        current[0] = new_time

    try:
        yield move_to
    finally:
        _source = previous
