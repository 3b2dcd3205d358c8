"""Risk refresh, heatmap, recommendations and who sees what, on a real database."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.accounts import flows as accounts_flows
from fenghuo.accounts.schemas import OrganisationUpdate
from fenghuo.audit.models import AuditRecord
from fenghuo.authority import Actor
from fenghuo.bus.outbox import OutboxMessage
from fenghuo.errors import NotFound, Refused
from fenghuo.notification.models import NotificationRecipient
from fenghuo.risk import model, service
from fenghuo.risk.models import RiskRecommendation
from fenghuo.risk.recommendations import COLOUR_RANK
from fenghuo.risk.schemas import Assessment
from fenghuo.warnings import flows as warning_flows
from tests.factories.incidents import report
from tests.risk.conftest import NOW, People, add_detections, quiet_history

CELL = ("energy", "440000")


def _busy(session: Session, people: People) -> None:
    """A major incident (12 M records) and a burst of detections at Shenzhen Power."""
    report(
        session,
        people.sz_staff,
        discovered_at=NOW - timedelta(hours=3),
        impact={"pi_records_citizens": 12_000_000},
    )
    add_detections(session, people.world.energy_op_gd, count=40, at=NOW - timedelta(minutes=20))


def _cell(items: list[Assessment], sector: str, region: str) -> Assessment:
    return next(
        a for a in items if a.scope_kind == "cell" and (a.sector, a.region) == (sector, region)
    )


def test_a_quiet_world_raises_no_alarm_and_no_recommendation(
    session: Session, people: People, system_actor: Actor
) -> None:
    quiet_history(session, people.world.energy_op_gd, per_window=3)
    add_detections(session, people.world.energy_op_gd, count=3, at=NOW - timedelta(minutes=10))
    result = service.refresh(session, system_actor)
    assert result.surges == 0
    assert result.recommendations == []
    cell = _cell(service.latest(session, people.nat_admin), *CELL)
    assert cell.colour is None
    assert cell.surge["detections"]["flagged"] is False
    assert cell.surge["detections"]["baseline"] == 3 * 28


def test_refresh_stores_assessments_flags_the_surge_and_recommends_a_warning(
    session: Session, people: People, system_actor: Actor
) -> None:
    _busy(session, people)
    result = service.refresh(session, system_actor)

    cell = _cell(service.latest(session, people.nat_admin), *CELL)
    assert cell.surge_flagged and cell.surge["detections"]["current"] == 40
    assert cell.degree.level == "II"  # the plan's matrix on 12 M records
    assert cell.scope.operators == 1 and cell.scope.cii_operators == 1
    assert cell.scope.people_exposed is None
    assert cell.evidence["detections_by_level"] == {"high": 40}
    expected, _ = model.colour_for({"risk_score": cell.score}, service.parameters(session))
    assert cell.colour == expected is not None
    assert {f.name for f in cell.factors if f.contribution > 0} >= {
        "exposure", "incidents_II", "detections", "open_incidents"
    }  # fmt: skip

    (rec,) = service.list_recommendations(session, people.nat_duty)
    assert result.recommendations == [rec.id]
    assert (rec.sector, rec.region, rec.colour) == (*CELL, cell.colour)
    assert rec.evidence["incident_ids"] == cell.evidence["incident_ids"] != []
    recipients = set(
        session.scalars(
            select(NotificationRecipient.org_id).where(
                NotificationRecipient.notification_id == rec.notification_id
            )
        )
    )
    assert recipients == {people.world.guangdong.id, people.world.energy_dept.id}

    audit = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "risk.assessments.refresh")
    ).all()
    assert [a.target_id for a in audit] == [result.refresh_id]
    subjects = session.scalars(
        select(OutboxMessage.subject).where(OutboxMessage.subject == service.REFRESHED)
    ).all()
    assert subjects == [service.REFRESHED]

    grid = service.heatmap(session, people.nat_admin)
    hot = [c for c in grid.cells if (c.sector, c.region) == CELL]
    assert hot[0].colour == cell.colour and hot[0].surge
    assert grid.sectors == ["energy", "finance"]
    assert grid.regions == ["310000", "440000"]


def test_a_recommendation_is_made_once_per_scope_per_window(
    session: Session, people: People, system_actor: Actor
) -> None:
    _busy(session, people)
    first = service.refresh(session, system_actor)
    again = service.refresh(session, system_actor, now=NOW + timedelta(hours=1))
    assert len(first.recommendations) == 1
    assert again.recommendations == []
    later = NOW + timedelta(hours=service.parameters(session).recommendation_window_hours)
    add_detections(session, people.world.energy_op_gd, count=40, at=later - timedelta(minutes=5))
    with clock.frozen(later):
        next_window = service.refresh(session, system_actor)
    assert len(next_window.recommendations) == 1
    rows = session.scalars(select(RiskRecommendation)).all()
    assert len({r.window_start for r in rows}) == 2


def test_a_rising_colour_is_recommended_again_within_the_window(
    session: Session, people: People, system_actor: Actor
) -> None:
    _busy(session, people)
    (first_id,) = service.refresh(session, system_actor).recommendations
    first = session.get(RiskRecommendation, first_id)
    assert first is not None
    for impact in ({"people_affected": 12_000_000}, {"pi_records_citizens": 20_000_000}):
        report(session, people.sz_staff, discovered_at=NOW - timedelta(hours=1), impact=impact)
    rising = service.refresh(session, system_actor, now=NOW + timedelta(hours=1))
    (second_id,) = rising.recommendations
    second = session.get(RiskRecommendation, second_id)
    assert second is not None and second.window_start == first.window_start
    assert COLOUR_RANK[second.colour] > COLOUR_RANK[first.colour]
    # The same colour again, or a lower one, in the same window: nothing new.
    steady = service.refresh(session, system_actor, now=NOW + timedelta(hours=2))
    assert steady.recommendations == []


def test_a_recommendation_turns_into_a_warning_draft(
    session: Session, people: People, system_actor: Actor
) -> None:
    _busy(session, people)
    (rec_id,) = service.refresh(session, system_actor).recommendations
    values = service.recommendation_to_draft(session, people.nat_duty, rec_id)
    assert values.recommendation_id == rec_id
    assert values.sectors == ["energy"] and values.regions == ["440000"]
    assert values.measures_zh and values.measures_en
    warning = warning_flows.draft_warning(session=session, actor=people.nat_duty, warning_in=values)
    assert warning.recommendation_id == rec_id


def test_each_actor_sees_only_the_risk_within_its_visibility(
    session: Session, people: People, system_actor: Actor
) -> None:
    _busy(session, people)
    service.refresh(session, system_actor)
    everything = service.latest(session, people.nat_admin)
    energy = service.latest(session, people.energy_analyst)
    guangdong = service.latest(session, people.gd_leader)
    own = service.latest(session, people.sz_staff)

    assert {a.sector for a in energy} == {"energy"}
    assert {a.region for a in guangdong} == {"440000"}
    assert [(a.scope_kind, a.org_id) for a in own] == [("operator", people.world.energy_op_gd.id)]
    assert len(everything) > len(energy) > 0
    assert service.assess(session, people.sz_staff)[0].org_id == people.world.energy_op_gd.id

    (rec,) = service.list_recommendations(session, people.gd_leader)
    with pytest.raises(Refused) as refused:
        service.get_recommendation(session, people.sz_staff, rec.id)
    assert refused.value.rule == "no-grant"
    shanghai = _shanghai_actor(session, people)
    with pytest.raises(NotFound):
        service.get_recommendation(session, shanghai, rec.id)


def _shanghai_actor(session: Session, people: People) -> Actor:
    from fenghuo.accounts import credentials
    from fenghuo.accounts.enums import OrgKind
    from tests.factories.accounts import make_org, make_user

    shanghai = make_org(session, kind=OrgKind.provincial_department,
                        parent=people.world.national, name="Shanghai", region="310000")  # fmt: skip
    user = make_user(session, org=shanghai, username="sh-leader", roles=["approver"])
    return credentials.actor_for(user, people.nat_admin.policy)


def test_only_the_coordinator_refreshes(session: Session, people: People) -> None:
    with pytest.raises(Refused) as provincial:
        service.refresh(session, people.gd_admin)
    assert provincial.value.rule == service.REFRESH_RULE
    with pytest.raises(Refused) as operator:
        service.refresh(session, people.sz_staff)
    assert operator.value.rule == "no-grant"
    assert service.refresh(session, people.nat_admin).assessments > 0


def test_assess_computes_without_storing(
    session: Session, people: People, frozen_now: datetime
) -> None:
    _busy(session, people)
    computed = service.assess(session, people.nat_admin)
    assert _cell(computed, *CELL).computed_at == frozen_now
    assert service.latest(session, people.nat_admin) == []
    again = service.assess(session, people.nat_admin)
    assert [a.model_dump() for a in again] == [a.model_dump() for a in computed]


def test_the_trend_of_a_cell_lists_its_stored_scores_oldest_first(
    session: Session, people: People, system_actor: Actor
) -> None:
    _busy(session, people)
    service.refresh(session, system_actor, now=NOW - timedelta(hours=2))
    service.refresh(session, system_actor)
    points = service.trend(session, people.gd_leader, sector="energy", region="440000")
    assert [at for at, _ in points] == [NOW - timedelta(hours=2), NOW]
    assert points[1][1] > points[0][1]  # the burst of detections came in between
    assert service.trend(session, people.gd_leader, sector="energy", region="310000") == []


def test_the_competent_authority_follows_the_plans_warning_issuers(
    session: Session, people: People
) -> None:
    from fenghuo.plans import service as plan_service
    from fenghuo.risk.recommendations import competent_authorities

    document = plan_service.active_plan(session).document
    world = people.world
    assert competent_authorities(session, document, "red", "energy", "440000") == [
        world.national.id
    ]
    assert competent_authorities(session, document, "orange", "energy", "440000") == [
        world.guangdong.id,
        world.energy_dept.id,
    ]
    # No department for finance nor for Shanghai: the coordinator.
    assert competent_authorities(session, document, "blue", "finance", "310000") == [
        world.national.id
    ]


def test_a_burst_of_sector_submissions_is_a_reports_surge(
    session: Session, people: People, system_actor: Actor
) -> None:
    from fenghuo.monitoring import submissions
    from fenghuo.monitoring.submissions import SubmissionCreate

    for n in range(8):
        submissions.submit(
            session=session,
            actor=people.energy_analyst,
            submission_in=SubmissionCreate(
                title=f"Phishing wave {n}",
                observed="Spear-phishing against grid dispatch staff",
                sectors=["energy"],
                regions=["440000"],
                period_start=NOW - timedelta(hours=2),
                period_end=NOW - timedelta(hours=1),
            ),
        )
    service.refresh(session, system_actor)
    cell = _cell(service.latest(session, people.nat_admin), *CELL)
    assert cell.surge["reports"]["current"] == 8
    assert cell.surge["reports"]["flagged"] is True
    assert len(cell.evidence["submission_ids"]) == 8
    assert next(f for f in cell.factors if f.name == "submissions").contribution > 0
    shanghai = _cell(service.latest(session, people.nat_admin), "energy", "310000")
    assert shanghai.surge["reports"]["current"] == 0


def test_the_scope_counts_the_people_the_operators_in_it_serve(
    session: Session, people: People, system_actor: Actor
) -> None:
    accounts_flows.update_organisation(
        session=session,
        actor=people.nat_admin,
        org_id=people.world.energy_op_gd.id,
        org_in=OrganisationUpdate(people_served=17_000_000),
    )
    report(session, people.sz_staff, impact={"people_affected": 250_000})
    service.refresh(session, system_actor)
    cell = _cell(service.latest(session, people.nat_admin), *CELL)
    assert cell.scope.people_exposed == 17_000_000
    assert cell.scope.operators_without_people == 0
    assert cell.scope.people_affected_reported == 250_000
    shanghai = _cell(service.latest(session, people.nat_admin), "energy", "310000")
    assert shanghai.scope.people_exposed is None  # nobody there declared it
    assert shanghai.scope.operators_without_people == shanghai.scope.operators == 1
