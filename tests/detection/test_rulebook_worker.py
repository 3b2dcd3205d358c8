"""The detection worker follows the rulebook: a rule disabled stops matching from the next batch."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from fenghuo.authority import Actor, Policy
from fenghuo.detection import rulebook, worker
from fenghuo.detection.models import Detection
from fenghuo.settings import Settings
from fenghuo.store import make_engine
from fenghuo.store.migrations import upgrade
from tests.detection import ingested
from tests.factories.accounts import make_world

POWERSHELL = "Suspicious PowerShell encoded command"


@pytest.fixture
def sessions(tmp_path: Path) -> sessionmaker[Session]:
    engine: Engine = make_engine(f"sqlite:///{tmp_path / 'rulebook-worker.db'}")
    upgrade(engine)
    return sessionmaker(engine)


def test_disabling_a_rule_stops_new_detections_by_it(
    sessions: sessionmaker[Session], settings: Settings, policy: Policy, system_actor: Actor
) -> None:
    with sessions.begin() as session:
        world = make_world(session)
        source = ingested.make_source(session, system_actor, world.energy_op_gd, "rb-worker")
        rulebook.install_starter_rules(session=session, actor=system_actor)
        batches = [
            ingested.ingest(
                session, system_actor, settings, source, [ingested.encoded_powershell(n=i)]
            )
            for i in range(2)
        ]
        key = next(
            r.key
            for r in rulebook.list_rules(
                session=session, actor=system_actor, rule_filter=rulebook.RuleFilter(text="encoded")
            ).items
        )
    follower = worker.RulebookEngine()
    actor = Actor.system(policy, label="worker:detect")

    def run(batch_id: str) -> int:
        return worker.process_message(
            sessions=sessions, settings=settings, actor=actor, engine=follower, batch_id=batch_id
        ).detections

    assert run(batches[0]) == 1
    seen = follower.revision
    with sessions.begin() as session:
        rulebook.set_enabled(
            session=session, actor=system_actor, rule_id=key, enabled=False, reason="noisy here"
        )
    assert run(batches[1]) == 0
    assert follower.revision == (seen or 0) + 1
    with sessions() as session:
        titles = session.scalars(select(Detection.rule_title)).all()
    assert titles == [POWERSHELL]


def test_the_follower_keeps_its_engine_while_the_rulebook_stands_still(
    sessions: sessionmaker[Session],
) -> None:
    follower = worker.RulebookEngine()
    with sessions() as session:
        first = follower.current(session)
        assert follower.current(session) is first
        assert len(first.rules) == 10  # the empty rulebook: the starter rules stand in
