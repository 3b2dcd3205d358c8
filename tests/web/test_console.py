"""The console through a TestClient: sign-in, CSRF, authority, forms, and the audit trail."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import select

from fenghuo import clock
from fenghuo.accounts.models import Credential, Organisation, User
from fenghuo.api.app import create_app
from fenghuo.platform import Platform
from tests.web.conftest import DEMO_PASSWORD, csrf_of, demo_platform, sign_in

ZJBANK = "浙江农商联合银行"


def org_id(platform: Platform, name_zh: str) -> str:
    with platform.transaction() as session:
        found = session.scalar(select(Organisation.id).where(Organisation.name_zh == name_zh))
    assert found
    return found


def user_of(platform: Platform, username: str) -> User:
    with platform.transaction() as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None
        session.expunge(user)
        return user


# --------------------------------------------------------------------------- signing in


def test_the_root_sends_a_visitor_to_sign_in(app_client: TestClient) -> None:
    app_client.cookies.clear()
    response = app_client.get("/")
    assert response.status_code == 303
    assert response.headers["location"] == "/login"


def test_a_page_asks_a_signed_out_visitor_to_sign_in_then_returns(app_client: TestClient) -> None:
    app_client.cookies.clear()
    response = app_client.get("/organisations?kind=network_operator")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/organisations%3Fkind%3Dnetwork_operator"


def test_htmx_requests_are_told_to_redirect_to_sign_in(app_client: TestClient) -> None:
    app_client.cookies.clear()
    response = app_client.get("/users", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith("/login?next=/users")


def test_sign_in_goes_to_the_page_asked_for_but_never_to_another_site(
    app_client: TestClient,
) -> None:
    for asked, landed in (("/audit", "/audit"), ("//evil.example/x", "/dashboard")):
        app_client.cookies.clear()
        token = csrf_of(app_client.get("/login").text)
        response = app_client.post(
            "/login",
            data={
                "username": "leader",
                "password": DEMO_PASSWORD,
                "csrf_token": token,
                "next": asked,
            },
        )
        assert response.status_code == 303
        assert response.headers["location"] == landed


def test_the_session_cookie_is_http_only_and_same_site_lax(app_client: TestClient) -> None:
    app_client.cookies.clear()
    token = csrf_of(app_client.get("/login").text)
    response = app_client.post(
        "/login", data={"username": "analyst", "password": DEMO_PASSWORD, "csrf_token": token}
    )
    cookie = next(
        header
        for header in response.headers.get_list("set-cookie")
        if header.startswith("fenghuo_session=")
    )
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie


def test_the_session_cookie_is_secure_when_the_settings_say_so(
    demo_database: Path, tmp_path: Path
) -> None:
    platform = demo_platform(demo_database, tmp_path / "secure", secure_cookies=True)
    with TestClient(
        create_app(platform=platform), base_url="https://testserver", follow_redirects=False
    ) as client:
        token = csrf_of(client.get("/login").text)
        response = client.post(
            "/login", data={"username": "viewer", "password": DEMO_PASSWORD, "csrf_token": token}
        )
    cookies = response.headers.get_list("set-cookie")
    assert any(c.startswith("fenghuo_session=") and "Secure" in c for c in cookies)
    platform.engine.dispose()


def test_a_failed_sign_in_is_explained_and_counted(
    app_client: TestClient, platform: Platform
) -> None:
    app_client.cookies.clear()
    token = csrf_of(app_client.get("/login").text)
    before = user_of(platform, "duty").failed_logins
    response = app_client.post(
        "/login", data={"username": "duty", "password": "not-the-password", "csrf_token": token}
    )
    assert response.status_code == 401
    assert "用户名或密码错误。" in response.text
    assert 'value="duty"' in response.text
    assert user_of(platform, "duty").failed_logins == before + 1


def test_too_many_failures_lock_the_account_and_say_so(
    app_client: TestClient, platform: Platform
) -> None:
    app_client.cookies.clear()
    token = csrf_of(app_client.get("/login").text)
    for _ in range(platform.settings.max_failed_logins):
        app_client.post(
            "/login", data={"username": "gd.duty", "password": "wrong-again", "csrf_token": token}
        )
    response = app_client.post(
        "/login", data={"username": "gd.duty", "password": DEMO_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 401
    assert "账户已被锁定" in response.text
    assert user_of(platform, "gd.duty").locked_until is not None


def test_signing_out_ends_the_session(app_client: TestClient, platform: Platform) -> None:
    csrf = sign_in(app_client, "cert.analyst")
    secret = app_client.cookies.get("fenghuo_session")
    response = app_client.post("/logout", data={"csrf_token": csrf})
    assert response.status_code == 303 and response.headers["location"] == "/login"
    app_client.cookies.set("fenghuo_session", secret or "")
    assert app_client.get("/dashboard").status_code == 303
    with platform.transaction() as session:
        user = session.scalar(select(User).where(User.username == "cert.analyst"))
        assert user is not None
        sessions = session.scalars(
            select(Credential).where(Credential.user_id == user.id, Credential.kind == "session")
        ).all()
        assert sessions and all(c.revoked_at is not None for c in sessions)


def test_a_form_posted_after_the_session_ended_asks_to_sign_in_again(
    app_client: TestClient,
) -> None:
    csrf = sign_in(app_client, "energy.admin")
    secret = app_client.cookies.get("fenghuo_session") or ""
    app_client.post("/logout", data={"csrf_token": csrf})
    app_client.cookies.set("fenghuo_session", secret)
    response = app_client.post("/profile", data={"csrf_token": csrf, "display_name": "x"})
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


# --------------------------------------------------------------------------- CSRF


def console_post_routes(client: TestClient) -> list[str]:
    """Every state-changing route outside the API (FastAPI keeps included routers lazily)."""
    return [
        context.path
        for context in iter_route_contexts(client.app.routes)  # type: ignore[attr-defined]
        if isinstance(context.original_route, APIRoute)
        and "POST" in (context.methods or ())
        and context.path
        and not context.path.startswith("/api/")
    ]


def test_every_console_post_refuses_a_missing_or_wrong_csrf_token(
    app_client: TestClient,
) -> None:
    sign_in(app_client, "admin")
    paths = console_post_routes(app_client)
    assert "/organisations" in paths and "/login" in paths
    for path in paths:
        concrete = re.sub(r"\{[^}]+\}", "00000000-0000-0000-0000-000000000000", path)
        for data in ({}, {"csrf_token": "forged"}):
            response = app_client.post(concrete, data=data)
            assert response.status_code == 403, (path, data)
            assert "csrf-token" in response.text


def test_htmx_sends_the_token_in_a_header(app_client: TestClient) -> None:
    csrf = sign_in(app_client, "admin")
    response = app_client.post(
        "/audit/verify", headers={"X-CSRF-Token": csrf, "HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "审计链完整。" in response.text
    assert "<html" not in response.text  # a fragment for HTMX to swap in


def test_the_sign_in_form_needs_its_double_submit_cookie(app_client: TestClient) -> None:
    app_client.cookies.clear()
    token = csrf_of(app_client.get("/login").text)
    app_client.cookies.delete("fenghuo_csrf")
    response = app_client.post(
        "/login", data={"username": "admin", "password": DEMO_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 403


# --------------------------------------------------------------------------- authority


def test_an_operator_cannot_open_another_operators_page(
    app_client: TestClient, platform: Platform
) -> None:
    sign_in(app_client, "op.szpower")
    listing = app_client.get("/organisations")
    assert "南方电网深圳供电局" in listing.text and ZJBANK not in listing.text
    response = app_client.get(f"/organisations/{org_id(platform, ZJBANK)}")
    assert response.status_code == 403
    assert "无权执行此操作" in response.text
    assert "out-of-scope" in response.text
    assert "该对象不在您所在单位的可见范围内。" in response.text
    assert ZJBANK not in response.text


def test_an_operator_sees_only_its_own_people_and_no_audit_trail(
    app_client: TestClient,
) -> None:
    sign_in(app_client, "op.szpower")
    people = app_client.get("/users")
    assert "op.szpower.admin" in people.text and "op.zjbank" not in people.text
    refused = app_client.get("/audit")
    assert refused.status_code == 403
    assert "no-grant" in refused.text


def test_a_viewer_may_look_but_gets_no_forms(app_client: TestClient) -> None:
    sign_in(app_client, "viewer")
    assert "新建单位" not in app_client.get("/organisations").text
    response = app_client.get("/organisations/new")
    assert response.status_code == 403 and "no-grant" in response.text


def test_an_unknown_page_is_a_translated_404(app_client: TestClient) -> None:
    sign_in(app_client, "admin")
    response = app_client.get("/organisations/does-not-exist")
    assert response.status_code == 404
    assert "未找到" in response.text and "text/html" in response.headers["content-type"]


def test_pages_carry_a_strict_content_security_policy(app_client: TestClient) -> None:
    app_client.cookies.clear()
    response = app_client.get("/login")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert response.headers["x-frame-options"] == "DENY"
    assert "https://" not in response.text and "http://" not in response.text


def test_htmx_is_served_from_this_origin(app_client: TestClient) -> None:
    response = app_client.get("/static/vendor/htmx/htmx.min.js")
    assert response.status_code == 200 and "htmx" in response.text[:2000]


# --------------------------------------------------------------------------- forms


def test_admin_changes_an_organisation(app_client: TestClient, platform: Platform) -> None:
    csrf = sign_in(app_client, "admin")
    target = org_id(platform, "杭州银行")
    form = app_client.get(f"/organisations/{target}/edit")
    assert form.status_code == 200 and 'value="Bank of Hangzhou"' in form.text
    response = app_client.post(
        f"/organisations/{target}",
        data={
            "csrf_token": csrf,
            "name_zh": "杭州银行股份有限公司",
            "name_en": "Bank of Hangzhou",
            "sector_code": "finance",
            "region_code": "330100",
            "contact_email": "soc@hzbank.demo.example",
            "is_active": "1",
        },
    )
    assert response.status_code == 303
    page = app_client.get(response.headers["location"])
    assert "杭州银行股份有限公司" in page.text and "修改已保存。" in page.text


def test_an_invalid_change_is_shown_and_not_saved(
    app_client: TestClient, platform: Platform
) -> None:
    csrf = sign_in(app_client, "admin")
    target = org_id(platform, "四川银行")
    response = app_client.post(
        f"/organisations/{target}",
        data={
            "csrf_token": csrf,
            "name_zh": "四川银行",
            "name_en": "Bank of Sichuan",
            "sector_code": "finance",
            "region_code": "999999",
            "is_active": "1",
        },
    )
    assert response.status_code == 422
    assert 'id="region_code-error"' in response.text
    assert "请输入省级行政区内的六位 GB/T 2260 行政区划代码。" in response.text
    with platform.transaction() as session:
        org = session.get(Organisation, target)
        assert org is not None and org.region_code == "510100"


def test_a_taken_username_is_shown_beside_the_field(
    app_client: TestClient, platform: Platform
) -> None:
    csrf = sign_in(app_client, "admin")
    response = app_client.post(
        "/users",
        data={
            "csrf_token": csrf,
            "org_id": org_id(platform, "招商银行"),
            "username": "op.szpower",
            "display_name": "重名",
            "password": "a-long-enough-password",
            "roles": "operator_staff",
        },
    )
    assert response.status_code == 409
    assert 'id="username-error"' in response.text and "该用户名已被占用。" in response.text


def test_admin_changes_roles_and_unlocks_an_account(
    app_client: TestClient, platform: Platform
) -> None:
    with platform.transaction() as session:
        user = session.scalar(select(User).where(User.username == "op.cmb"))
        assert user is not None
        user.failed_logins, user.locked_until = 5, clock.now() + timedelta(days=1)
        user_id = user.id
    csrf = sign_in(app_client, "admin")
    page = app_client.get(f"/users/{user_id}")
    assert "已锁定" in page.text and "解锁账户" in page.text
    response = app_client.post(
        f"/users/{user_id}",
        data={
            "csrf_token": csrf,
            "display_name": "招商银行网络安全员",
            "roles": ["operator_staff", "viewer"],
            "is_active": "1",
            "unlock": "1",
        },
    )
    assert response.status_code == 303
    changed = user_of(platform, "op.cmb")
    assert changed.locked_until is None and changed.failed_logins == 0
    with platform.transaction() as session:
        refreshed = session.get(User, user_id)
        assert refreshed is not None and refreshed.roles == ["operator_staff", "viewer"]


def test_a_user_changes_their_own_password(app_client: TestClient) -> None:
    csrf = sign_in(app_client, "energy.analyst")
    wrong = app_client.post(
        "/profile/password",
        data={
            "csrf_token": csrf,
            "current_password": "not-it-at-all",
            "new_password": "a-brand-new-password",
            "confirm_password": "a-brand-new-password",
        },
    )
    assert wrong.status_code == 422 and "当前密码不正确。" in wrong.text
    mismatch = app_client.post(
        "/profile/password",
        data={
            "csrf_token": csrf,
            "current_password": DEMO_PASSWORD,
            "new_password": "a-brand-new-password",
            "confirm_password": "another-new-password",
        },
    )
    assert mismatch.status_code == 422 and "两次输入的新密码不一致。" in mismatch.text
    done = app_client.post(
        "/profile/password",
        data={
            "csrf_token": csrf,
            "current_password": DEMO_PASSWORD,
            "new_password": "a-brand-new-password",
            "confirm_password": "a-brand-new-password",
        },
    )
    assert done.status_code == 303
    sign_in(app_client, "energy.analyst", "a-brand-new-password")


def test_api_tokens_are_shown_once_and_can_be_revoked(app_client: TestClient) -> None:
    csrf = sign_in(app_client, "gd.admin")
    created = app_client.post(
        "/profile/tokens",
        data={
            "csrf_token": csrf,
            "name": "SOC integration",
            "expires_in_days": "90",
            "scopes": "accounts.orgs.view",
        },
    )
    assert created.status_code == 201
    secret = re.search(r'id="issued-token"[^>]*value="([^"]+)"', created.text)
    assert secret is not None
    listing = app_client.get("/profile/tokens")
    assert "SOC integration" in listing.text and secret.group(1) not in listing.text
    token_id = re.search(r'action="/profile/tokens/([^/]+)/revoke"', listing.text)
    assert token_id is not None
    revoked = app_client.post(
        f"/profile/tokens/{token_id.group(1)}/revoke", data={"csrf_token": csrf}
    )
    assert revoked.status_code == 303
    assert "已吊销" in app_client.get("/profile/tokens").text


def test_a_token_with_an_unknown_scope_is_refused_beside_the_field(
    app_client: TestClient,
) -> None:
    csrf = sign_in(app_client, "gd.admin")
    response = app_client.post(
        "/profile/tokens",
        data={"csrf_token": csrf, "name": "typo", "expires_in_days": "30", "scopes": "nope.*"},
    )
    assert response.status_code == 422
    assert 'id="scopes-error"' in response.text


def test_the_language_switch_sets_a_cookie_and_the_users_preference(
    app_client: TestClient, platform: Platform
) -> None:
    app_client.cookies.clear()
    token = csrf_of(app_client.get("/public").text)
    response = app_client.post(
        "/language", data={"csrf_token": token, "language": "en", "next": "/public"}
    )
    assert response.status_code == 303 and response.headers["location"] == "/public"
    assert "Public early warnings" in app_client.get("/public").text

    csrf = sign_in(app_client, "council.leader")
    app_client.cookies.delete("fenghuo_lang")
    app_client.post("/language", data={"csrf_token": csrf, "language": "en", "next": "/audit"})
    assert user_of(platform, "council.leader").language == "en"
    app_client.cookies.delete("fenghuo_lang")
    assert "Audit trail" in app_client.get("/audit").text  # the preference, not the cookie


# --------------------------------------------------------------------------- audit trail


def test_the_audit_trail_filters_and_pages(app_client: TestClient) -> None:
    sign_in(app_client, "admin")
    response = app_client.get("/audit?action=accounts.orgs.create")
    assert response.status_code == 200
    assert "accounts.users.create" not in response.text
    assert "accounts.orgs.create" in response.text
    paged = app_client.get("/audit?page=2")
    assert paged.status_code == 200 and "较新" in paged.text
    partial = app_client.get("/audit?who=demo-seed", headers={"HX-Target": "audit-table"})
    assert partial.text.lstrip().startswith('<div id="audit-table">')


def test_a_bad_date_in_the_audit_filter_is_named(app_client: TestClient) -> None:
    sign_in(app_client, "admin")
    response = app_client.get("/audit?since=yesterday")
    assert response.status_code == 422
    assert 'id="since-error"' in response.text and "YYYY-MM-DD" in response.text


def test_a_leader_reads_the_trail_but_may_not_verify_it(app_client: TestClient) -> None:
    csrf = sign_in(app_client, "leader")
    page = app_client.get("/audit")
    assert page.status_code == 200 and "校验审计链" not in page.text
    assert app_client.post("/audit/verify", data={"csrf_token": csrf}).status_code == 403


VISIBLE = re.compile(r'可见单位</span>\s*<span class="stat-value">(\d+)')


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("gd.admin", 8),  # Guangdong and the seven operators in 44xxxx (Art. 54)
        ("energy.admin", 6),  # the energy department and its five operators (Art. 52)
        ("op.szpower.admin", 1),  # an operator sees itself (Art. 55)
    ],
)
def test_dashboards_count_only_what_their_user_can_see(
    app_client: TestClient, username: str, expected: int
) -> None:
    sign_in(app_client, username)
    found = VISIBLE.search(app_client.get("/dashboard").text)
    assert found is not None and int(found.group(1)) == expected
