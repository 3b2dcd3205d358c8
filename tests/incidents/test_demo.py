"""The demo incidents: several states and levels with real clocks, one overdue report."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.accounts.enums import OrgKind
from fenghuo.authority import Actor, Policy
from fenghuo.incidents import clocks, service
from fenghuo.incidents.demo import seed_incidents
from tests.factories.accounts import make_org, make_user

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
# key, sector, region, CII: the demo operators the incidents are filed by.
OPERATORS = {
    "szpower": ("energy", "440300", True),
    "zjbank": ("finance", "330000", False),
    "scpower": ("energy", "510000", True),
    "gzmetro": ("transport", "440100", True),
    "cmb": ("finance", "440300", True),
    "aliyun": ("telecom", "330100", False),
}


def _demo_people(session: Session) -> None:
    national = make_org(session, kind=OrgKind.national_coordinator, parent=None, name="CAC")
    make_user(session, org=national, username="duty", roles=["duty_officer"])
    make_user(session, org=national, username="leader", roles=["approver"])
    for key, (sector, region, cii) in OPERATORS.items():
        org = make_org(
            session, kind=OrgKind.network_operator, parent=national, name=key,
            sector=sector, region=region, is_cii=cii,
        )  # fmt: skip
        make_user(session, org=org, username=f"op.{key}", roles=["operator_staff"])


def test_the_demo_holds_incidents_in_several_states_with_one_overdue(
    session: Session, policy: Policy
) -> None:
    system = Actor.system(policy, label="demo")
    assert seed_incidents(session, system, now=NOW) == []  # no demo people: nothing
    _demo_people(session)
    incidents = seed_incidents(session, system, now=NOW)
    with clock.frozen(NOW):
        shown = {
            i.title.split(" / ")[1]: (i.state, i.final_level, clocks.has_overdue(session, i))
            for i in incidents
        }
        states = {
            i.title.split(" / ")[1]: [c.state.value for c in clocks.deadlines_of(session, i)]
            for i in incidents
        }
    assert shown == {
        "Credential stuffing against mobile banking": ("closed", "III", False),
        "Ransomware on the ticketing system": ("recovering", "III", True),
        "Dispatch system outage": ("responding", "I", True),
        "Online banking transfer fraud": ("responding", "III", False),
        "Customer information system data leak": ("responding", "II", False),
        "Misconfigured storage bucket": ("reported", None, False),
    }
    assert states["Ransomware on the ticketing system"] == ["on_time", "overdue"]
    assert states["Online banking transfer fraud"] == ["late", "pending"]
    assert len({i.reference for i in incidents}) == 6
    assert all(service.timeline(session, i) for i in incidents)
    assert seed_incidents(session, system, now=NOW) == []  # once only
