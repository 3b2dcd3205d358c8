"""The kill test: two ``fenghuo worker detect`` processes on JetStream and PostgreSQL, one of
them SIGKILLed mid-stream; every expected detection is recorded exactly once, every batch is
processed (and audited) exactly once, and the audit chain still verifies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from fenghuo.audit import service as audit_service
from fenghuo.audit.models import AuditRecord
from fenghuo.authority import Actor, Policy
from fenghuo.bus import make_bus
from fenghuo.detection import flows, worker
from fenghuo.detection.models import Detection, DetectionBatch
from fenghuo.monitoring.models import IngestBatch
from fenghuo.settings import Settings
from fenghuo.store import make_engine
from fenghuo.store.migrations import upgrade
from tests import services
from tests.bus.helpers import run_in_own_thread
from tests.detection import ingested
from tests.factories.accounts import make_world

pytestmark = [pytest.mark.nats, pytest.mark.postgres]

BATCHES = 200
KILL_AFTER = 40
DEADLINE = 45.0


def _rule_ids() -> dict[str, str]:
    engine = worker.load_engine()
    return {rule.title: rule.id for rule in engine.rules}


def _seed(
    sessions: sessionmaker[Session], settings: Settings, policy: Policy
) -> tuple[list[str], set[tuple[str, str]]]:
    """BATCHES recorded batches of three events, two of which match; the expected pairs."""
    titles = _rule_ids()
    powershell = titles["Suspicious PowerShell encoded command"]
    mimikatz = titles["Mimikatz command keywords"]
    actor = Actor.system(policy, label="test-seed")
    batch_ids: list[str] = []
    with sessions.begin() as session:
        world = make_world(session)
        source = ingested.make_source(session, actor, world.energy_op_gd, "kill-test")
        for i in range(BATCHES):
            events = [
                ingested.encoded_powershell(n=i, minute=i % 60),
                ingested.sysmon_process(
                    "C:\\Temp\\m.exe", f"m.exe sekurlsa::logonpasswords {i}", n=i
                ),
                ingested.harmless(n=i),
            ]
            batch_ids.append(ingested.ingest(session, actor, settings, source, events))
    expected: set[tuple[str, str]] = set()
    with sessions() as session:
        for batch_id in batch_ids:
            batch = session.get(IngestBatch, batch_id)
            assert batch is not None
            for row in flows.read_batch_events(settings, batch):
                line = row["process_command_line"] or ""
                if " -enc " in line:
                    expected.add((powershell, row["event_id"]))
                elif "sekurlsa::" in line:
                    expected.add((mimikatz, row["event_id"]))
    assert len(expected) == 2 * BATCHES
    return batch_ids, expected


async def _publish(bus_url: str, batch_ids: list[str]) -> None:
    bus = make_bus(bus_url)
    await bus.connect()
    try:
        for batch_id in batch_ids:
            await bus.publish(worker.SUBJECT, {"batch_id": batch_id}, message_id=batch_id)
    finally:
        await bus.close()


@pytest.fixture
def database(postgres_url: str) -> Iterator[str]:
    """A database of its own: this test commits, unlike the others."""
    yield services._fresh_database(postgres_url)


def _count(sessions: sessionmaker[Session], column: object) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count(column))) or 0)  # type: ignore[arg-type]


def _start(env: dict[str, str], durable: str, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "fenghuo.cli", "worker", "detect", "--durable", durable]
    command += ["--ack-wait", "3"]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log.open("wb"))


def test_a_killed_worker_loses_no_batch_and_duplicates_nothing(
    database: str, nats_url: str, tmp_path: Path, policy: Policy
) -> None:
    started = time.monotonic()
    engine = make_engine(database)
    upgrade(engine)
    sessions = sessionmaker(engine)
    data_dir = tmp_path / "data"
    settings = Settings(data_dir=data_dir, secret_key="kill-test-secret-key-0123456789")
    batch_ids, expected = _seed(sessions, settings, policy)

    tag = uuid.uuid4().hex[:8]
    bus_url = f"{nats_url}?stream=KILL{tag}&prefix=kill{tag}"
    run_in_own_thread(_publish(bus_url, batch_ids))
    env = {
        **os.environ,
        "FENGHUO_DATABASE_URL": database,
        "FENGHUO_BUS_URL": bus_url,
        "FENGHUO_DATA_DIR": str(data_dir),
        "FENGHUO_SECRET_KEY": settings.secret_key or "",
    }
    durable = f"detect-{tag}"
    victim = _start(env, durable, tmp_path / "victim.log")
    survivor = _start(env, durable, tmp_path / "survivor.log")
    try:
        deadline = time.monotonic() + DEADLINE
        while _count(sessions, DetectionBatch.batch_id) < KILL_AFTER:
            assert time.monotonic() < deadline, (tmp_path / "victim.log").read_text()
            assert victim.poll() is None, (tmp_path / "victim.log").read_text()
            time.sleep(0.02)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        while _count(sessions, DetectionBatch.batch_id) < BATCHES:
            assert time.monotonic() < deadline, (tmp_path / "survivor.log").read_text()
            time.sleep(0.1)
    finally:
        for process in (victim, survivor):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in (victim, survivor):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
    assert victim.returncode == -signal.SIGKILL
    assert survivor.returncode == 0, (tmp_path / "survivor.log").read_text()

    with sessions() as session:
        pairs = list(session.execute(select(Detection.rule_id, Detection.event_id)).all())
        assert len(pairs) == len(expected)
        assert {(rule, event) for rule, event in pairs} == expected
        processed = set(session.scalars(select(DetectionBatch.batch_id)))
        assert processed == set(batch_ids)
        audited = select(AuditRecord).where(AuditRecord.action == flows.PROCESS)
        runs = list(session.scalars(audited))
        assert sorted(run.target_id or "" for run in runs) == sorted(batch_ids)  # exactly once
        members = {run.details["worker"].rsplit(":", 1)[1] for run in runs}
        assert members == {str(victim.pid), str(survivor.pid)}  # both shared the load
        verification = audit_service.verify(session=session)
        assert verification.ok, verification.problem
    engine.dispose()
    assert time.monotonic() - started < 60
