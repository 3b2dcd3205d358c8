"""The bus contract: every test runs on the in-process bus and on NATS JetStream."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC

import pytest

from fenghuo.bus import (
    HEADER_DEAD_DELIVERIES,
    HEADER_DEAD_DURABLE,
    HEADER_DEAD_MESSAGE_ID,
    HEADER_DEAD_REASON,
    HEADER_DEAD_SUBJECT,
    Bus,
    Message,
)
from fenghuo.errors import Invalid, Unavailable
from tests.bus.helpers import Inbox, eventually

pytestmark = pytest.mark.anyio


async def test_published_message_reaches_a_subscriber(bus: Bus) -> None:
    inbox = Inbox()
    await bus.subscribe("events.ingested", durable="reader", handler=inbox)
    await bus.publish("events.ingested", {"host": "10.0.0.1", "名": "烽火"}, message_id="m-1")
    await bus.publish("events.ingested", b"raw bytes")

    await eventually(lambda: len(inbox.messages) == 2)
    first, second = inbox.messages
    assert first.subject == "events.ingested"
    assert first.json() == {"host": "10.0.0.1", "名": "烽火"}
    assert first.message_id == "m-1"
    assert first.num_delivered == 1
    assert first.published_at is not None and first.published_at.tzinfo == UTC
    assert second.data == b"raw bytes"
    assert second.message_id  # generated when the publisher gives none


async def test_wildcards_match_one_token_or_the_rest(bus: Bus) -> None:
    one, rest = Inbox(), Inbox()
    await bus.subscribe("accounts.*.created", durable="one", handler=one)
    await bus.subscribe("accounts.>", durable="rest", handler=rest)
    for subject in ["accounts.user.created", "accounts.org.unit.created", "incidents.reported"]:
        await bus.publish(subject, {"subject": subject})

    await eventually(lambda: len(rest.messages) == 2 and len(one.messages) == 1)
    await asyncio.sleep(0.1)
    assert one.subjects == ["accounts.user.created"]
    assert sorted(rest.subjects) == ["accounts.org.unit.created", "accounts.user.created"]


async def test_subscribers_sharing_a_durable_split_the_messages(bus: Bus) -> None:
    first, second = Inbox(), Inbox()

    async def slow(inbox: Inbox, message: Message) -> None:
        await asyncio.sleep(0.01)  # long enough for the other member to pull meanwhile
        await inbox(message)

    await bus.subscribe("detect.work", durable="workers", handler=lambda m: slow(first, m))
    await bus.subscribe("detect.work", durable="workers", handler=lambda m: slow(second, m))
    for number in range(30):
        await bus.publish("detect.work", {"n": number})

    await eventually(lambda: len(first.messages) + len(second.messages) >= 30)
    await asyncio.sleep(0.2)
    received = [m.json()["n"] for m in first.messages + second.messages]
    assert sorted(received) == list(range(30))  # none lost, none twice
    assert first.messages and second.messages  # both members did work


async def test_a_handler_that_outlives_ack_wait_is_abandoned_and_redelivered(bus: Bus) -> None:
    handled: list[int] = []

    async def hangs_once(message: Message) -> None:
        if message.num_delivered == 1:
            await asyncio.sleep(30)
        handled.append(message.num_delivered)

    await bus.subscribe("slow.job", durable="slow", handler=hangs_once, ack_wait=0.5)
    started = time.monotonic()
    await bus.publish("slow.job", {"job": 1})

    await eventually(lambda: handled == [2])
    assert time.monotonic() - started >= 0.45
    await asyncio.sleep(0.7)
    assert handled == [2]  # acked on the second attempt: not delivered again


async def test_a_closed_members_unacked_message_goes_to_another_member(bus: Bus) -> None:
    taken = asyncio.Event()

    async def crashes(message: Message) -> None:
        taken.set()
        await asyncio.sleep(30)

    first = await bus.subscribe("crash.job", durable="crash", handler=crashes, ack_wait=0.6)
    await bus.publish("crash.job", {"job": 1}, message_id="crash-1")
    await asyncio.wait_for(taken.wait(), 2)
    await first.close()  # the member dies mid-message, without an answer

    survivor = Inbox()
    await bus.subscribe("crash.job", durable="crash", handler=survivor, ack_wait=0.6)
    await eventually(lambda: len(survivor.messages) == 1)
    assert survivor.messages[0].message_id == "crash-1"
    assert survivor.messages[0].num_delivered == 2


async def test_nak_redelivers_at_once_or_after_the_delay(bus: Bus) -> None:
    deliveries: list[tuple[str, int, float]] = []

    async def refuses_first(message: Message) -> None:
        deliveries.append((message.json()["kind"], message.num_delivered, time.monotonic()))
        if message.num_delivered == 1:
            await message.nak(delay=0.4 if message.json()["kind"] == "later" else None)

    await bus.subscribe("nak.job", durable="nak", handler=refuses_first)
    await bus.publish("nak.job", {"kind": "now"})
    await bus.publish("nak.job", {"kind": "later"})

    await eventually(lambda: len(deliveries) == 4)
    by_kind = {(kind, n): at for kind, n, at in deliveries}
    assert set(by_kind) == {("now", 1), ("now", 2), ("later", 1), ("later", 2)}
    assert by_kind["later", 2] - by_kind["later", 1] >= 0.35
    assert by_kind["now", 2] - by_kind["now", 1] < 0.35


async def test_a_handler_error_is_retried_then_acked(bus: Bus) -> None:
    attempts: list[int] = []

    async def flaky(message: Message) -> None:
        attempts.append(message.num_delivered)
        if message.num_delivered < 3:
            raise RuntimeError("database briefly away")

    await bus.subscribe("flaky.job", durable="flaky", handler=flaky, max_deliver=5)
    await bus.publish("flaky.job", {"job": 1})

    await eventually(lambda: attempts == [1, 2, 3])
    await asyncio.sleep(0.4)
    assert attempts == [1, 2, 3]


async def test_after_max_deliver_failures_the_message_is_dead_lettered(bus: Bus) -> None:
    attempts: list[int] = []
    dead, everything = Inbox(), Inbox()

    async def always_fails(message: Message) -> None:
        attempts.append(message.num_delivered)
        raise ValueError("poison message")

    await bus.subscribe("poison.job", durable="poison", handler=always_fails, max_deliver=3)
    await bus.subscribe("deadletter.poison.>", durable="ops", handler=dead)
    await bus.subscribe(">", durable="everything", handler=everything)
    await bus.publish("poison.job", {"job": 1}, message_id="poison-1")

    await eventually(lambda: len(dead.messages) == 1)
    await asyncio.sleep(0.3)
    assert attempts == [1, 2, 3]
    letter = dead.messages[0]
    assert letter.subject == "deadletter.poison.poison.job"
    assert letter.json() == {"job": 1}
    assert letter.headers[HEADER_DEAD_SUBJECT] == "poison.job"
    assert letter.headers[HEADER_DEAD_MESSAGE_ID] == "poison-1"
    assert letter.headers[HEADER_DEAD_DURABLE] == "poison"
    assert letter.headers[HEADER_DEAD_DELIVERIES] == "3"
    assert letter.headers[HEADER_DEAD_REASON] == "error"
    assert everything.subjects == ["poison.job"]  # '>' never matches dead letters


async def test_a_handler_that_always_hangs_is_dead_lettered(bus: Bus) -> None:
    dead = Inbox()

    async def hangs(message: Message) -> None:
        await asyncio.sleep(30)

    await bus.subscribe("hang.job", durable="hang", handler=hangs, ack_wait=0.4, max_deliver=2)
    await bus.subscribe("deadletter.hang.>", durable="ops", handler=dead)
    await bus.publish("hang.job", {"job": 1})

    await eventually(lambda: len(dead.messages) == 1)
    assert dead.messages[0].headers[HEADER_DEAD_REASON] == "timeout"
    assert dead.messages[0].headers[HEADER_DEAD_DELIVERIES] == "2"


async def test_a_durable_created_later_receives_earlier_messages(bus: Bus) -> None:
    for number in range(3):
        await bus.publish("history.event", {"n": number})

    late = Inbox()
    await bus.subscribe("history.event", durable="late", handler=late)
    await eventually(lambda: len(late.messages) == 3)
    assert late.payloads == [{"n": 0}, {"n": 1}, {"n": 2}]


async def test_acked_messages_are_not_redelivered_after_a_restart(bus: Bus) -> None:
    before = Inbox()
    subscription = await bus.subscribe("restart.job", durable="restart", handler=before)
    for number in range(3):
        await bus.publish("restart.job", {"n": number})
    await eventually(lambda: len(before.messages) == 3)
    await asyncio.sleep(0.1)  # let the last ack reach the server
    await subscription.close()

    await bus.publish("restart.job", {"n": 3})
    after = Inbox()
    await bus.subscribe("restart.job", durable="restart", handler=after, ack_wait=1.0)
    await eventually(lambda: len(after.messages) >= 1)
    await asyncio.sleep(0.3)
    assert after.payloads == [{"n": 3}]


async def test_a_repeated_message_id_is_stored_once(bus: Bus) -> None:
    inbox = Inbox()
    await bus.publish("dedup.event", {"copy": 1}, message_id="same-id")
    await bus.publish("dedup.event", {"copy": 2}, message_id="same-id")
    await bus.publish("dedup.event", {"copy": 3}, message_id="other-id")
    await bus.subscribe("dedup.event", durable="dedup", handler=inbox)

    await eventually(lambda: len(inbox.messages) == 2)
    await asyncio.sleep(0.2)
    assert inbox.payloads == [{"copy": 1}, {"copy": 3}]


@pytest.mark.parametrize(
    ("subject", "rule"),
    [
        ("events.*", "bus-subject"),
        ("events.>", "bus-subject"),
        ("events..x", "bus-subject"),
        ("events x", "bus-subject"),
        ("deadletter.someone.events", "bus-reserved-subject"),
    ],
)
async def test_publishing_to_a_bad_subject_is_refused(bus: Bus, subject: str, rule: str) -> None:
    with pytest.raises(Invalid) as refused:
        await bus.publish(subject, {})
    assert (refused.value.field, refused.value.rule) == ("subject", rule)


async def test_bad_subscriptions_are_refused(bus: Bus) -> None:
    inbox = Inbox()
    with pytest.raises(Invalid) as bad_name:
        await bus.subscribe("events.x", durable="has.dot", handler=inbox)
    assert bad_name.value.rule == "bus-durable"
    with pytest.raises(Invalid) as bad_pattern:
        await bus.subscribe("events.>.x", durable="ok", handler=inbox)
    assert bad_pattern.value.rule == "bus-subject"
    with pytest.raises(Invalid) as bad_limit:
        await bus.subscribe("events.x", durable="ok", handler=inbox, max_deliver=0)
    assert bad_limit.value.rule == "bus-max-deliver"

    await bus.subscribe("events.x", durable="taken", handler=inbox)
    with pytest.raises(Invalid) as moved:
        await bus.subscribe("events.y", durable="taken", handler=inbox)
    assert (moved.value.field, moved.value.rule) == ("durable", "bus-durable-subject")


async def test_a_closed_bus_is_not_ready_and_refuses_to_publish(bus: Bus) -> None:
    assert bus.is_ready()
    await bus.close()
    assert not bus.is_ready()
    with pytest.raises(Unavailable):
        await bus.publish("events.x", {})
