"""Choosing the backend from ``FENGHUO_BUS_URL``, and a NATS server that is not there."""

from __future__ import annotations

import pytest

from fenghuo.bus import InProcessBus, make_bus
from fenghuo.bus.nats import NatsBus, split_servers
from fenghuo.errors import Invalid, Unavailable
from tests.services import free_port


def test_memory_url_builds_the_in_process_bus() -> None:
    assert isinstance(make_bus("memory://"), InProcessBus)


def test_nats_url_builds_the_jetstream_bus_with_its_options() -> None:
    bus = make_bus("nats://n1:4222,n2:4222?stream=EVENTS&prefix=fh&replicas=3")

    assert isinstance(bus, NatsBus)
    assert (bus.url, bus.stream, bus.prefix) == ("nats://n1:4222,n2:4222", "EVENTS", "fh")


def test_nats_url_defaults_to_the_fenghuo_stream() -> None:
    bus = make_bus("nats://127.0.0.1:4222")

    assert isinstance(bus, NatsBus)
    assert (bus.stream, bus.prefix) == ("FENGHUO", "fenghuo")


def test_a_server_list_is_split_for_the_client() -> None:
    assert split_servers("nats://u:p@n1:4222,n2:4222") == [
        "nats://u:p@n1:4222",
        "nats://u:p@n2:4222",
    ]
    assert split_servers("nats://n1") == ["nats://n1"]


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("redis://localhost", "bus-scheme"),
        ("", "bus-scheme"),
        ("nats://localhost:4222?strem=X", "bus-options"),
    ],
)
def test_other_urls_are_refused(url: str, rule: str) -> None:
    with pytest.raises(Invalid) as refused:
        make_bus(url)
    assert (refused.value.field, refused.value.rule) == ("bus_url", rule)


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_an_unreachable_nats_server_is_unavailable(anyio_backend: str) -> None:
    bus = NatsBus(f"nats://127.0.0.1:{free_port()}", connect_timeout=0.5)

    with pytest.raises(Unavailable):
        await bus.connect()
    assert not bus.is_ready()
