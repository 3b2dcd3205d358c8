"""Who may report, see and override incidents, through the real flows and lists."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from fenghuo.errors import Refused
from fenghuo.incidents import flows, views
from fenghuo.incidents.schemas import LevelOverride
from tests.factories.incidents import report
from tests.incidents.conftest import People


@pytest.fixture
def filed(session: Session, people: People) -> dict[str, str]:
    """One incident each of Shenzhen Power (energy, Guangdong) and Shanghai Bank (finance)."""
    return {
        "sz": report(session, people.sz_staff).reference,
        "bank": report(session, people.bank_staff, reporting_unit="Shanghai Bank").reference,
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("sz_staff", {"sz"}),  # an operator sees its own
        ("bank_staff", {"bank"}),
        ("gas_staff", set()),  # another energy operator sees neither
        ("sz_viewer", {"sz"}),
        ("energy_analyst", {"sz"}),  # the energy department: its sector
        ("gd_leader", {"sz"}),  # Guangdong: operators in its province
        ("nat_duty", {"sz", "bank"}),  # the coordinator: everything
    ],
)
def test_the_board_shows_what_the_actor_may_see(
    session: Session, people: People, filed: dict[str, str], who: str, expected: set[str]
) -> None:
    rows, total = views.board(session=session, actor=getattr(people, who))
    references = {row.reference for row in rows}
    assert references == {filed[name] for name in expected}
    assert total == len(expected)


def test_an_operator_cannot_open_another_operators_incident(
    session: Session, people: People, filed: dict[str, str]
) -> None:
    with pytest.raises(Refused) as refused:
        views.detail(session=session, actor=people.bank_staff, incident_id=filed["sz"])
    assert refused.value.rule == "out-of-scope"
    assert refused.value.reason.endswith("is outside the visibility of Shanghai Bank")


@pytest.mark.parametrize(
    ("who", "org", "rule"),
    [
        ("bank_staff", "energy_op_gd", "out-of-scope"),  # not its own organisation
        ("sz_viewer", "energy_op_gd", "no-grant"),  # viewers do not report
        ("gd_leader", "energy_op_gd", "no-grant"),  # leaders decide, analysts open
        ("energy_analyst", "finance_op_sh", "out-of-scope"),  # outside its sector
    ],
)
def test_who_may_not_report(
    session: Session, people: People, who: str, org: str, rule: str
) -> None:
    with pytest.raises(Refused) as refused:
        report(session, getattr(people, who), org_id=getattr(people.world, org).id)
    assert refused.value.rule == rule


def test_only_leaders_within_their_visibility_override(
    session: Session, people: People, filed: dict[str, str]
) -> None:
    override = LevelOverride(level="I", reason="national significance")
    for who in ("sz_staff", "nat_analyst", "nat_duty"):
        with pytest.raises(Refused) as refused:
            flows.override_level(
                session=session, actor=getattr(people, who), incident_id=filed["sz"],
                override_in=override,
            )  # fmt: skip
        assert refused.value.rule == "no-grant"
    with pytest.raises(Refused) as outside:
        flows.override_level(
            session=session, actor=people.gd_leader, incident_id=filed["bank"],
            override_in=override,
        )  # fmt: skip
    assert outside.value.rule == "out-of-scope"
    done = flows.override_level(
        session=session, actor=people.nat_leader, incident_id=filed["sz"], override_in=override
    )
    assert (done.final_level, done.override_by) == ("I", "nat-leader")
