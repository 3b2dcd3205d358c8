"""The demo's replay: the bundled samples arrive now, and the starter rules find them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from fenghuo import clock
from fenghuo.demo import seed
from fenghuo.demo.monitoring import DEMO_SOURCES, has_replayed, replay, sample_lines
from fenghuo.detection import flows as detection_flows
from fenghuo.detection.engine import Engine
from fenghuo.detection.models import Detection
from fenghuo.detection.worker import starter_rules
from fenghuo.monitoring.models import IngestBatch
from fenghuo.platform import Platform
from fenghuo.settings import Settings
from fenghuo.store.migrations import upgrade


def test_replay_sends_every_sample_with_times_up_to_now_and_detections_follow(
    tmp_path: Path,
) -> None:
    platform = Platform.build(Settings(data_dir=tmp_path, secret_key="replay-test-key-0123456789"))
    upgrade(platform.engine)
    actor = platform.system_actor("test")
    with platform.transaction() as session:
        seed(session, actor)
        assert not has_replayed(session)
    samples = sum(len(sample_lines(source.name)) for source in DEMO_SOURCES)
    started = clock.now()

    accepted = replay(platform.transaction, actor, platform.settings, chunks=2, pause_seconds=0)

    assert accepted == samples
    engine = Engine.from_paths([starter_rules()])
    with platform.transaction() as session:
        assert has_replayed(session)
        batches = list(session.scalars(select(IngestBatch.id)))
        assert len(batches) == 2 * len(DEMO_SOURCES)
        for batch_id in batches:
            detection_flows.process_batch(
                session=session,
                actor=actor,
                settings=platform.settings,
                engine=engine,
                batch_id=batch_id,
            )
        latest = session.scalar(select(func.max(Detection.event_time)))
        rules = set(session.scalars(select(Detection.rule_title)))
        owners = set(session.scalars(select(Detection.owner_org_name)))
    # The last sample event lands at the moment of the replay, the others before it.
    assert latest is not None and clock.as_utc(latest) <= clock.now()
    assert clock.as_utc(latest) >= started - timedelta(hours=1)
    assert len(rules) >= 8  # every starter rule but one has a sample that trips it
    assert None not in owners  # every sample host is in the demo's asset registry
    platform.engine.dispose()
