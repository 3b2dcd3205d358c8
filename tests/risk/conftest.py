"""A small world with people and detections, for risk flows on a rolled-back session."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.accounts import credentials
from fenghuo.accounts.models import Organisation
from fenghuo.authority import Actor, Policy
from fenghuo.detection import service as detection_service
from fenghuo.store import new_id
from tests.api.conftest import api, api_database_url  # noqa: F401 - the app, for test_api
from tests.factories.accounts import World, make_user, make_world

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


@dataclass
class People:
    world: World
    sz_staff: Actor  # operator staff of Shenzhen Power (CII, energy, 440300)
    gas_staff: Actor  # operator staff of Shanghai Gas (energy, 310000)
    nat_admin: Actor
    nat_duty: Actor
    gd_admin: Actor
    gd_leader: Actor
    energy_analyst: Actor


@pytest.fixture
def frozen_now() -> Iterator[datetime]:
    with clock.frozen(NOW):
        yield NOW


@pytest.fixture
def people(session: Session, policy: Policy, frozen_now: datetime) -> People:
    world = make_world(session)

    def actor(org: Organisation, role: str, name: str) -> Actor:
        user = make_user(session, org=org, username=name, roles=[role])
        return credentials.actor_for(user, policy)

    return People(
        world=world,
        sz_staff=actor(world.energy_op_gd, "operator_staff", "sz-staff"),
        gas_staff=actor(world.energy_op_sh, "operator_staff", "gas-staff"),
        nat_admin=actor(world.national, "administrator", "nat-admin"),
        nat_duty=actor(world.national, "duty_officer", "nat-duty"),
        gd_admin=actor(world.guangdong, "administrator", "gd-admin"),
        gd_leader=actor(world.guangdong, "approver", "gd-leader"),
        energy_analyst=actor(world.energy_dept, "analyst", "energy-analyst"),
    )


def add_detections(
    session: Session, org: Organisation, *, count: int, at: datetime, level: str = "high"
) -> None:
    """``count`` detections of ``org``'s events at ``at`` (through the detection service)."""
    hour = at.replace(minute=0, second=0, microsecond=0)
    rows: list[dict[str, Any]] = [
        {
            "id": new_id(),
            "rule_id": "risk-test-rule",
            "rule_title": "Suspicious logon burst",
            "rule_author": "Fenghuo tests",
            "level": level,
            "tags": [],
            "status": "new",
            "event_id": new_id(),
            "event_time": at,
            "window_start": hour,
            "host": "ws01",
            "source": "test",
            "batch_id": new_id(),
            "owner_org_id": org.id,
            "owner_org_name": org.name_en,
            "owner_sector": org.sector_code,
            "owner_region": org.region_code,
            "owner_is_cii": org.is_cii,
            "excerpt": {},
            "created_at": at,
        }
        for _ in range(count)
    ]
    detection_service.insert_ignoring_duplicates(session, rows)


def quiet_history(session: Session, org: Organisation, *, per_window: int, days: int = 7) -> None:
    """A steady baseline: ``per_window`` detections in every 6-hour window before now."""
    for window in range(1, days * 4 + 1):
        add_detections(session, org, count=per_window, at=NOW - timedelta(hours=6 * window + 1))
