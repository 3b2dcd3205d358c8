"""Sector submissions (Art. 52): who may submit, who sees what, audit and bus notice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from fenghuo.accounts import credentials
from fenghuo.accounts.models import Organisation
from fenghuo.audit.models import AuditRecord
from fenghuo.authority import Actor, OrgRef, Policy, visibility
from fenghuo.bus.outbox import OutboxMessage
from fenghuo.errors import Invalid, NotFound, Refused
from fenghuo.monitoring import submissions
from fenghuo.monitoring.submissions import SubmissionCreate
from tests.factories.accounts import World, make_user, make_world

REPORT: dict[str, Any] = {
    "title": "Scanning of power dispatch systems",
    "observed": "Repeated scans of port 502 from 203.0.113.0/24.\nThree operators affected.",
    "sectors": ["energy"],
    "regions": ["440300"],
    "operators": ["Shenzhen Power"],
    "period_start": "2026-03-01T00:00:00Z",
    "period_end": "2026-03-02T00:00:00Z",
    "scale": {"operators_affected": 3, "events": 4200},
    "assessment": "Reconnaissance ahead of an attack is likely.",
    "measures": "Block the range at the border; review Modbus exposure.",
    "tlp": "AMBER",
}


def _actor(session: Session, policy: Policy, org: Organisation, role: str, name: str) -> Actor:
    return credentials.actor_for(make_user(session, org=org, username=name, roles=[role]), policy)


def _submit(session: Session, actor: Actor, **changes: Any) -> Any:
    return submissions.submit(
        session=session,
        actor=actor,
        submission_in=SubmissionCreate.model_validate({**REPORT, **changes}),
    )


def test_a_department_submits_and_it_is_audited_and_announced(
    session: Session, policy: Policy
) -> None:
    world = make_world(session)
    analyst = _actor(session, policy, world.energy_dept, "analyst", "en-analyst")
    submission = _submit(session, analyst)
    assert (submission.org_id, submission.submitted_by) == (world.energy_dept.id, "en-analyst")
    assert submission.scale == {"operators_affected": 3, "events": 4200}
    assert submission.created_at is not None
    record = session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc())).first()
    assert record is not None
    assert (record.action, record.target_id) == ("monitoring.submissions.create", submission.id)
    notice = session.scalars(
        select(OutboxMessage).where(OutboxMessage.subject == "monitoring.submission.received")
    ).one()
    assert notice.payload["submission_id"] == submission.id
    assert notice.payload["submitted_by"] == "en-analyst"
    provincial = _actor(session, policy, world.guangdong, "duty_officer", "gd-duty")
    assert _submit(session, provincial, tlp="GREEN").tlp == "GREEN"


def test_operators_and_other_organisations_cannot_submit(session: Session, policy: Policy) -> None:
    world = make_world(session)
    staff = _actor(session, policy, world.energy_op_gd, "operator_staff", "op-staff")
    with pytest.raises(Refused) as refused:
        _submit(session, staff)
    assert refused.value.rule == "no-grant"
    # An operator's administrator has the grant over its own organisation, but is no department.
    operator_admin = _actor(session, policy, world.energy_op_gd, "administrator", "op-admin")
    with pytest.raises(Refused) as refused:
        _submit(session, operator_admin)
    assert (refused.value.rule, refused.value.article) == (
        submissions.SUBMITTER_RULE,
        "Art. 52",
    )
    assert "network operator" in refused.value.reason
    for org, name in ((world.cert, "cert-admin"), (world.national, "nat-admin")):
        with pytest.raises(Refused) as refused:
            _submit(session, _actor(session, policy, org, "administrator", name))
        assert refused.value.rule == submissions.SUBMITTER_RULE
    viewer = _actor(session, policy, world.energy_dept, "viewer", "en-viewer")
    with pytest.raises(Refused) as refused:
        _submit(session, viewer)
    assert refused.value.rule == "no-grant"
    with pytest.raises(Refused):
        _submit(session, Actor.system(policy))  # the CLI is no department's person


def test_the_submitter_policy_is_by_kind() -> None:
    for kind in ("sector_department", "provincial_department"):
        submissions.check_submitter(OrgRef(id="d", kind=kind, path="/n/d/"))
    for kind in ("network_operator", "national_coordinator", "professional_institution"):
        with pytest.raises(Refused):
            submissions.check_submitter(OrgRef(id="o", kind=kind, path="/n/o/"))


def test_a_report_is_checked() -> None:
    with pytest.raises(ValidationError):
        SubmissionCreate.model_validate({**REPORT, "period_end": "2026-02-01T00:00:00Z"})
    with pytest.raises(ValidationError):
        SubmissionCreate.model_validate({**REPORT, "scale": {"events": -1}})
    with pytest.raises(ValidationError):
        SubmissionCreate.model_validate({**REPORT, "tlp": "WHITE"})
    with pytest.raises(ValidationError):
        SubmissionCreate.model_validate({**REPORT, "period_start": "2026-03-01T00:00:00"})
    with pytest.raises(ValidationError):
        SubmissionCreate.model_validate({**REPORT, "period_end": "9999-12-31T23:59:59-05:00"})
    east = SubmissionCreate.model_validate({**REPORT, "period_start": "2026-03-01T08:00:00+08:00"})
    assert east.period_start.utcoffset() == timedelta(0) and east.period_start.hour == 0


def test_unknown_sectors_and_regions_are_invalid(session: Session, policy: Policy) -> None:
    world = make_world(session)
    analyst = _actor(session, policy, world.energy_dept, "analyst", "en-analyst2")
    with pytest.raises(Invalid) as invalid:
        _submit(session, analyst, sectors=["energy", "astrology"])
    assert (invalid.value.field, invalid.value.rule) == ("sectors.1", "known-sector")
    with pytest.raises(Invalid) as invalid:
        _submit(session, analyst, regions=["990000"])
    assert (invalid.value.field, invalid.value.rule) == ("regions.0", "gb-t-2260")


def _seen(session: Session, actor: Actor) -> set[str]:
    found, total = submissions.list_(
        session=session, scope=visibility(actor, submissions.VIEW), limit=100, offset=0
    )
    assert total == len(found)
    return {s.title for s in found}


def test_the_coordinator_sees_all_and_a_department_its_own(
    session: Session, policy: Policy
) -> None:
    world: World = make_world(session)
    energy = _submit(
        session, _actor(session, policy, world.energy_dept, "analyst", "e1"), title="Energy report"
    )
    _submit(
        session,
        _actor(session, policy, world.guangdong, "administrator", "g1"),
        title="Guangdong report",
    )
    national = _actor(session, policy, world.national, "viewer", "n1")
    assert _seen(session, national) == {"Energy report", "Guangdong report"}
    energy_approver = _actor(session, policy, world.energy_dept, "approver", "e2")
    assert _seen(session, energy_approver) == {"Energy report"}
    assert _seen(session, _actor(session, policy, world.guangdong, "viewer", "g2")) == {
        "Guangdong report"
    }
    assert _seen(session, _actor(session, policy, world.cert, "analyst", "c1")) == set()
    got = submissions.get(session=session, actor=national, submission_id=energy.id)
    assert got.organisation.name_en == "Energy"
    with pytest.raises(Refused) as refused:
        submissions.get(
            session=session,
            actor=_actor(session, policy, world.guangdong, "analyst", "g3"),
            submission_id=energy.id,
        )
    assert refused.value.rule == "out-of-scope"
    with pytest.raises(Refused) as refused:
        submissions.get(
            session=session,
            actor=_actor(session, policy, world.energy_op_gd, "operator_staff", "o1"),
            submission_id=energy.id,
        )
    assert refused.value.rule == "no-grant"
    with pytest.raises(NotFound):
        submissions.get(session=session, actor=national, submission_id="nope")
