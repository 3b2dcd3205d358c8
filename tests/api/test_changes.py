"""Changes through the API go through flows: authorised, audited, and all-or-nothing.

Bad input is a 4xx naming the field and the rule, and leaves every table as it was.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import Api, assert_field_problem, assert_problem


def _operator(api: Api, **overrides: Any) -> dict[str, Any]:
    body = {
        "name_zh": "广州地铁",
        "name_en": "Guangzhou Metro",
        "kind": "network_operator",
        "parent_id": api.world.national.id,
        "sector_code": "transport",
        "region_code": "440100",
        "is_cii": True,
    }
    return {**body, **overrides}


def _person(api: Api, **overrides: Any) -> dict[str, Any]:
    body = {
        "username": "metro-duty",
        "display_name": "Metro duty officer",
        "org_id": api.world.energy_op_gd.id,
        "roles": ["operator_staff"],
        "password": "a-long-enough-password",
    }
    return {**body, **overrides}


def test_creating_an_organisation_and_a_user_is_audited(api: Api) -> None:
    before = api.counts()
    created = api.post("nat-admin", "/api/v1/organisations", json=_operator(api))
    assert created.status_code == 201, created.text
    org = created.json()
    assert created.headers["location"] == f"/api/v1/organisations/{org['id']}"
    assert (org["kind"], org["region_code"], org["is_cii"]) == ("network_operator", "440100", True)

    person = api.post("nat-admin", "/api/v1/users", json=_person(api, org_id=org["id"]))
    assert person.status_code == 201, person.text
    assert person.json()["roles"] == ["operator_staff"]
    assert "password" not in person.json() and "password_hash" not in person.json()

    after = api.counts()
    assert after["organisations"] == before["organisations"] + 1
    assert after["users"] == before["users"] + 1
    trail = api.get("nat-admin", "/api/v1/audit", params={"action": "accounts."}).json()["items"]
    made = {(r["action"], r["target_id"]) for r in trail}
    assert ("accounts.orgs.create", org["id"]) in made
    assert ("accounts.users.create", person.json()["id"]) in made
    [org_record] = [r for r in trail if r["target_id"] == org["id"]]
    assert org_record["actor_label"] == "nat-admin"
    assert org_record["rule"] == "administrators-manage-organisations"
    assert org_record["legal_basis"] == "Art. 51"
    assert org_record["after_digest"]
    # The new operator's own people may sign in and see only their organisation.
    token = api.sign_in("metro-duty", "a-long-enough-password")
    mine = api.client.get("/api/v1/organisations", headers={"Authorization": f"Bearer {token}"})
    assert [o["name_en"] for o in mine.json()["items"]] == ["Guangzhou Metro"]
    verified = api.get("nat-admin", "/api/v1/audit/verify").json()
    assert verified["ok"] is True and verified["checked"] == after["audit"] + 1


def test_audit_filters(api: Api) -> None:
    api.patch("nat-admin", f"/api/v1/organisations/{api.world.cert.id}", json={"name_zh": "中心"})
    filtered = api.get(
        "nat-admin",
        "/api/v1/audit",
        params={"action": "accounts.orgs.update", "actor": "nat-admin", "limit": 1},
    ).json()
    assert filtered["total"] >= 1 and len(filtered["items"]) == 1
    assert filtered["items"][0]["target_type"] == "organisation"
    organisation_only = api.get(
        "nat-admin", "/api/v1/audit", params={"target_type": "organisation", "limit": 500}
    ).json()["items"]
    assert {r["target_type"] for r in organisation_only} == {"organisation"}
    future = api.get(
        "nat-admin", "/api/v1/audit", params={"since": "2999-01-01T00:00:00+00:00"}
    ).json()
    assert future["total"] == 0
    naive = api.get("nat-admin", "/api/v1/audit", params={"since": "2026-01-01T00:00:00"})
    assert_field_problem(naive, 422, "since", "timezone_aware")


def test_updating_an_organisation_records_before_and_after(api: Api) -> None:
    response = api.patch(
        "energy-admin",
        f"/api/v1/organisations/{api.world.energy_op_sh.id}",
        json={"contact_email": "soc@gas.example.cn"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["contact_email"] == "soc@gas.example.cn"
    [record] = api.get(
        "nat-admin",
        "/api/v1/audit",
        params={"action": "accounts.orgs.update", "actor": "energy-admin", "limit": 1},
    ).json()["items"]
    assert record["before_digest"] != record["after_digest"]


def test_profile_update_changes_language(api: Api) -> None:
    response = api.patch("sz-staff", "/api/v1/me", json={"language": "en"})
    assert response.status_code == 200, response.text
    assert response.json()["language"] == "en"
    assert api.get("sz-staff", "/api/v1/me").json()["user"]["language"] == "en"


BAD_ORGANISATIONS = [
    pytest.param(
        {"sector_code": "mining"}, 422, "sector_code", "known-sector", id="unknown-sector"
    ),
    pytest.param({"region_code": None}, 422, "region_code", "region-required", id="no-region"),
    pytest.param({"region_code": "990000"}, 422, "region_code", "gb-t-2260", id="bad-region"),
    pytest.param({"region_code": "44"}, 422, "region_code", "string_pattern_mismatch", id="short"),
    pytest.param({"kind": "embassy"}, 422, "kind", "enum", id="unknown-kind"),
    pytest.param({"colour": "red"}, 422, "colour", "extra_forbidden", id="extra-field"),
    pytest.param({"name_en": ""}, 422, "name_en", "string_too_short", id="empty-name"),
    pytest.param({"name_en": "a\x00b"}, 422, "name_en", "string_pattern_mismatch", id="nul"),
    pytest.param(
        {"kind": "national_coordinator", "parent_id": None, "sector_code": None, "is_cii": False},
        409,
        "parent_id",
        "unique",
        id="second-root",
    ),
]


@pytest.mark.parametrize(("change", "status", "field", "rule"), BAD_ORGANISATIONS)
def test_bad_organisation_is_refused_naming_field_and_rule_and_changes_nothing(
    api: Api, change: dict[str, Any], status: int, field: str, rule: str
) -> None:
    before = api.counts()
    response = api.post("nat-admin", "/api/v1/organisations", json=_operator(api, **change))
    assert_field_problem(response, status, field, rule)
    assert api.counts() == before


BAD_PEOPLE = [
    pytest.param({"password": "short"}, 422, "password", "password-length", id="short-password"),
    pytest.param({"username": "nat-admin"}, 409, "username", "unique", id="duplicate-username"),
    pytest.param({"username": "NAT-Admin"}, 409, "username", "unique", id="duplicate-in-capitals"),
    pytest.param(
        {"username": "a b"}, 422, "username", "string_pattern_mismatch", id="bad-username"
    ),
    pytest.param({"roles": ["overlord"]}, 422, "roles", "known-role", id="unknown-role"),
    pytest.param({"roles": []}, 422, "roles", "too_short", id="no-role"),
    pytest.param({"email": "not-an-email"}, 422, "email", "value_error", id="bad-email"),
    pytest.param({"is_admin": True}, 422, "is_admin", "extra_forbidden", id="extra-field"),
]


@pytest.mark.parametrize(("change", "status", "field", "rule"), BAD_PEOPLE)
def test_bad_user_is_refused_naming_field_and_rule_and_changes_nothing(
    api: Api, change: dict[str, Any], status: int, field: str, rule: str
) -> None:
    before = api.counts()
    response = api.post("nat-admin", "/api/v1/users", json=_person(api, **change))
    assert_field_problem(response, status, field, rule)
    assert api.counts() == before


def test_missing_body_field_is_named(api: Api) -> None:
    body = _person(api)
    del body["display_name"]
    assert_field_problem(
        api.post("nat-admin", "/api/v1/users", json=body), 422, "display_name", "missing"
    )


def test_malformed_json_is_422_not_500(api: Api) -> None:
    response = api.client.post(
        "/api/v1/organisations",
        content=b'{"name_en": ',
        headers={**api.headers("nat-admin"), "Content-Type": "application/json"},
    )
    assert_problem(response, 422)


@pytest.mark.parametrize(
    ("username", "url", "body", "rule"),
    [
        ("energy-admin", "/api/v1/organisations", "finance-operator", "out-of-scope"),
        ("sz-staff", "/api/v1/organisations", "operator", "no-grant"),
        ("nat-viewer", "/api/v1/users", "person", "no-grant"),
        ("sz-admin", "/api/v1/users", "bank-person", "out-of-scope"),
    ],
)
def test_changes_outside_ones_authority_are_refused_and_change_nothing(
    api: Api, username: str, url: str, body: str, rule: str
) -> None:
    bodies = {
        "finance-operator": _operator(api, sector_code="finance", name_en="Not mine"),
        "operator": _operator(api),
        "person": _person(api, username="nobody-made"),
        "bank-person": _person(api, username="bank-intruder", org_id=api.world.finance_op_sh.id),
    }
    before = api.counts()
    assert_problem(api.post(username, url, json=bodies[body]), 403, rule=rule)
    assert api.counts() == before


def test_operator_administrator_cannot_edit_another_operator(api: Api) -> None:
    before = api.counts()
    response = api.patch(
        "sz-admin",
        f"/api/v1/organisations/{api.world.finance_op_sh.id}",
        json={"name_en": "Taken over"},
    )
    assert_problem(response, 403, rule="out-of-scope")
    assert api.counts() == before


def test_wrong_current_password_changes_nothing(api: Api) -> None:
    before = api.counts()
    response = api.patch(
        "nat-viewer",
        "/api/v1/me",
        json={"current_password": "not-it", "new_password": "another-long-password"},
    )
    assert_field_problem(response, 422, "current_password", "current-password")
    assert api.counts() == before
