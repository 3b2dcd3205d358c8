"""A small world with people in it, for incident flows on a rolled-back session."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from fenghuo.accounts import credentials
from fenghuo.accounts.models import Organisation
from fenghuo.authority import Actor, Policy
from fenghuo.settings import Settings
from tests.api.conftest import api, api_database_url  # noqa: F401 - the app, for test_api
from tests.factories.accounts import World, make_user, make_world


@dataclass
class People:
    world: World
    sz_staff: Actor  # operator staff of Shenzhen Power (CII, energy, Guangdong)
    bank_staff: Actor  # operator staff of Shanghai Bank
    gas_staff: Actor  # operator staff of Shanghai Gas
    nat_analyst: Actor
    nat_duty: Actor
    nat_leader: Actor  # approver of the national coordinator
    gd_leader: Actor  # approver of Guangdong
    energy_analyst: Actor
    sz_viewer: Actor


@pytest.fixture
def people(session: Session, policy: Policy) -> People:
    world = make_world(session)

    def actor(org: Organisation, role: str, name: str) -> Actor:
        user = make_user(session, org=org, username=name, roles=[role])
        return credentials.actor_for(user, policy)

    return People(
        world=world,
        sz_staff=actor(world.energy_op_gd, "operator_staff", "sz-staff"),
        bank_staff=actor(world.finance_op_sh, "operator_staff", "bank-staff"),
        gas_staff=actor(world.energy_op_sh, "operator_staff", "gas-staff"),
        nat_analyst=actor(world.national, "analyst", "nat-analyst"),
        nat_duty=actor(world.national, "duty_officer", "nat-duty"),
        nat_leader=actor(world.national, "approver", "nat-leader"),
        gd_leader=actor(world.guangdong, "approver", "gd-leader"),
        energy_analyst=actor(world.energy_dept, "analyst", "energy-analyst"),
        sz_viewer=actor(world.energy_op_gd, "viewer", "sz-viewer"),
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with a small evidence limit (64 KiB), so oversize files stay small."""
    return Settings(
        data_dir=tmp_path / "var",
        secret_key="test-secret-key-not-for-production",
        evidence_max_bytes=64 * 1024,
    )
