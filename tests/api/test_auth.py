"""Bearer tokens: the OAuth2 password flow, lockout, sign-out, expiry and scoped API tokens."""

from __future__ import annotations

from datetime import timedelta

from fenghuo import clock
from tests.api.conftest import Api, assert_field_problem, assert_problem

TOKEN_URL = "/api/v1/auth/token"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_password_flow_gives_a_bearer_token_that_works(api: Api) -> None:
    response = api.client.post(
        TOKEN_URL,
        data={"grant_type": "password", "username": "nat-viewer", "password": "test-password-2026"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == api.platform.settings.access_token_minutes * 60
    assert body["access_token"].startswith("fha_")
    me = api.client.get("/api/v1/me", headers=_bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.json()["user"]["username"] == "nat-viewer"
    assert me.json()["roles"] == ["viewer"]
    assert me.json()["organisation"]["kind"] == "national_coordinator"


def test_wrong_password_is_401_naming_the_rule(api: Api) -> None:
    response = api.client.post(TOKEN_URL, data={"username": "nat-viewer", "password": "nope"})
    assert_problem(response, 401, rule="credentials", detail="wrong username or password")
    assert response.headers["www-authenticate"] == "Bearer"


def test_unknown_user_is_the_same_401(api: Api) -> None:
    response = api.client.post(TOKEN_URL, data={"username": "nobody", "password": "whatever"})
    assert_problem(response, 401, rule="credentials", detail="wrong username or password")


def test_missing_password_is_422_naming_the_field(api: Api) -> None:
    response = api.client.post(TOKEN_URL, data={"username": "nat-viewer"})
    assert_field_problem(response, 422, "password", "missing")


def test_account_locks_after_repeated_failures_and_the_lock_is_committed(api: Api) -> None:
    attempts = api.platform.settings.max_failed_logins
    api_user = "cert-analyst"
    for n in range(1, attempts + 1):
        response = api.client.post(TOKEN_URL, data={"username": api_user, "password": "wrong!"})
        assert_problem(response, 401, rule="credentials")
        assert api.user(api_user).failed_logins == n  # each failure was committed
    user = api.user(api_user)
    assert user.locked_until is not None and user.locked_until > clock.now()
    # Now even the right password is refused, with the rule that says why.
    right = api.client.post(
        TOKEN_URL, data={"username": api_user, "password": "test-password-2026"}
    )
    body = assert_problem(right, 401, rule="account-locked")
    assert "locked until" in body["detail"]
    failures = api.get("nat-admin", "/api/v1/audit", params={"action": "accounts.session.login_"})
    kinds = [r["action"] for r in failures.json()["items"] if r["target_id"] == user.id]
    assert kinds.count("accounts.session.login_failed") == attempts
    assert "accounts.session.login_refused" in kinds
    # When the lock has run out, the right password works again.
    later = clock.now() + timedelta(minutes=api.platform.settings.lockout_minutes + 1)
    with clock.frozen(later):
        again = api.client.post(
            TOKEN_URL, data={"username": api_user, "password": "test-password-2026"}
        )
    assert again.status_code == 200, again.text


def test_logout_revokes_the_access_token(api: Api) -> None:
    token = api.sign_in("nat-viewer")
    assert api.client.get("/api/v1/me", headers=_bearer(token)).status_code == 200
    out = api.client.post("/api/v1/auth/logout", headers=_bearer(token))
    assert out.status_code == 204
    after = api.client.get("/api/v1/me", headers=_bearer(token))
    assert_problem(after, 401, detail="the bearer token is unknown, expired or revoked")


def test_access_token_expires(api: Api) -> None:
    token = api.sign_in("nat-viewer")
    later = clock.now() + timedelta(minutes=api.platform.settings.access_token_minutes, seconds=1)
    with clock.frozen(later):
        response = api.client.get("/api/v1/me", headers=_bearer(token))
    assert_problem(response, 401)


def test_no_token_and_a_forged_token_are_401(api: Api) -> None:
    assert_problem(api.client.get("/api/v1/organisations"), 401)
    forged = api.client.get("/api/v1/organisations", headers=_bearer("fha_forged"))
    assert_problem(forged, 401)


def test_api_token_is_shown_once_and_listed_without_its_secret(api: Api) -> None:
    created = api.post("nat-viewer", "/api/v1/tokens", json={"name": "reporting"})
    assert created.status_code == 201, created.text
    issued = created.json()
    assert issued["token"].startswith("fht_")
    listed = api.get("nat-viewer", "/api/v1/tokens").json()
    [mine] = [t for t in listed["items"] if t["id"] == issued["id"]]
    assert "token" not in mine and mine["prefix"] == issued["token"][:10]
    assert api.client.get("/api/v1/me", headers=_bearer(issued["token"])).status_code == 200


def test_scoped_api_token_is_refused_other_actions(api: Api) -> None:
    created = api.post(
        "nat-admin", "/api/v1/tokens", json={"name": "read-only", "scopes": ["accounts.orgs.view"]}
    )
    assert created.status_code == 201, created.text
    scoped = _bearer(created.json()["token"])
    assert api.client.get("/api/v1/organisations", headers=scoped).status_code == 200
    new_org = {
        "name_zh": "不应创建",
        "name_en": "Must not exist",
        "kind": "professional_institution",
        "parent_id": api.world.national.id,
    }
    before = api.counts()
    refused = api.client.post("/api/v1/organisations", headers=scoped, json=new_org)
    body = assert_problem(refused, 403, rule="token-scope")
    assert "accounts.orgs.create" in body["reason"]
    assert_problem(api.client.get("/api/v1/audit", headers=scoped), 403, rule="token-scope")
    assert_problem(api.client.get("/api/v1/tokens", headers=scoped), 403, rule="token-scope")
    assert api.counts() == before


def test_unknown_scope_is_422_naming_the_field(api: Api) -> None:
    response = api.post("nat-viewer", "/api/v1/tokens", json={"name": "x", "scopes": ["nope.x"]})
    assert_field_problem(response, 422, "scopes", "known-action")


def test_revoked_api_token_is_401(api: Api) -> None:
    issued = api.post("nat-viewer", "/api/v1/tokens", json={"name": "short-lived"}).json()
    assert api.delete("nat-viewer", f"/api/v1/tokens/{issued['id']}").status_code == 204
    response = api.client.get("/api/v1/me", headers=_bearer(issued["token"]))
    assert_problem(response, 401)
    listed = api.get("nat-viewer", "/api/v1/tokens").json()["items"]
    assert [t["revoked_at"] for t in listed if t["id"] == issued["id"]] != [None]


def test_someone_elses_api_token_cannot_be_revoked(api: Api) -> None:
    issued = api.post("nat-viewer", "/api/v1/tokens", json={"name": "mine"}).json()
    response = api.delete("nat-admin", f"/api/v1/tokens/{issued['id']}")
    assert_problem(response, 403, rule="out-of-scope")


def test_logout_with_an_api_token_is_refused(api: Api) -> None:
    issued = api.post("nat-viewer", "/api/v1/tokens", json={"name": "not-a-session"}).json()
    response = api.client.post("/api/v1/auth/logout", headers=_bearer(issued["token"]))
    assert_field_problem(response, 422, "Authorization", "access-token-only")
    assert api.client.get("/api/v1/me", headers=_bearer(issued["token"])).status_code == 200
