"""Fixtures for the bus: one ``bus`` fixture that runs each contract test on both backends.

The NATS run gets a stream and subject prefix of its own, deleted afterwards, so tests
sharing the session's ``nats-server`` never see each other's messages or durables.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import nats
import pytest

from fenghuo.bus import Bus, InProcessBus
from fenghuo.bus.nats import NatsBus


@pytest.fixture
def anyio_backend() -> str:
    """The bus is asyncio-only (nats-py)."""
    return "asyncio"


@pytest.fixture(params=["memory", pytest.param("nats", marks=pytest.mark.nats)])
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[Bus]:
    """A connected bus: in-process, then NATS JetStream on a real server."""
    if request.param == "memory":
        memory = InProcessBus()
        await memory.connect()
        yield memory
        await memory.close()
        return
    url: str = request.getfixturevalue("nats_url")
    name = uuid.uuid4().hex[:12]
    jetstream = NatsBus(url, stream=f"TEST_{name}", prefix=f"t{name}", storage="memory")
    await jetstream.connect()
    yield jetstream
    await jetstream.close()
    client = await nats.connect(url)
    await client.jetstream().delete_stream(jetstream.stream)
    await client.close()
