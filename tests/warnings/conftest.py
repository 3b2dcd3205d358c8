"""A world with people who draft, approve and read warnings, on a rolled-back session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.accounts import credentials
from fenghuo.authority import Actor, Policy
from fenghuo.settings import Settings
from fenghuo.warnings.schemas import WarningCreate
from tests.api.conftest import api, api_database_url  # noqa: F401 - the app, for test_api
from tests.cli.conftest import data_dir, fenghuo, migrated  # noqa: F401 - for test_cli
from tests.factories.accounts import World, make_user, make_world

# username -> (organisation attribute of the world, role)
PEOPLE: dict[str, tuple[str, str]] = {
    "nat-analyst": ("national", "analyst"),
    "nat-leader": ("national", "approver"),
    "nat-admin": ("national", "administrator"),
    "gd-analyst": ("guangdong", "analyst"),
    "gd-leader": ("guangdong", "approver"),
    "gd-admin": ("guangdong", "administrator"),
    "gd-duty": ("guangdong", "duty_officer"),
    "gd-viewer": ("guangdong", "viewer"),
    "energy-analyst": ("energy_dept", "analyst"),
    "energy-leader": ("energy_dept", "approver"),
    "cert-analyst": ("cert", "analyst"),
    "cert-leader": ("cert", "approver"),
    "sz-staff": ("energy_op_gd", "operator_staff"),
    "sz-leader": ("energy_op_gd", "approver"),
    "gas-staff": ("energy_op_sh", "operator_staff"),
    "bank-staff": ("finance_op_sh", "operator_staff"),
}


@dataclass
class People:
    world: World
    actors: dict[str, Actor]

    def __getitem__(self, username: str) -> Actor:
        return self.actors[username]


@pytest.fixture
def people(session: Session, policy: Policy) -> People:
    world = make_world(session)
    actors = {
        name: credentials.actor_for(
            make_user(session, org=getattr(world, org), username=name, roles=[role]), policy
        )
        for name, (org, role) in PEOPLE.items()
    }
    return People(world=world, actors=actors)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "var",
        secret_key="test-secret-key-not-for-production",
        public_url="https://fenghuo.example.cn",
        # ECDSA keys are generated in milliseconds; RSA and SM2 have their own tests.
        warning_signature="xmldsig-ecdsa",
    )


def warning_in(**overrides: Any) -> WarningCreate:
    """A valid orange draft for Guangdong's energy operators; override what a test is about."""
    fields: dict[str, Any] = {
        "colour": "orange",
        "category": "malware",
        "title_zh": "勒索软件攻击电力企业",
        "title_en": "Ransomware targeting power companies",
        "description_zh": "监测发现针对电力企业的勒索软件攻击活动。",
        "description_en": "Ransomware attacks on power companies have been observed.",
        "measures_zh": "及时修补漏洞，离线备份关键数据。",
        "measures_en": "Patch exposed systems and keep offline backups.",
        "sectors": ["energy"],
        "regions": ["440000"],
        "expires_at": clock.now() + timedelta(days=7),
    }
    fields.update(overrides)
    return WarningCreate.model_validate(fields)
