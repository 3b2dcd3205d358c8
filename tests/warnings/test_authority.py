"""Who may issue, approve, adjust and lift which colour for which scope.

The plan document (``warning_issuers``) is the data; the expectations below are stated
independently, from REFERENCE §1.4 as Fenghuo reads it: red only by the national coordinator;
orange, yellow and blue also by a provincial department for its own region and by a sector
department for its own sector; a professional institution or an operator never. The first
test checks that the shipped plan still says what these expectations assume.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fenghuo.errors import Refused
from fenghuo.plans import service as plan_service
from fenghuo.plans.loader import packaged
from fenghuo.settings import Settings
from fenghuo.warnings import flows, service
from fenghuo.warnings.models import EarlyWarning
from fenghuo.warnings.schemas import WarningUpdate
from tests.warnings.conftest import People, warning_in

PLAN = packaged()
COLOURS = list(PLAN.warning_issuers)
SCOPES: dict[str, dict[str, list[str]]] = {
    "own-province": {"sectors": [], "regions": ["440000"]},
    "city-in-province": {"sectors": ["energy"], "regions": ["440300"]},
    "other-province": {"sectors": [], "regions": ["310000"]},
    "own-sector": {"sectors": ["energy"], "regions": []},
    "other-sector": {"sectors": ["finance"], "regions": []},
    "nationwide": {"sectors": [], "regions": []},
}
# issuer username prefix -> the scopes it may warn (any colour it may issue)
OWN_SCOPES = {
    "nat": set(SCOPES),
    "gd": {"own-province", "city-in-province"},
    "energy": {"own-sector", "city-in-province"},
    "cert": set(),
    "sz": set(),
}
MAY_ISSUE = {  # colour -> issuer prefixes (REFERENCE §1.4)
    "red": {"nat"},
    "orange": {"nat", "gd", "energy"},
    "yellow": {"nat", "gd", "energy"},
    "blue": {"nat", "gd", "energy"},
}
KIND = {
    "nat": "national_coordinator",
    "gd": "provincial_department",
    "energy": "sector_department",
    "cert": "professional_institution",
    "sz": "network_operator",
}


def expected(issuer: str, colour: str, scope: str) -> str | None:
    """The rule that refuses, or None when allowed."""
    if issuer not in MAY_ISSUE[colour]:
        return "warning-issuer-level"
    if scope not in OWN_SCOPES[issuer]:
        return "warning-issuer-scope"
    return None


def test_the_shipped_plan_says_what_these_expectations_assume() -> None:
    for colour, issuers in MAY_ISSUE.items():
        assert set(PLAN.warning_issuers[colour].org_kinds) == {KIND[i] for i in issuers}  # type: ignore[index]


def count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(EarlyWarning)) or 0)


def _issue(session: Session, people: People, settings: Settings, issuer: str, **fields: Any) -> str:
    draft = flows.draft_warning(
        session=session, actor=people[f"{issuer}-analyst"], warning_in=warning_in(**fields)
    )
    flows.submit_warning(session=session, actor=people[f"{issuer}-analyst"], warning_id=draft.id)
    flows.approve_warning(session=session, actor=people[f"{issuer}-leader"], warning_id=draft.id)
    flows.publish_warning(
        session=session, actor=people[f"{issuer}-leader"], settings=settings, warning_id=draft.id
    )
    return draft.id


@pytest.mark.parametrize("scope", list(SCOPES))
@pytest.mark.parametrize("colour", COLOURS)
@pytest.mark.parametrize("issuer", ["nat", "gd", "energy", "cert"])
def test_issuing_and_lifting_follow_the_plan(
    session: Session, people: People, settings: Settings, issuer: str, colour: str, scope: str
) -> None:
    rule = expected(issuer, colour, scope)
    if rule is not None:
        before = count(session)
        with pytest.raises(Refused) as error:
            _issue(session, people, settings, issuer, colour=colour, **SCOPES[scope])
        assert error.value.rule == rule
        assert colour in error.value.reason
        assert error.value.article in {"Art. 51", "Art. 54"}
        assert count(session) == before
        return
    warning_id = _issue(session, people, settings, issuer, colour=colour, **SCOPES[scope])
    flows.lift_warning(
        session=session,
        actor=people[f"{issuer}-leader"],
        settings=settings,
        warning_id=warning_id,
        reason="risk gone",
    )
    assert service.get_or_raise(session=session, warning_id=warning_id).state == "lifted"


@pytest.mark.parametrize("scope", list(SCOPES))
@pytest.mark.parametrize("colour", COLOURS)
@pytest.mark.parametrize("issuer", ["nat", "gd", "energy"])
def test_adjusting_follows_the_plan_for_the_new_colour_and_scope(
    session: Session, people: People, settings: Settings, issuer: str, colour: str, scope: str
) -> None:
    start = "own-province" if issuer in {"nat", "gd"} else "own-sector"
    warning_id = _issue(session, people, settings, issuer, colour="blue", **SCOPES[start])
    changes = WarningUpdate(colour=colour, reason="the situation changed", **SCOPES[scope])
    rule = expected(issuer, colour, scope)
    adjust = {
        "session": session,
        "actor": people[f"{issuer}-leader"],
        "settings": settings,
        "warning_id": warning_id,
        "changes": changes,
    }
    if colour == "blue" and scope == start:
        return  # nothing would change
    if rule is None:
        assert flows.adjust_warning(**adjust).colour == colour
        return
    with pytest.raises(Refused) as error:
        flows.adjust_warning(**adjust)
    assert error.value.rule == rule
    warning = service.get_or_raise(session=session, warning_id=warning_id)
    assert (warning.colour, warning.state, warning.version) == ("blue", "published", 1)


# Each step of a warning's life and the roles the rules grant it to (rules.yaml:
# staff-draft-own-warnings, leaders-release-own-warnings); the colour and scope are the
# plan's and allowed here (an orange warning of the department's own province).
STEP_ROLES = {
    "draft": {"analyst", "duty_officer", "approver"},
    "submit": {"analyst", "duty_officer", "approver"},
    "approve": {"approver"},
    "publish": {"approver"},
    "adjust": {"approver"},
    "lift": {"approver"},
}
ROLE_PEOPLE = {
    "administrator": "gd-admin",
    "analyst": "gd-analyst",
    "approver": "gd-leader",
    "duty_officer": "gd-duty",
    "viewer": "gd-viewer",
}


def _up_to(session: Session, people: People, settings: Settings, step: str) -> str | None:
    """A Guangdong warning brought to just before ``step``, by those allowed (None: draft)."""
    if step == "draft":
        return None
    order = list(STEP_ROLES)
    warning = flows.draft_warning(
        session=session, actor=people["gd-analyst"], warning_in=warning_in(colour="orange")
    )
    leader = {"actor": people["gd-leader"], "warning_id": warning.id}
    done = order[1 : order.index(step)]
    if "submit" in done:
        flows.submit_warning(session=session, actor=people["gd-analyst"], warning_id=warning.id)
    if "approve" in done:
        flows.approve_warning(session=session, **leader)
    if "publish" in done:
        flows.publish_warning(session=session, settings=settings, **leader)
    return warning.id


def _take(
    session: Session,
    people: People,
    settings: Settings,
    step: str,
    who: str,
    warning_id: str | None,
) -> None:
    actor = people[who]
    if step == "draft":
        flows.draft_warning(session=session, actor=actor, warning_in=warning_in(colour="orange"))
        return
    assert warning_id is not None
    if step in {"submit", "approve"}:
        take = flows.submit_warning if step == "submit" else flows.approve_warning
        take(session=session, actor=actor, warning_id=warning_id)
    elif step == "publish":
        flows.publish_warning(
            session=session, actor=actor, settings=settings, warning_id=warning_id
        )
    elif step == "adjust":
        changes = WarningUpdate(colour="yellow", reason="the situation eased")
        flows.adjust_warning(
            session=session, actor=actor, settings=settings, warning_id=warning_id, changes=changes
        )
    else:
        flows.lift_warning(
            session=session, actor=actor, settings=settings, warning_id=warning_id, reason="gone"
        )


@pytest.mark.parametrize("role", list(ROLE_PEOPLE))
@pytest.mark.parametrize("step", list(STEP_ROLES))
def test_each_role_takes_only_the_steps_the_rules_grant_it(
    session: Session, people: People, settings: Settings, step: str, role: str
) -> None:
    warning_id = _up_to(session, people, settings, step)
    if role in STEP_ROLES[step]:
        _take(session, people, settings, step, ROLE_PEOPLE[role], warning_id)
        return
    before = count(session)
    state = (
        service.get_or_raise(session=session, warning_id=warning_id).state if warning_id else None
    )
    with pytest.raises(Refused) as error:
        _take(session, people, settings, step, ROLE_PEOPLE[role], warning_id)
    assert error.value.rule == "no-grant"
    assert count(session) == before
    if warning_id:
        assert service.get_or_raise(session=session, warning_id=warning_id).state == state


def test_an_operator_never_issues_a_warning(session: Session, people: People) -> None:
    with pytest.raises(Refused) as staff:
        flows.draft_warning(session=session, actor=people["sz-staff"], warning_in=warning_in())
    assert staff.value.rule == "no-grant"
    with pytest.raises(Refused) as leader:  # even a leader of an operator
        flows.draft_warning(
            session=session, actor=people["sz-leader"], warning_in=warning_in(colour="blue")
        )
    assert leader.value.rule == "warning-issuer-level"


def test_another_department_cannot_approve_a_submitted_warning(
    session: Session, people: People
) -> None:
    draft = flows.draft_warning(
        session=session, actor=people["gd-analyst"], warning_in=warning_in()
    )
    flows.submit_warning(session=session, actor=people["gd-analyst"], warning_id=draft.id)
    with pytest.raises(Refused) as error:
        flows.approve_warning(session=session, actor=people["energy-leader"], warning_id=draft.id)
    assert error.value.rule == "out-of-scope"
    with pytest.raises(Refused) as analyst:
        flows.approve_warning(session=session, actor=people["gd-analyst"], warning_id=draft.id)
    assert analyst.value.rule == "no-grant"
    assert draft.state == "submitted"


def test_the_national_coordinator_may_release_a_provincial_warning(
    session: Session, people: People, settings: Settings
) -> None:
    draft = flows.draft_warning(
        session=session, actor=people["gd-analyst"], warning_in=warning_in()
    )
    flows.submit_warning(session=session, actor=people["gd-analyst"], warning_id=draft.id)
    flows.approve_warning(session=session, actor=people["nat-leader"], warning_id=draft.id)
    assert draft.state == "approved"


def test_the_issuer_rule_reads_the_active_plan(session: Session, people: People) -> None:
    """A narrower plan version (blue for the coordinator only) refuses a province at once."""
    import yaml

    from fenghuo.plans import flows as plan_flows
    from fenghuo.plans.loader import packaged_text

    document = yaml.safe_load(packaged_text())
    document["warning_issuers"]["blue"]["org_kinds"] = ["national_coordinator"]
    plan_service.active_plan(session)
    plan_flows.import_plan(
        session=session,
        actor=people["nat-admin"],
        yaml_text=yaml.safe_dump(document, allow_unicode=True),
        source_name="narrow.yaml",
    )
    with pytest.raises(Refused) as error:
        flows.draft_warning(
            session=session, actor=people["gd-analyst"], warning_in=warning_in(colour="blue")
        )
    assert error.value.rule == "warning-issuer-level"
