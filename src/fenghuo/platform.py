"""The composition root: one ``Platform`` holds what a running Fenghuo is built from.

The API, the console, the CLI and the workers each build one from ``Settings``; nothing
is built at import time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from fenghuo.authority import Actor, Policy
from fenghuo.bus import Bus, make_bus
from fenghuo.catalog import policy_for
from fenghuo.settings import Settings
from fenghuo.store import make_engine, make_session_factory


@dataclass
class Platform:
    """Settings, database, authority policy and bus: the parts every edge needs."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    policy: Policy
    bus: Bus

    @classmethod
    def build(cls, settings: Settings, *, engine: Engine | None = None) -> Platform:
        """Build the platform from settings (an engine may be handed in by tests).

        Nothing connects yet: the bus is connected by whoever runs the event loop
        (the app's lifespan, a worker).
        """
        engine = engine or make_engine(settings.resolved_database_url)
        return cls(
            settings=settings,
            engine=engine,
            session_factory=make_session_factory(engine),
            policy=policy_for(settings),
            bus=make_bus(settings.bus_url),
        )

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One state change: commit on success, roll back on any error."""
        with self.session_factory.begin() as session:
            yield session

    def system_actor(self, label: str = "system") -> Actor:
        """The local operator acting from the server's command line."""
        return Actor.system(self.policy, label=label)
