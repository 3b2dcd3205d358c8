"""Visibility through the API follows the tree (Arts. 51-55): what a list shows and what a
single GET allows agree with ``authority``, and a refusal names its rule."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api, assert_field_problem, assert_problem

ALL_ORGS = {
    "National",
    "Energy",
    "Guangdong",
    "CERT",
    "Shenzhen Power",
    "Shanghai Bank",
    "Shanghai Gas",
}


def _org_names(api: Api, username: str, **params: object) -> set[str]:
    response = api.get(username, "/api/v1/organisations", params=params)
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["total"] == len(page["items"])
    return {org["name_en"] for org in page["items"]}


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("nat-admin", ALL_ORGS),
        ("energy-admin", {"Energy", "Shenzhen Power", "Shanghai Gas"}),  # Art. 52: its sector
        ("gd-admin", {"Guangdong", "Shenzhen Power"}),  # Art. 54: its province (44xxxx)
        ("sz-staff", {"Shenzhen Power"}),  # Art. 55: only itself
        ("cert-analyst", {"CERT"}),
    ],
)
def test_organisation_list_shows_exactly_what_the_actor_sees(
    api: Api, username: str, expected: set[str]
) -> None:
    assert _org_names(api, username) == expected


def test_operator_cannot_open_another_operator(api: Api) -> None:
    response = api.get("sz-staff", f"/api/v1/organisations/{api.world.finance_op_sh.id}")
    body = assert_problem(response, 403, rule="out-of-scope")
    assert (
        body["reason"] == "organisation Shanghai Bank is outside the visibility of Shenzhen Power"
    )


def test_operator_opens_its_own_organisation(api: Api) -> None:
    response = api.get("sz-staff", f"/api/v1/organisations/{api.world.energy_op_gd.id}")
    assert response.status_code == 200
    assert response.json()["is_cii"] is True


def test_sector_department_cannot_open_another_sectors_operator(api: Api) -> None:
    allowed = api.get("energy-admin", f"/api/v1/organisations/{api.world.energy_op_sh.id}")
    assert allowed.status_code == 200
    refused = api.get("energy-admin", f"/api/v1/organisations/{api.world.finance_op_sh.id}")
    assert_problem(refused, 403, rule="out-of-scope")


def test_provincial_department_cannot_open_another_provinces_operator(api: Api) -> None:
    assert api.get("gd-admin", f"/api/v1/organisations/{api.world.energy_op_gd.id}").is_success
    refused = api.get("gd-admin", f"/api/v1/organisations/{api.world.energy_op_sh.id}")
    assert_problem(refused, 403, rule="out-of-scope")


def test_unknown_organisation_is_404(api: Api) -> None:
    response = api.get("nat-admin", "/api/v1/organisations/00000000-0000-0000-0000-000000000000")
    assert_problem(response, 404)


def test_malformed_id_is_422(api: Api) -> None:
    response = api.get("nat-admin", "/api/v1/organisations/bad id!")
    assert_field_problem(response, 422, "org_id", "string_pattern_mismatch")


def test_filters_and_paging(api: Api) -> None:
    assert _org_names(api, "nat-admin", kind="network_operator") == {
        "Shenzhen Power",
        "Shanghai Bank",
        "Shanghai Gas",
    }
    assert _org_names(api, "nat-admin", q="shanghai") == {"Shanghai Bank", "Shanghai Gas"}
    assert _org_names(api, "energy-admin", q="shanghai") == {"Shanghai Gas"}
    first = api.get("nat-admin", "/api/v1/organisations", params={"limit": 2}).json()
    second = api.get("nat-admin", "/api/v1/organisations", params={"limit": 2, "offset": 2}).json()
    assert (first["total"], first["limit"], first["offset"]) == (len(ALL_ORGS), 2, 0)
    assert len(first["items"]) == len(second["items"]) == 2
    assert {o["id"] for o in first["items"]}.isdisjoint(o["id"] for o in second["items"])


@pytest.mark.parametrize(
    ("params", "field", "rule"),
    [
        ({"limit": 501}, "limit", "less_than_equal"),
        ({"limit": 0}, "limit", "greater_than_equal"),
        ({"offset": -1}, "offset", "greater_than_equal"),
        ({"kind": "embassy"}, "kind", "enum"),
        ({"q": "a\x00b"}, "q", "string_pattern_mismatch"),
    ],
)
def test_bad_list_parameters_are_422_naming_field_and_rule(
    api: Api, params: dict[str, object], field: str, rule: str
) -> None:
    response = api.get("nat-admin", "/api/v1/organisations", params=params)
    assert_field_problem(response, 422, field, rule)


def test_children_of_a_visible_organisation(api: Api) -> None:
    response = api.get("energy-admin", f"/api/v1/organisations/{api.world.national.id}/children")
    assert_problem(response, 403, rule="out-of-scope")  # the national coordinator is above it
    children = api.get("nat-admin", f"/api/v1/organisations/{api.world.national.id}/children")
    assert {o["name_en"] for o in children.json()["items"]} == ALL_ORGS - {"National"}


def _usernames(api: Api, username: str, **params: object) -> set[str]:
    response = api.get(username, "/api/v1/users", params=params)
    assert response.status_code == 200, response.text
    return {user["username"] for user in response.json()["items"]}


def test_operator_staff_see_only_their_own_people(api: Api) -> None:
    assert _usernames(api, "sz-staff") == {"sz-admin", "sz-staff"}
    assert _usernames(api, "bank-staff") == {"bank-staff"}


def test_sector_department_sees_its_operators_people(api: Api) -> None:
    assert _usernames(api, "energy-admin") == {"energy-admin", "sz-admin", "sz-staff"}
    assert _usernames(api, "energy-admin", org_id=api.world.energy_op_gd.id) == {
        "sz-admin",
        "sz-staff",
    }
    assert _usernames(api, "nat-admin", q="SZ-") == {"sz-admin", "sz-staff"}


def test_operator_cannot_open_another_operators_person(api: Api) -> None:
    response = api.get("sz-staff", f"/api/v1/users/{api.user_ids['bank-staff']}")
    body = assert_problem(response, 403, rule="out-of-scope")
    assert "bank-staff" in body["reason"]
    own = api.get("sz-staff", f"/api/v1/users/{api.user_ids['sz-admin']}")
    assert own.status_code == 200 and own.json()["roles"] == ["administrator"]


def test_audit_trail_is_limited_to_visible_organisations(api: Api) -> None:
    # bank-staff cannot read the trail at all; an operator's administrator reads only its own.
    assert_problem(api.get("bank-staff", "/api/v1/audit"), 403, rule="no-grant")
    api.sign_in("bank-staff")  # a sign-in at Shanghai Bank, audited against it
    ids = {api.world.energy_op_gd.id}
    for record in api.get("sz-admin", "/api/v1/audit", params={"limit": 500}).json()["items"]:
        assert {record["actor_org_id"], record["target_org_id"]} & ids, record
    everything = api.get("nat-admin", "/api/v1/audit", params={"limit": 500}).json()["items"]
    assert any(r["target_id"] == api.user_ids["bank-staff"] for r in everything)


def test_reference_data_is_for_signed_in_users(api: Api) -> None:
    assert_problem(api.client.get("/api/v1/reference/sectors"), 401)
    sectors = api.get("sz-staff", "/api/v1/reference/sectors").json()
    assert {"code": "energy", "zh": "能源", "en": "Energy"} in sectors["items"]
    regions = api.get("sz-staff", "/api/v1/reference/regions", params={"limit": 500}).json()
    assert {"code": "440000", "zh": "广东省", "en": "Guangdong"} in regions["items"]
    assert regions["total"] == len(regions["items"]) >= 31
    roles = api.get("sz-staff", "/api/v1/reference/roles").json()
    assert {r["code"] for r in roles["items"]} >= {"administrator", "operator_staff", "viewer"}
