"""Reporting deadlines of the national plan against REFERENCE §2.2 (Art. 4) and §2.3 (Art. 8),
each operator type x level, with a frozen clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fenghuo import clock
from fenghuo.errors import Invalid
from fenghuo.plans import loader
from fenghuo.plans.deadlines import DeadlineState, remaining, reporting_deadlines, state_of

PLAN = loader.packaged()
DISCOVERED = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)

# REFERENCE §2.2, written here independently of national.yaml.
FIRST = {"cii": 60, "central_organ": 120, "other": 240}
ESCALATION = {"cii": 30, "central_organ": 60, "other": 60}
FIRST_TO = {
    "cii": ("protection_department", "public_security"),
    "central_organ": ("department_cyber_body",),
    "other": ("provincial_cac",),
}
ESCALATION_BY = {
    "cii": ("protection_department", ("national_cac", "mps")),
    "central_organ": ("department_cyber_body", ("national_cac",)),
    "other": ("provincial_cac", ("national_cac", "same_level_departments")),
}
CELLS = [(kind, level) for kind in FIRST for level in ("I", "II", "III", "IV", None)]


@pytest.mark.parametrize(("operator_type", "level"), CELLS)
def test_each_operator_type_and_level_gives_the_deadlines_of_the_measures(
    operator_type: str, level: str | None
) -> None:
    closed = DISCOVERED + timedelta(days=3)
    found = reporting_deadlines(
        PLAN,
        operator_type=operator_type,
        level=level,
        discovered_at=DISCOVERED,
        handling_closed_at=closed,
    )
    by_kind = {d.kind: d for d in found}
    if level in (None, "IV"):  # Art. 4: relatively major (III) and above are reported
        assert found == []
        return
    expected_kinds = ["first_report", "escalation", "final_report"]
    if level == "III":  # escalation only for major and particularly major
        expected_kinds.remove("escalation")
    assert [d.kind for d in found] == expected_kinds
    first = by_kind["first_report"]
    first_due = DISCOVERED + timedelta(minutes=FIRST[operator_type])
    assert (first.reporter, first.to, first.due_at) == (
        "affected_operator",
        FIRST_TO[operator_type],
        first_due,
    )
    assert "Art. 4" in first.basis and "confirmed" in first.basis
    if "escalation" in by_kind:
        escalation = by_kind["escalation"]
        assert (escalation.reporter, escalation.to) == ESCALATION_BY[operator_type]
        assert escalation.due_at == first_due + timedelta(minutes=ESCALATION[operator_type])
    final = by_kind["final_report"]
    assert final.due_at == closed + timedelta(days=30)
    assert "Art. 8" in final.basis


def test_escalation_runs_from_when_the_department_received_the_report() -> None:
    received = DISCOVERED + timedelta(minutes=20)
    (_, escalation, final) = reporting_deadlines(
        PLAN, operator_type="cii", level="I", discovered_at=DISCOVERED, reported_at=received
    )
    assert escalation.due_at == received + timedelta(minutes=30)
    assert escalation.as_dict()["anchor"] == "reported_at"
    assert final.due_at is None and final.as_dict()["due_at"] is None  # handling still runs


def test_deadline_as_dict_is_json_ready() -> None:
    first = reporting_deadlines(PLAN, operator_type="other", level="III", discovered_at=DISCOVERED)[
        0
    ]
    assert first.as_dict() == {
        "kind": "first_report",
        "reporter": "affected_operator",
        "to": ["provincial_cac"],
        "due_at": "2026-03-01T12:00:00+00:00",
        "after_minutes": 240,
        "anchor": "discovered_at",
        "basis": first.basis,
        "source": "S8, S25",
        "confidence": "confirmed",
    }
    assert "within 4 h of discovery" in first.basis


def test_states_with_a_frozen_clock() -> None:
    due = DISCOVERED + timedelta(hours=1)
    with clock.frozen(DISCOVERED + timedelta(minutes=59)) as move_to:
        assert state_of(due, None) is DeadlineState.pending
        assert remaining(due) == timedelta(minutes=1)
        move_to(due + timedelta(seconds=1))
        assert state_of(due, None) is DeadlineState.overdue
        assert remaining(due) == timedelta(seconds=-1)
    assert state_of(due, due) is DeadlineState.on_time
    assert state_of(due, due + timedelta(seconds=1)) is DeadlineState.late
    assert state_of(None, None) is DeadlineState.pending


@pytest.mark.parametrize(
    ("operator_type", "level", "field"),
    [("bank", "I", "operator_type"), ("cii", "V", "level")],
)
def test_bad_arguments_are_invalid(operator_type: str, level: str, field: str) -> None:
    with pytest.raises(Invalid) as caught:
        reporting_deadlines(
            PLAN, operator_type=operator_type, level=level, discovered_at=DISCOVERED
        )
    assert caught.value.field == field


def test_a_naive_discovery_time_is_refused() -> None:
    with pytest.raises(Invalid) as caught:
        reporting_deadlines(
            PLAN,
            operator_type="cii",
            level="I",
            discovered_at=datetime(2026, 3, 1, 8, 0),  # noqa: DTZ001
        )
    assert caught.value.rule == "aware-time"


def test_response_and_notification_escalation_come_from_the_plan() -> None:
    response = PLAN.response_for("I")
    assert response.lead == "command_hq"
    directives = [t for t in response.tasks if t.directive]
    assert directives and directives[0].owner_role == "affected_operator"
    assert directives[0].title_zh and directives[0].title_en
    assert all(isinstance(t.due_after, timedelta) for t in response.tasks)
    assert PLAN.notification_escalation_after("II") == timedelta(minutes=30)
