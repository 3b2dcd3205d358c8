"""Drafts from incidents, and the demo warnings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.accounts.enums import OrgKind
from fenghuo.authority import Actor
from fenghuo.errors import Refused
from fenghuo.settings import Settings
from fenghuo.warnings import drafting, public, service
from fenghuo.warnings.demo import seed_warnings
from tests.factories.accounts import make_org, make_user
from tests.factories.incidents import report
from tests.warnings.conftest import People


def test_a_draft_from_an_incident_is_prefilled_from_it(session: Session, people: People) -> None:
    incident = report(
        session, people["sz-staff"], impact={"pi_records_citizens": 12_000_000}
    )  # level II (major) by the plan's matrix
    warning = drafting.draft_from_incident(
        session=session, actor=people["gd-analyst"], incident_id=incident.id
    )
    assert warning.state == "draft"
    assert warning.colour == "orange"
    assert warning.category == "data_security"
    assert (warning.sectors, warning.regions) == (["energy"], ["440300"])
    assert warning.incident_id == incident.id
    assert incident.reference in warning.description_en
    assert warning.audience == "departments" and warning.tlp == "AMBER"
    found = service.for_incident(
        session=session, actor=people["gd-leader"], incident_id=incident.id
    )
    assert [w.id for w in found] == [warning.id]
    assert (
        service.for_incident(session=session, actor=people["sz-staff"], incident_id=incident.id)
        == []
    )


def test_an_incident_outside_the_drafters_visibility_is_refused(
    session: Session, people: People
) -> None:
    incident = report(session, people["gas-staff"], reporting_unit="Shanghai Gas")
    with pytest.raises(Refused) as error:
        drafting.draft_from_incident(
            session=session, actor=people["gd-analyst"], incident_id=incident.id
        )
    assert error.value.rule == "out-of-scope"
    assert service.list_(session=session, actor=people["gd-analyst"])[1] == 0


def test_the_demo_shows_an_active_public_warning_and_a_lifted_one(
    session: Session, system_actor: Actor, settings: Settings
) -> None:
    national = make_org(session, kind=OrgKind.national_coordinator, parent=None, name="CAC")
    gd = make_org(
        session, kind=OrgKind.provincial_department, parent=national, name="GD", region="440000"
    )
    make_org(
        session, kind=OrgKind.network_operator, parent=national, name="SZ Power",
        sector="energy", region="440300",
    )  # fmt: skip
    for org, username, role in (
        (gd, "gd.duty", "duty_officer"),
        (gd, "gd.leader", "approver"),
        (national, "analyst", "analyst"),
        (national, "leader", "approver"),
    ):
        make_user(session, org=org, username=username, roles=[role])
    now = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    with clock.frozen(now):
        made = seed_warnings(session, system_actor, settings=settings, now=now)
        assert [w.state for w in made] == ["published", "lifted"]
        assert [w.id for w in public.public_active(session)] == [made[0].id]
        assert {w.id for w in public.public_archive(session)[0]} == {w.id for w in made}
        assert seed_warnings(session, system_actor, settings=settings, now=now) == []
    assert made[0].notification_ids  # Shenzhen Power was told
