"""Shared fixtures: settings, a migrated database (SQLite and PostgreSQL), sessions, actors.

Database tests take the ``engine`` fixture, which runs them twice: on a SQLite file and on
PostgreSQL. The schema is built once per database by ``alembic upgrade head``, so the
migrations are exercised too. Each test runs inside a transaction that is rolled back.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from fenghuo.authority import Actor, Policy
from fenghuo.catalog import policy_for
from fenghuo.settings import Settings
from fenghuo.store import make_engine
from fenghuo.store.migrations import upgrade
from tests import services


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'fenghuo.db'}"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with services.postgres_url() as url:
        yield url


@pytest.fixture(scope="session")
def nats_url() -> Iterator[str]:
    with services.nats_url() as url:
        yield url


_engines: dict[str, Engine] = {}


def _migrated_engine(url: str) -> Engine:
    if url not in _engines:
        engine = make_engine(url)
        upgrade(engine)
        _engines[url] = engine
    return _engines[url]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """Runs the test once per database."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(name)
    return url


@pytest.fixture
def engine(database_url: str) -> Engine:
    """A migrated engine on SQLite, then on PostgreSQL."""
    return _migrated_engine(database_url)


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Engine:
    """A migrated SQLite engine, for tests that need only one database."""
    return _migrated_engine(sqlite_url)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test."""
    with engine.connect() as connection:
        transaction = connection.begin()
        with Session(bind=connection, join_transaction_mode="create_savepoint") as db_session:
            yield db_session
        transaction.rollback()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with a private data directory and a fixed secret."""
    return Settings(data_dir=tmp_path / "var", secret_key="test-secret-key-not-for-production")


@pytest.fixture(scope="session")
def policy() -> Policy:
    """The packaged authority rules."""
    return policy_for(Settings())


@pytest.fixture
def system_actor(policy: Policy) -> Actor:
    """The local operator (CLI)."""
    return Actor.system(policy, label="test-system")
