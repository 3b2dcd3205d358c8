"""The demo world as data: the promised organisations and the exact demo logins."""

from __future__ import annotations

from collections import Counter

from fenghuo.accounts import policy as accounts_policy
from fenghuo.accounts.enums import OrgKind
from fenghuo.demo import DEMO_PASSWORD, LOGINS
from fenghuo.demo.world import OPERATORS, ORGANISATIONS, PEOPLE

# Other suites (the browser tests) sign in as these; changing one breaks them.
PROMISED_LOGINS = {
    "admin": ("Cyberspace Administration of China", ("administrator",)),
    "leader": ("Cyberspace Administration of China", ("approver",)),
    "duty": ("Cyberspace Administration of China", ("duty_officer",)),
    "analyst": ("Cyberspace Administration of China", ("analyst",)),
    "viewer": ("Cyberspace Administration of China", ("viewer",)),
    "energy.admin": ("National Energy Administration", ("administrator",)),
    "energy.analyst": ("National Energy Administration", ("analyst",)),
    "gd.admin": ("Guangdong Cyberspace Affairs Office", ("administrator",)),
    "gd.leader": ("Guangdong Cyberspace Affairs Office", ("approver",)),
    "gd.duty": ("Guangdong Cyberspace Affairs Office", ("duty_officer",)),
    "cert.analyst": ("CNCERT/CC (National Internet Emergency Center)", ("analyst",)),
    "council.leader": ("General Office of the State Council", ("approver",)),
    "op.szpower": ("CSG Shenzhen Power Supply Bureau", ("operator_staff",)),
    "op.szpower.admin": ("CSG Shenzhen Power Supply Bureau", ("administrator",)),
    "op.zjbank": ("Zhejiang Rural Commercial United Bank", ("operator_staff",)),
}


def test_the_promised_logins_exist_exactly() -> None:
    by_name = {login.username: login for login in LOGINS}
    for username, (org_name, roles) in PROMISED_LOGINS.items():
        login = by_name[username]
        assert (login.org_name_en, login.roles, login.password) == (org_name, roles, DEMO_PASSWORD)
    assert DEMO_PASSWORD == "fenghuo-demo-2026"


def test_the_tree_has_the_promised_shape() -> None:
    kinds = Counter(org.kind for org in ORGANISATIONS)
    assert kinds == {
        OrgKind.national_coordinator: 1,
        OrgKind.sector_department: 4,
        OrgKind.provincial_department: 3,
        OrgKind.state_council_office: 1,
        OrgKind.professional_institution: 1,
        OrgKind.network_operator: 20,
    }
    sectors = {org.sector for org in ORGANISATIONS if org.kind is OrgKind.sector_department}
    assert sectors == {"energy", "finance", "telecom", "transport"}
    provinces = {org.region for org in ORGANISATIONS if org.kind is OrgKind.provincial_department}
    assert provinces == {"440000", "330000", "510000"}


def test_every_operator_sits_under_its_sector_department() -> None:
    departments = {
        org.key: org.sector for org in ORGANISATIONS if org.kind is OrgKind.sector_department
    }
    for operator in OPERATORS:
        assert departments[operator.parent or ""] == operator.sector, operator.key


def test_operators_spread_over_sectors_and_the_three_provinces_some_cii() -> None:
    assert Counter(op.sector for op in OPERATORS).keys() == {
        "energy", "finance", "telecom", "transport"
    }  # fmt: skip
    assert {(op.region or "")[:2] for op in OPERATORS} == {"44", "33", "51"}
    assert 0 < sum(op.is_cii for op in OPERATORS) < len(OPERATORS)
    szpower = next(op for op in OPERATORS if op.key == "szpower")
    assert (szpower.sector, szpower.region, szpower.is_cii) == ("energy", "440300", True)
    zjbank = next(op for op in OPERATORS if op.key == "zjbank")
    assert (zjbank.sector, zjbank.region) == ("finance", "330000")


def test_every_operator_has_operator_staff() -> None:
    staffed = {p.org for p in PEOPLE if "operator_staff" in p.roles}
    assert staffed == {op.key for op in OPERATORS}
    usernames = [p.username for p in PEOPLE]
    assert len(usernames) == len(set(usernames))


def test_the_demo_password_passes_the_password_rules() -> None:
    for person in PEOPLE:
        accounts_policy.check_password(DEMO_PASSWORD, username=person.username)
