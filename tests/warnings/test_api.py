"""The warnings API and the public machine outputs against the whole app on a real database
(SQLite, then PostgreSQL): the lifecycle over HTTP, problem+json errors, public routes."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

from fenghuo.warnings import keys, signing
from tests.api.conftest import Api, assert_field_problem, assert_problem
from tests.factories.accounts import make_user
from tests.warnings.conftest import warning_in

URL = "/api/v1/warnings"


@pytest.fixture(scope="module")
def staff(api: Api) -> Api:
    """An analyst and a leader of Guangdong, signed in."""
    if "w-gd-analyst" not in api.user_ids:
        with api.platform.transaction() as session:
            for username, role in (("w-gd-analyst", "analyst"), ("w-gd-leader", "approver")):
                user = make_user(session, org=api.world.guangdong, username=username, roles=[role])
                api.user_ids[username] = user.id
    return api


def _draft(client: Api, **fields: Any) -> dict[str, Any]:
    body = warning_in(**fields).model_dump(mode="json", exclude_none=True)
    response = client.post("w-gd-analyst", URL, json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    assert response.headers["Location"] == f"{URL}/{created['warning']['id']}"
    return created


def _release(client: Api, **fields: Any) -> str:
    warning_id: str = _draft(client, **fields)["warning"]["id"]
    for who, step in (("w-gd-analyst", "submit"), ("w-gd-leader", "approve")):
        response = client.post(who, f"{URL}/{warning_id}/{step}")
        assert response.status_code == 200, response.text
    response = client.post("w-gd-leader", f"{URL}/{warning_id}/publish")
    assert response.status_code == 200, response.text
    return warning_id


def test_the_lifecycle_over_the_api_and_on_the_public_routes(staff: Api) -> None:
    warning_id = _release(staff, audience="public", title_en="API public warning")
    detail = staff.get("w-gd-analyst", f"{URL}/{warning_id}").json()
    assert detail["warning"]["state"] == "published"
    assert [m["msg_type"] for m in detail["cap_messages"]] == ["Alert"]
    public_cap = staff.client.get(f"/public/warnings/{warning_id}.cap")
    assert public_cap.status_code == 200
    assert public_cap.headers["content-type"].startswith("application/cap+xml")
    trusted = list(keys.trusted(staff.platform.settings))
    assert signing.verify(public_cap.content, trusted).valid
    feed = staff.client.get("/public/warnings.atom")
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("application/atom+xml")
    assert b"API public warning" in feed.content
    etree.fromstring(feed.content)
    as_json = staff.client.get(f"/public/warnings/{warning_id}.json")
    assert as_json.status_code == 200 and as_json.json()["status"] == "active"
    response = staff.post(
        "w-gd-leader",
        f"{URL}/{warning_id}/adjust",
        json={"colour": "yellow", "reason": "fewer attacks"},
    )
    assert response.status_code == 200, response.text
    response = staff.post("w-gd-leader", f"{URL}/{warning_id}/lift", json={"reason": "over"})
    assert response.status_code == 200, response.text
    detail = response.json()
    assert detail["warning"]["state"] == "lifted"
    assert [v["colour"] for v in detail["versions"]] == ["orange", "yellow"]
    assert [m["msg_type"] for m in detail["cap_messages"]] == ["Alert", "Update", "Update"]
    message_id = detail["cap_messages"][-1]["id"]
    stored = staff.get("w-gd-analyst", f"{URL}/{warning_id}/cap/{message_id}")
    assert stored.status_code == 200 and b"AllClear" in stored.content
    assert staff.client.get(f"/public/warnings/{warning_id}.json").json()["status"] == "lifted"


def test_departments_only_and_exercise_warnings_are_404_on_public_routes(staff: Api) -> None:
    hidden = [
        _release(staff, title_en="Departments only over the API"),
        _release(staff, audience="public", exercise=True, title_en="Exercise over the API"),
    ]
    feed = staff.client.get("/public/warnings.atom").content
    for warning_id in hidden:
        for suffix in (".cap", ".json"):
            response = staff.client.get(f"/public/warnings/{warning_id}{suffix}")
            assert response.status_code == 404
            assert b"over the API" not in response.content
        assert warning_id.encode() not in feed
    assert b"over the API" not in feed


def test_a_refusal_names_the_rule_and_the_article(staff: Api) -> None:
    body = warning_in(colour="red").model_dump(mode="json", exclude_none=True)
    response = staff.post("w-gd-analyst", URL, json=body)
    problem = assert_problem(response, 403, rule="warning-issuer-level")
    assert "red" in problem["detail"]
    staff_response = staff.post(
        "sz-staff", URL, json=warning_in().model_dump(mode="json", exclude_none=True)
    )
    assert_problem(staff_response, 403, rule="no-grant")


def test_bad_input_names_the_field_and_the_rule(staff: Api) -> None:
    body = warning_in().model_dump(mode="json", exclude_none=True)
    body["category"] = "not_a_category"
    assert_field_problem(
        staff.post("w-gd-analyst", URL, json=body), 422, "category", "known-category"
    )


def test_an_illegal_move_is_a_conflict_and_changes_nothing(staff: Api) -> None:
    warning_id = _draft(staff)["warning"]["id"]
    response = staff.post("w-gd-leader", f"{URL}/{warning_id}/publish")
    assert_problem(response, 409)
    assert staff.get("w-gd-analyst", f"{URL}/{warning_id}").json()["warning"]["state"] == "draft"


def test_acknowledgements_show_who_has_and_has_not(staff: Api) -> None:
    warning_id = _release(staff)
    reach = staff.get("w-gd-leader", f"{URL}/{warning_id}/acknowledgements")
    assert reach.status_code == 200, reach.text
    pending = {r["org_name"] for r in reach.json()["pending"]}
    assert pending == {"Shenzhen Power"}
