"""The scale-out shape: a ``fenghuo worker risk`` process on JetStream and PostgreSQL
refreshes the risk picture when an operator's incident report is announced on the bus."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from fenghuo.accounts import credentials
from fenghuo.authority import Policy
from fenghuo.bus import make_bus
from fenghuo.bus.relay import relay_once
from fenghuo.risk import service
from fenghuo.risk.models import RiskAssessment, RiskRefresh
from fenghuo.store import make_engine
from fenghuo.store.migrations import upgrade
from tests import services
from tests.bus.helpers import run_in_own_thread
from tests.factories.accounts import make_user, make_world
from tests.factories.incidents import report

pytestmark = [pytest.mark.nats, pytest.mark.postgres]


@pytest.fixture
def database(postgres_url: str) -> Iterator[str]:
    """A database of its own: this test commits."""
    yield services._fresh_database(postgres_url)


def _wait(check: Callable[[], bool], log: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)


def test_an_incident_report_on_the_bus_refreshes_the_risk_in_the_worker_process(
    database: str, nats_url: str, tmp_path: Path, policy: Policy
) -> None:
    engine = make_engine(database)
    upgrade(engine)
    sessions = sessionmaker(engine)
    with sessions.begin() as session:
        world = make_world(session)
        staff = make_user(session, org=world.energy_op_gd, username="sz", roles=["operator_staff"])
        operator = credentials.actor_for(staff, policy)

    tag = uuid.uuid4().hex[:8]
    bus_url = f"{nats_url}?stream=RK{tag}&prefix=rk{tag}"
    env = {
        **os.environ,
        "FENGHUO_DATABASE_URL": database,
        "FENGHUO_BUS_URL": bus_url,
        "FENGHUO_DATA_DIR": str(tmp_path / "data"),
        "FENGHUO_SECRET_KEY": "risk-worker-nats-secret-key-0123456789",
    }
    log = tmp_path / "worker.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "fenghuo.cli", "worker", "risk"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),
    )

    def refreshes() -> int:
        with sessions() as session:
            return int(session.scalar(select(func.count(RiskRefresh.id))) or 0)

    async def relay() -> None:
        bus = make_bus(bus_url)
        await bus.connect()
        try:
            await relay_once(sessions, bus)
        finally:
            await bus.close()

    try:
        _wait(lambda: "ready" in log.read_text(), log, timeout=60)
        assert refreshes() == 0
        with sessions.begin() as session:
            report(session, operator, impact={"pi_records_citizens": 12_000_000})
        run_in_own_thread(relay())
        # The report is announced as reported and as classified: one or two refreshes.
        _wait(lambda: refreshes() >= 1, log)
        with sessions() as session:
            refresh = session.scalars(select(RiskRefresh).order_by(RiskRefresh.seq)).first()
            assert refresh is not None
            (cell,) = session.scalars(
                select(RiskAssessment).where(
                    RiskAssessment.refresh_id == refresh.id,
                    RiskAssessment.scope_kind == "cell",
                    RiskAssessment.sector == "energy",
                    RiskAssessment.region == "440000",
                )
            ).all()
            assert cell.degree == "II"  # the reported 12 M records, through the plan's matrix
            assert cell.score > 0
            assert refresh.computed_by == service.NOTIFIER_LABEL
    finally:
        process.terminate()
        assert process.wait(timeout=30) == 0, log.read_text()
