"""The incident life cycle as a hypothesis state machine, run against the real flows.

Each step tries a move whatever the state; the model (the transition table plus "closing
needs the final report") says whether the flow must accept or refuse it, and invariants
are checked after every step: the final level is the override or the computed level, the
open tasks belong to the activated level, and ended incidents never change again.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy.orm import Session

from fenghuo.errors import InvalidTransition
from fenghuo.incidents import closure, flows, handling, service
from fenghuo.incidents.enums import IncidentState
from fenghuo.incidents.policy import ALLOWED_TRANSITIONS, OPEN_STATES, can_move
from fenghuo.incidents.schemas import CancelIn, FinalReportIn, IncidentUpdate, LevelOverride
from tests.factories.incidents import report
from tests.incidents.conftest import People

FINAL = FinalReportIn(
    cause="c", measures="m", harm="h", accountability="a", rectification="r", lessons="l"
)
PI_RECORDS = st.sampled_from([500, 1_000_000, 10_000_000, 100_000_000])


@pytest.mark.parametrize(
    ("current", "requested"), list(itertools.product(IncidentState, IncidentState))
)
def test_the_table_is_the_only_way_between_states(current: str, requested: str) -> None:
    allowed = IncidentState(requested) in ALLOWED_TRANSITIONS[IncidentState(current)]
    assert can_move(current, requested) is allowed
    if current in {"closed", "cancelled"}:
        assert not allowed


class Lifecycle(RuleBasedStateMachine):
    """Moves tried in any order against one incident; ``session``/``people`` set per test."""

    session: Session
    people: People

    def __init__(self) -> None:
        super().__init__()
        self.incident = report(
            self.session, self.people.sz_staff, impact={"pi_records_citizens": 500}
        )
        self.final_made = False

    def _try(self, allowed: bool, move: Any) -> None:
        before = self.incident.state
        if allowed:
            move()
        else:
            with pytest.raises(InvalidTransition):
                move()
            assert self.incident.state == before

    @rule(records=PI_RECORDS)
    def update(self, records: int) -> None:
        self._try(
            self.incident.state in OPEN_STATES,
            lambda: flows.update_report(
                session=self.session, actor=self.people.sz_staff, incident_id=self.incident.id,
                update_in=IncidentUpdate(impact={"pi_records_citizens": records}),
            ),
        )  # fmt: skip

    @rule(level=st.sampled_from(["I", "II", "III", "IV"]))
    def override(self, level: str) -> None:
        self._try(
            self.incident.state in OPEN_STATES,
            lambda: flows.override_level(
                session=self.session, actor=self.people.nat_leader, incident_id=self.incident.id,
                override_in=LevelOverride(level=level, reason="judged"),
            ),
        )  # fmt: skip

    @rule()
    def recover(self) -> None:
        self._try(
            can_move(self.incident.state, "recovering"),
            lambda: handling.start_recovery(
                session=self.session, actor=self.people.nat_duty, incident_id=self.incident.id
            ),
        )

    @rule()
    def final_report(self) -> None:
        allowed = self.incident.state == "recovering"
        self._try(
            allowed,
            lambda: closure.submit_final_report(
                session=self.session, actor=self.people.sz_staff, incident_id=self.incident.id,
                report_in=FINAL,
            ),
        )  # fmt: skip
        self.final_made = self.final_made or allowed

    @rule()
    def close(self) -> None:
        self._try(
            can_move(self.incident.state, "closed") and self.final_made,
            lambda: closure.close(
                session=self.session, actor=self.people.nat_leader, incident_id=self.incident.id
            ),
        )

    @rule()
    def cancel(self) -> None:
        self._try(
            can_move(self.incident.state, "cancelled"),
            lambda: handling.cancel(
                session=self.session, actor=self.people.nat_leader, incident_id=self.incident.id,
                cancel_in=CancelIn(reason="false report"),
            ),
        )  # fmt: skip

    @invariant()
    def levels_are_consistent(self) -> None:
        incident = self.incident
        if incident.override_level or incident.computed_level:
            assert incident.final_level == (incident.override_level or incident.computed_level)
        open_levels = {t.level for t in service.tasks(self.session, incident, open_only=True)}
        if incident.state in {"classified", "responding"}:
            assert incident.activated_level == incident.final_level
            assert open_levels <= {incident.final_level}
        if incident.state == "cancelled":
            assert open_levels == set()
        if incident.state == "closed":
            assert incident.closed_at is not None and self.final_made


def test_the_life_cycle_against_the_flows(session: Session, people: People) -> None:
    Lifecycle.session, Lifecycle.people = session, people
    run_state_machine_as_test(
        Lifecycle,
        settings=settings(
            max_examples=20,
            stateful_step_count=8,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
