"""The warning life cycle as a hypothesis state machine, run against the real flows.

Each step tries a move whatever the state; the transition table says whether the flow must
accept it or raise ``InvalidTransition``, and a refused move changes nothing: not the state,
not the version, not the CAP messages, not the audit trail.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fenghuo.audit.models import AuditRecord
from fenghuo.errors import InvalidTransition
from fenghuo.settings import Settings
from fenghuo.warnings import flows, service
from fenghuo.warnings.enums import WarningState
from fenghuo.warnings.policy import ALLOWED_TRANSITIONS, IN_FORCE, can_move
from fenghuo.warnings.schemas import WarningUpdate
from tests.warnings.conftest import People, warning_in

FINAL = {WarningState.lifted, WarningState.cancelled}


@pytest.mark.parametrize(
    ("current", "requested"), list(itertools.product(WarningState, WarningState))
)
def test_the_table_is_the_only_way_between_states(current: str, requested: str) -> None:
    allowed = WarningState(requested) in ALLOWED_TRANSITIONS[WarningState(current)]
    assert can_move(current, requested) is allowed
    if current in FINAL:
        assert not allowed
    if requested == "published":  # only an approved warning is published (Art. 51)
        assert allowed is (current == "approved")


class Lifecycle(RuleBasedStateMachine):
    """Moves tried in any order against one warning; class attributes set per test."""

    session: Session
    people: People
    settings: Settings

    def __init__(self) -> None:
        super().__init__()
        self.warning = flows.draft_warning(
            session=self.session, actor=self.people["gd-analyst"], warning_in=warning_in()
        )

    def _snapshot(self) -> tuple[Any, ...]:
        audits = self.session.scalar(select(func.count()).select_from(AuditRecord))
        messages = len(service.cap_messages(self.session, self.warning))
        return (self.warning.state, self.warning.version, self.warning.colour, messages, audits)

    def _try(self, target: str, move: Callable[[], object]) -> None:
        if can_move(self.warning.state, target):
            move()
            assert self.warning.state == target
            return
        before = self._snapshot()
        with pytest.raises(InvalidTransition):
            move()
        assert self._snapshot() == before

    def _call(self, flow: Any, who: str, **kwargs: Any) -> Callable[[], object]:
        return lambda: flow(
            session=self.session, actor=self.people[who], warning_id=self.warning.id, **kwargs
        )

    @rule()
    def submit(self) -> None:
        self._try("submitted", self._call(flows.submit_warning, "gd-analyst"))

    @rule()
    def send_back(self) -> None:
        self._try("draft", self._call(flows.return_warning, "gd-leader", reason="more detail"))

    @rule()
    def approve(self) -> None:
        self._try("approved", self._call(flows.approve_warning, "gd-leader"))

    @rule()
    def publish(self) -> None:
        move = self._call(flows.publish_warning, "gd-leader", settings=self.settings)
        self._try("published", move)

    @rule(colour=st.sampled_from(["orange", "yellow", "blue"]))
    def adjust(self, colour: str) -> None:
        if colour == self.warning.colour:
            colour = "blue" if colour != "blue" else "yellow"
        changes = WarningUpdate(colour=colour, reason="the situation changed")
        move = self._call(
            flows.adjust_warning, "gd-leader", settings=self.settings, changes=changes
        )
        self._try("adjusted", move)

    @rule()
    def lift(self) -> None:
        move = self._call(flows.lift_warning, "gd-leader", settings=self.settings, reason="gone")
        self._try("lifted", move)

    @rule()
    def cancel(self) -> None:
        move = self._call(
            flows.cancel_warning, "gd-leader", settings=self.settings, reason="in error"
        )
        self._try("cancelled", move)

    @invariant()
    def cap_messages_follow_publication(self) -> None:
        messages = service.cap_messages(self.session, self.warning)
        if self.warning.published_at is None:
            assert messages == []
            return
        assert messages[0].msg_type == "Alert"
        if self.warning.state in IN_FORCE:
            assert all(m.msg_type != "Cancel" for m in messages)
        if self.warning.state == "cancelled":
            assert messages[-1].msg_type == "Cancel"
        versions = [v.number for v in service.versions(self.session, self.warning)]
        assert versions == list(range(1, self.warning.version + 1))


def test_the_life_cycle_against_the_flows(
    session: Session, people: People, settings: Settings
) -> None:
    Lifecycle.session, Lifecycle.people, Lifecycle.settings = session, people, settings
    machine_settings = hypothesis_settings(
        max_examples=15,
        stateful_step_count=8,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    run_state_machine_as_test(Lifecycle, settings=machine_settings)
