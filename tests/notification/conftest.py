"""Fixtures for notification tests: a world with people, a connection-bound session factory."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from fenghuo.accounts import credentials
from fenghuo.authority import Actor, Policy
from tests.factories.accounts import World, make_user, make_world
from tests.notification.kit import Mailbox, Receiver, smtp_server, webhook_receiver

PEOPLE = {
    "energy-analyst": ("energy_dept", "analyst"),
    "energy-admin": ("energy_dept", "administrator"),
    "nat-duty": ("national", "duty_officer"),
    "sz-staff": ("energy_op_gd", "operator_staff"),
    "sz-admin": ("energy_op_gd", "administrator"),
    "sz-viewer": ("energy_op_gd", "viewer"),
    "gas-staff": ("energy_op_sh", "operator_staff"),
    "bank-staff": ("finance_op_sh", "operator_staff"),
}


@dataclass
class People:
    world: World
    actors: dict[str, Actor]

    def __getitem__(self, username: str) -> Actor:
        return self.actors[username]


@pytest.fixture
def sessions(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """Sessions whose commits land in one outer transaction, rolled back after the test.

    The worker opens its own transactions (``sessions.begin()``) as it does in production.
    """
    with engine.connect() as connection:
        transaction = connection.begin()
        yield sessionmaker(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        transaction.rollback()


@pytest.fixture
def people(sessions: sessionmaker[Session], policy: Policy) -> People:
    """The factories' world and one person per role that the tests need."""
    with sessions.begin() as session:
        world = make_world(session)
        actors = {
            name: credentials.actor_for(
                make_user(session, org=getattr(world, org), username=name, roles=[role]), policy
            )
            for name, (org, role) in PEOPLE.items()
        }
    return People(world=world, actors=actors)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as found:
        yield found


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as found:
        yield found


# The API tests of this package run against the whole app on a committed database, with the
# same module-scoped world and people as tests/api (fixtures re-used, not copied).
from tests.api.conftest import api, api_database_url  # noqa: E402, F401
from tests.cli.conftest import data_dir, fenghuo, migrated  # noqa: E402, F401
