"""Handling an incident: opened from detections, affected operators and assets, timeline,
tasks owned by authorities, cancellation and merging, and the report form."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.detection.models import Detection
from fenghuo.errors import Invalid, InvalidTransition, Refused
from fenghuo.incidents import handling, service, timeline, views
from fenghuo.incidents.schemas import AffectedIn, CancelIn, TaskCompletion, TimelineIn
from fenghuo.monitoring.models import Asset
from fenghuo.store import new_id
from tests.factories.incidents import report
from tests.incidents.conftest import People


def _detection(session: Session, org_id: str) -> Detection:
    now = clock.now()
    detection = Detection(
        rule_id="rule-1", rule_title="Mimikatz", rule_author="Florian", level="high", tags=[],
        event_id=new_id(), event_time=now, window_start=now, source="sysmon",
        batch_id=new_id(), owner_org_id=org_id, excerpt={},
    )  # fmt: skip
    session.add(detection)
    session.flush()
    return detection


def test_an_analyst_opens_an_incident_from_detections(session: Session, people: People) -> None:
    detection = _detection(session, people.world.energy_op_gd.id)
    incident = report(
        session, people.nat_analyst, org_id=people.world.energy_op_gd.id,
        detection_ids=[detection.id],
    )  # fmt: skip
    assert (incident.origin, incident.detection_ids) == ("detections", [detection.id])
    assert incident.reported_by == "nat-analyst"
    with pytest.raises(Invalid) as unknown:
        report(
            session, people.nat_analyst, org_id=people.world.energy_op_gd.id,
            detection_ids=["no-such-detection"],
        )  # fmt: skip
    assert (unknown.value.field, unknown.value.rule) == ("detection_ids.0", "known-detection")


def test_affected_operators_get_the_active_directives_and_assets_are_linked(
    session: Session, people: People
) -> None:
    incident = report(session, people.sz_staff, impact={"pi_records_citizens": 2_000_000})
    gas = people.world.energy_op_sh
    asset = Asset(org_id=gas.id, kind="cidr", value="10.9.0.0/16", description="SCADA")
    session.add(asset)
    session.flush()
    handling.add_affected(
        session=session, actor=people.nat_duty, incident_id=incident.id,
        affected_in=AffectedIn(org_ids=[gas.id], asset_ids=[asset.id]),
    )  # fmt: skip
    directives = [t for t in service.tasks(session, incident) if t.directive]
    assert {t.owner_org_id for t in directives} == {people.world.energy_op_gd.id, gas.id}
    assert all(t.notification_id for t in directives)
    assert service.affected_asset_ids(session, incident) == [asset.id]
    shown = views.detail(session=session, actor=people.nat_duty, incident_id=incident.id)
    assert [o.name_en for o in shown.affected_operators] == ["Shenzhen Power", "Shanghai Gas"]
    assert {t.owner_org_name for t in shown.tasks if t.directive} == {
        "Shenzhen Power", "Shanghai Gas",
    }  # fmt: skip
    other = Asset(org_id=people.world.finance_op_sh.id, kind="cidr", value="10.8.0.0/16")
    session.add(other)
    session.flush()
    with pytest.raises(Invalid) as wrong:
        handling.add_affected(
            session=session, actor=people.nat_duty, incident_id=incident.id,
            affected_in=AffectedIn(asset_ids=[other.id]),
        )  # fmt: skip
    assert wrong.value.rule == "asset-of-affected-operator"


def test_a_timeline_entry_is_recorded_in_order(session: Session, people: People) -> None:
    incident = report(session, people.sz_staff)
    earlier = clock.now() - timedelta(minutes=10)
    timeline.add_timeline_entry(
        session=session, actor=people.nat_analyst, incident_id=incident.id,
        entry_in=TimelineIn(kind="decision", text="Isolate the billing DB", at=earlier),
    )  # fmt: skip
    entries = service.timeline(session, incident)
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    (mine,) = [e for e in entries if not e.automatic]
    assert (mine.kind, mine.author, mine.text) == (
        "decision",
        "nat-analyst",
        "Isolate the billing DB",
    )
    with pytest.raises(Invalid) as future:
        timeline.add_timeline_entry(
            session=session, actor=people.nat_analyst, incident_id=incident.id,
            entry_in=TimelineIn(kind="event", text="x", at=clock.now() + timedelta(hours=1)),
        )  # fmt: skip
    assert future.value.rule == "not-in-future"
    with pytest.raises(Refused):
        timeline.add_timeline_entry(
            session=session, actor=people.bank_staff, incident_id=incident.id,
            entry_in=TimelineIn(kind="event", text="not mine"),
        )  # fmt: skip


def test_an_authority_task_is_completed_by_its_owner(session: Session, people: People) -> None:
    incident = report(session, people.sz_staff, impact={"pi_records_citizens": 2_000_000})
    (task,) = [t for t in service.tasks(session, incident) if not t.directive]
    # Level III is led by the command body of the province: Guangdong, for Shenzhen.
    assert (task.owner_role, task.owner_org_id) == ("regional_command", people.world.guangdong.id)
    with pytest.raises(Refused) as national:
        handling.complete_task(
            session=session, actor=people.nat_duty, task_id=task.id,
            completion=TaskCompletion(note="done for them"),
        )  # fmt: skip
    assert national.value.rule == "task-completed-by-its-owner"
    handling.complete_task(
        session=session, actor=people.gd_leader, task_id=task.id,
        completion=TaskCompletion(note="Handled under the provincial plan"),
    )  # fmt: skip
    assert task.state == "done"


def test_cancel_and_merge(session: Session, people: People) -> None:
    kept = report(session, people.sz_staff, impact={"pi_records_citizens": 2_000_000})
    duplicate = report(session, people.sz_staff, impact={"pi_records_citizens": 2_000_000})
    with pytest.raises(Invalid) as itself:
        handling.cancel(
            session=session, actor=people.nat_leader, incident_id=kept.id,
            cancel_in=CancelIn(reason="same", merged_into=kept.reference),
        )  # fmt: skip
    assert itself.value.rule == "merge-other"
    handling.cancel(
        session=session, actor=people.nat_leader, incident_id=duplicate.id,
        cancel_in=CancelIn(reason="Reported twice", merged_into=kept.reference),
    )  # fmt: skip
    assert (duplicate.state, duplicate.merged_into_id) == ("cancelled", kept.id)
    assert service.tasks(session, duplicate, open_only=True) == []
    with pytest.raises(InvalidTransition):
        handling.start_recovery(session=session, actor=people.nat_leader, incident_id=duplicate.id)


def test_an_unclassified_incident_waits_for_judgement(session: Session, people: People) -> None:
    incident = report(session, people.bank_staff, impact={"pi_records_citizens": 500})
    assert (incident.state, incident.final_level, incident.computed_level) == (
        "reported", None, None,
    )  # fmt: skip
    assert service.tasks(session, incident) == []
    shown = views.detail(session=session, actor=people.bank_staff, incident_id=incident.reference)
    assert shown.clocks == [] and shown.classification["reasons"] == []


def test_the_report_form_offers_the_plans_choices(session: Session, people: People) -> None:
    form = views.report_form(session=session, actor=people.sz_staff)
    assert form.plan_name == "national"
    assert "data_security" in [c.key for c in form.categories]
    assert (form.default_org_id, form.default_operator_type) == (
        people.world.energy_op_gd.id, "cii",
    )  # fmt: skip
    fields = {f.name: f for f in form.impact_fields}
    assert fields["pi_records_citizens"].kind == "integer"
    assert "super_large" in fields["platform_tier"].choices
    assert views.report_form(session=session, actor=people.nat_analyst).default_org_id is None
