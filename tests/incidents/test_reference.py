"""Reference numbers: ``FH-<year>-<6 digits>``, never given twice, even to reporters racing."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session

from fenghuo.incidents import service
from fenghuo.incidents.models import IncidentSequence
from fenghuo.incidents.policy import reference_number

YEAR = 2093  # a year no other test reports in; its counter is removed afterwards


@given(st.integers(2000, 9999), st.integers(1, 999_999))
def test_the_reference_number_format(year: int, number: int) -> None:
    reference = reference_number(year, number)
    assert reference == f"FH-{year}-{number:06d}" and len(reference) == 14


@pytest.fixture
def counter(engine: Engine) -> Iterator[Engine]:
    yield engine
    with Session(engine) as session, session.begin():
        session.execute(delete(IncidentSequence).where(IncidentSequence.year == YEAR))


def test_racing_reporters_never_get_the_same_number(counter: Engine) -> None:
    got: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def reporter() -> None:
        try:
            for _ in range(10):
                with Session(counter) as session, session.begin():
                    reference = service.allocate_reference(session, YEAR)
                with lock:
                    got.append(reference)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=reporter) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(got) == [reference_number(YEAR, n) for n in range(1, 41)]
