"""Helpers for bus tests: a recording handler and a bounded wait."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest

from fenghuo.bus import Message

T = TypeVar("T")


class Inbox:
    """A handler that records what it was given (and acks by returning)."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def __call__(self, message: Message) -> None:
        self.messages.append(message)

    @property
    def subjects(self) -> list[str]:
        """Subjects received, in order."""
        return [message.subject for message in self.messages]

    @property
    def payloads(self) -> list[object]:
        """JSON payloads received, in order."""
        return [message.json() for message in self.messages]


async def eventually(condition: Callable[[], bool], *, timeout: float = 2.5) -> None:
    """Wait until ``condition()`` holds, failing the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout} s")
        await asyncio.sleep(0.01)


def run_in_own_thread(coroutine: Coroutine[Any, Any, T], *, timeout: float = 120.0) -> T:
    """Run ``coroutine`` on a fresh event loop in a thread of its own, as a worker process does.

    In the full suite some earlier test can leave an event loop registered as running on the
    main thread, which makes a plain ``asyncio.run`` there refuse to start.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result(timeout=timeout)
