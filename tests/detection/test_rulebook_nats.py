"""The scale-out shape: ``fenghuo worker ingest`` and ``fenghuo worker detect`` processes on
JetStream and PostgreSQL. Events published on the bus are archived and detected, and a rule
disabled in the rulebook stops matching in the running detection worker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from fenghuo.authority import Actor, Policy
from fenghuo.bus import make_bus
from fenghuo.bus.relay import relay_once
from fenghuo.detection import rulebook
from fenghuo.detection.models import Detection, DetectionBatch
from fenghuo.monitoring import consumers
from fenghuo.monitoring.models import IngestBatch
from fenghuo.store import make_engine
from fenghuo.store.migrations import upgrade
from tests import services
from tests.bus.helpers import run_in_own_thread
from tests.detection import ingested
from tests.factories.accounts import make_world

pytestmark = [pytest.mark.nats, pytest.mark.postgres]
POWERSHELL = "Suspicious PowerShell encoded command"


@pytest.fixture
def database(postgres_url: str) -> Iterator[str]:
    """A database of its own: this test commits."""
    yield services._fresh_database(postgres_url)


def _wait(check: Callable[[], bool], log: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.05)


def test_bus_events_are_ingested_and_detected_by_worker_processes(
    database: str, nats_url: str, tmp_path: Path, policy: Policy
) -> None:
    engine = make_engine(database)
    upgrade(engine)
    sessions = sessionmaker(engine)
    actor = Actor.system(policy, label="test-seed")
    with sessions.begin() as session:
        world = make_world(session)
        ingested.make_source(session, actor, world.energy_op_gd, "nats-sensor")
        rulebook.install_starter_rules(session=session, actor=actor)

    tag = uuid.uuid4().hex[:8]
    bus_url = f"{nats_url}?stream=RB{tag}&prefix=rb{tag}"
    env = {
        **os.environ,
        "FENGHUO_DATABASE_URL": database,
        "FENGHUO_BUS_URL": bus_url,
        "FENGHUO_DATA_DIR": str(tmp_path / "data"),
        "FENGHUO_SECRET_KEY": "rulebook-nats-secret-key-0123456789",
    }
    log = tmp_path / "workers.log"
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "fenghuo.cli", "worker", *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log.open("ab"),
        )
        for args in (["ingest"], ["detect", "--durable", f"detect-{tag}"])
    ]

    def count(column: object) -> int:
        with sessions() as session:
            return int(session.scalar(select(func.count(column))) or 0)  # type: ignore[arg-type]

    async def send(n: int) -> None:
        # Publish a source's events, then relay the ingest notices as `fenghuo serve` does.
        bus = make_bus(bus_url)
        await bus.connect()
        try:
            flat = orjson.dumps(
                {
                    "Channel": ingested.SYSMON,
                    "EventID": 1,
                    "Computer": "ws1",
                    "UtcTime": f"2026-03-01 10:0{n}:00",
                    "Image": "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
                    "CommandLine": f"powershell.exe -nop -enc SQBFAFgA{n}",
                }
            )
            await bus.publish(f"{consumers.SUBMIT}.nats-sensor", flat, message_id=f"m{n}")
            _wait(lambda: count(IngestBatch.id) == n, log)
            await relay_once(sessions, bus)
        finally:
            await bus.close()

    try:
        # Starting two interpreters can be slow on a loaded machine; wait for both.
        _wait(lambda: log.read_text().count("ready") == 2, log, timeout=60)
        run_in_own_thread(send(1))
        _wait(lambda: count(DetectionBatch.batch_id) == 1, log)
        with sessions() as session:
            assert session.scalars(select(Detection.rule_title)).all() == [POWERSHELL]
            key = next(
                r.key
                for r in rulebook.list_rules(
                    session=session, actor=actor, rule_filter=rulebook.RuleFilter(text="encoded")
                ).items
            )
        with sessions.begin() as session:
            rulebook.set_enabled(
                session=session, actor=actor, rule_id=key, enabled=False, reason="tuning"
            )
        run_in_own_thread(send(2))
        _wait(lambda: count(DetectionBatch.batch_id) == 2, log)
        assert count(Detection.id) == 1  # the disabled rule matched nothing in batch 2
    finally:
        for process in workers:
            process.terminate()
        for process in workers:
            process.wait(timeout=10)
