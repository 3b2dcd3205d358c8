"""The demo world, refreshed once, shows an elevated energy x Guangdong and a recommendation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.accounts.models import Organisation
from fenghuo.authority import Actor
from fenghuo.demo.seed import seed
from fenghuo.risk import service
from fenghuo.risk.demo import seed_risk
from tests.risk.conftest import add_detections

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def test_the_demo_shows_an_elevated_cell_and_a_pending_recommendation(
    session: Session, system_actor: Actor
) -> None:
    with clock.frozen(NOW):
        seed(session, system_actor)  # refreshes the risk once, from the demo incidents
        # The demo incidents alone already raise a recommendation.
        assert service.list_recommendations(session, system_actor, status="pending")
        # What the replay adds a few seconds after `fenghuo run`: Shenzhen Power's detections.
        szpower = session.scalars(
            select(Organisation).where(Organisation.name_en.like("%Shenzhen Power%"))
        ).one()
        add_detections(session, szpower, count=25, at=NOW - timedelta(minutes=30))
        result = seed_risk(session, system_actor)
    grid = service.heatmap(session, system_actor)
    elevated = {(c.sector, c.region) for c in grid.cells if c.colour}
    assert ("energy", "440000") in elevated
    assert result.recommendations
    pending = service.list_recommendations(session, system_actor, status="pending")
    assert ("energy", "440000") in {(r.sector, r.region) for r in pending}
