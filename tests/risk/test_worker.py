"""The risk worker on the in-process bus: new detections refresh the picture, coalesced."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from fenghuo import clock
from fenghuo.authority import Actor, Policy
from fenghuo.bus import InProcessBus
from fenghuo.risk import service, worker
from fenghuo.risk.models import RiskRefresh
from fenghuo.store import make_engine
from fenghuo.store.migrations import upgrade
from tests.bus.helpers import eventually, run_in_own_thread
from tests.factories.accounts import make_world
from tests.risk.conftest import add_detections


@pytest.fixture
def sessions(tmp_path: Path) -> sessionmaker[Session]:
    engine: Engine = make_engine(f"sqlite:///{tmp_path / 'risk-worker.db'}")
    upgrade(engine)
    return sessionmaker(engine)


def _refreshes(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count(RiskRefresh.id))) or 0)


def test_a_burst_of_detection_notices_refreshes_the_risk_and_flags_the_surge(
    sessions: sessionmaker[Session], policy: Policy
) -> None:
    with sessions.begin() as session:
        world = make_world(session)
        add_detections(session, world.energy_op_gd, count=30, at=clock.now() - timedelta(minutes=5))

    async def scenario() -> int:
        bus = InProcessBus()
        await bus.connect()
        refresher = worker.Refresher(sessions, policy)
        subscriptions = await worker.subscribe_risk(
            bus, sessions=sessions, policy=policy, refresher=refresher
        )
        await bus.publish("detection.detections.created", {"batch_id": "b0", "detections": 0})
        for n in range(6):
            await bus.publish("detection.detections.created", {"batch_id": f"b{n + 1}",
                                                               "detections": 5})  # fmt: skip
        await eventually(lambda: _refreshes(sessions) >= 1, timeout=20)
        await eventually(lambda: refresher.runs >= 1 and not refresher._dirty, timeout=20)
        await refresher.idle()
        for subscription in subscriptions:
            await subscription.close()
        await bus.close()
        return refresher.runs

    runs = run_in_own_thread(scenario())
    assert 1 <= runs < 6  # coalesced: fewer refreshes than notices
    assert _refreshes(sessions) == runs
    with sessions() as session:
        system = Actor.system(policy)
        cells = service.latest(session, system, scope_kind="cell")
    hot = [c for c in cells if (c.sector, c.region) == ("energy", "440000")]
    assert hot[0].surge_flagged


@pytest.mark.parametrize(
    "subject", ["monitoring.vulnerabilities.imported", "monitoring.products.changed"]
)
def test_new_vulnerability_exposure_refreshes_the_risk(
    sessions: sessionmaker[Session], policy: Policy, subject: str
) -> None:
    with sessions.begin() as session:
        make_world(session)

    async def scenario() -> None:
        bus = InProcessBus()
        await bus.connect()
        refresher = worker.Refresher(sessions, policy)
        subscriptions = await worker.subscribe_risk(
            bus, sessions=sessions, policy=policy, refresher=refresher
        )
        await bus.publish(subject, {"kind": "kev", "new": 1})
        await eventually(lambda: _refreshes(sessions) == 1, timeout=20)
        await refresher.idle()
        for subscription in subscriptions:
            await subscription.close()
        await bus.close()

    run_in_own_thread(scenario())
    assert _refreshes(sessions) == 1
