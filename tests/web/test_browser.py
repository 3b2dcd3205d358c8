"""The console in a real Chromium against a real server seeded with the demo world."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from fenghuo.accounts.models import Organisation, User
from tests.web.conftest import DEMO_PASSWORD, LiveServer
from tests.web.pages import (
    EN,
    ZH,
    AuditPage,
    Console,
    DashboardPage,
    LoginPage,
    NewOrganisation,
    NewUser,
    OrganisationFormPage,
    OrganisationsPage,
    UserFormPage,
)

pytestmark = pytest.mark.browser

SZPOWER = "南方电网深圳供电局"
ZJBANK = "浙江农商联合银行"


def sign_in(page: Page, username: str, *, language: str = "zh") -> DashboardPage:
    """Sign in through the form and make sure the console speaks ``language``."""
    page.context.clear_cookies()
    LoginPage(page).open().sign_in(username, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    if page.locator("html").get_attribute("lang") != ("zh-CN" if language == "zh" else "en"):
        Console(page, EN if language == "zh" else ZH).switch_language(language)
    return DashboardPage(page, ZH if language == "zh" else EN)


def org_count(live_server: LiveServer) -> int:
    with live_server.platform.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(Organisation)) or 0)


def org_id(live_server: LiveServer, name_zh: str) -> str:
    with live_server.platform.transaction() as session:
        found = session.scalar(select(Organisation.id).where(Organisation.name_zh == name_zh))
    assert found, f"no organisation {name_zh}"
    return found


@pytest.mark.parametrize(
    ("username", "display_name", "sees_audit"),
    [("admin", "王建国", True), ("leader", "李振华", True), ("op.szpower", "邓伟", False)],
)
def test_demo_roles_sign_in_and_see_their_dashboard(
    page: Page, live_server: LiveServer, username: str, display_name: str, sees_audit: bool
) -> None:
    dashboard = sign_in(page, username)
    expect(dashboard.heading).to_have_text("工作台")
    expect(page.get_by_text(f"欢迎，{display_name}")).to_be_visible()
    expect(dashboard.nav_link(ZH.dashboard)).to_have_attribute("aria-current", "page")
    expect(dashboard.nav_link(ZH.audit_trail)).to_have_count(1 if sees_audit else 0)
    expect(page.locator(".stat", has_text="今日审计记录")).to_have_count(1 if sees_audit else 0)
    seen = int(dashboard.stat(ZH.orgs_you_can_see).inner_text())
    if username == "op.szpower":
        assert seen == 1  # an operator sees only itself (Art. 55)
        expect(page.get_by_role("link", name=SZPOWER)).to_be_visible()
    else:
        assert seen == org_count(live_server)  # the national coordinator sees everything


def test_language_switch_changes_the_labels(page: Page) -> None:
    console = sign_in(page, "analyst")
    expect(console.nav_link("单位管理")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")

    english = console.switch_language("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(english.nav_link("Organisations")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(page.get_by_role("link", name="单位管理")).to_have_count(0)

    OrganisationsPage(page, EN).open()
    expect(page.get_by_role("columnheader", name="Kind")).to_be_visible()
    expect(page.get_by_role("cell", name="Sector protection department").first).to_be_visible()

    chinese = english.switch_language("zh")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(chinese.nav_link("单位管理")).to_be_visible()
    expect(page.get_by_role("cell", name="行业保护工作部门").first).to_be_visible()


def test_public_portal_needs_no_sign_in_and_switches_language(page: Page) -> None:
    page.context.clear_cookies()
    page.goto("/public")
    expect(page.get_by_role("heading", level=1)).to_have_text("公众安全预警")
    expect(page.get_by_text("/public/warnings.atom")).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Public early warnings")
    expect(page).to_have_url(re.compile(r"/public$"))


def test_admin_creates_an_organisation_and_a_user_then_sees_their_audit_records(
    page: Page, live_server: LiveServer
) -> None:
    problems: list[str] = []  # CSP violations and script errors show up here
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    tag = uuid.uuid4().hex[:6]
    org = NewOrganisation(
        parent="国家能源局 · 行业保护工作部门",
        kind="网络运营者",
        name_zh=f"深圳测试储能电站{tag}",
        name_en=f"Shenzhen Test Storage Plant {tag}",
        sector="能源",
        region="440300",
        email=f"soc-{tag}@example.org",
        cii=True,
    )
    sign_in(page, "admin")
    form = OrganisationFormPage(page).open()
    form.fill(org)
    response = form.submit()
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(org.name_zh)
    expect(page.get_by_role("status")).to_have_text("单位已创建。")
    expect(page.get_by_text("广东省 (440300)")).to_be_visible()

    username = f"op.test{tag}"
    user_form = UserFormPage(page).open()
    user_form.fill(
        NewUser(
            organisation=f"{org.name_zh} · 网络运营者",
            username=username,
            display_name="测试值班员",
            password="a-long-enough-password",
            roles=("运营者工作人员",),
            email=f"{username}@example.org",
        )
    )
    assert user_form.submit().status == 200
    expect(page.get_by_role("status")).to_have_text("用户已创建。")

    audit = AuditPage(page).open()
    audit.filter_action("accounts.")
    org_row = audit.table.locator("tr", has_text="accounts.orgs.create").filter(
        has_text=org.name_zh
    )
    expect(org_row).to_have_count(1)
    expect(org_row).to_contain_text("admin")
    expect(org_row).to_contain_text("administrators-manage-organisations")
    expect(org_row).to_contain_text("第五十一条")  # Art. 51
    user_row = audit.table.locator("tr", has_text="accounts.users.create").filter(has_text=username)
    expect(user_row).to_have_count(1)
    expect(audit.verify_chain()).to_contain_text(ZH.chain_intact)
    assert problems == []


def test_operator_cannot_see_or_open_another_operators_organisation(
    page: Page, live_server: LiveServer
) -> None:
    orgs = sign_in(page, "op.szpower")
    orgs.go(ZH.organisations)
    listing = OrganisationsPage(page)
    expect(listing.row_link(SZPOWER)).to_be_visible()
    expect(listing.row_link(ZJBANK)).to_have_count(0)
    expect(listing.table).not_to_contain_text(ZJBANK)

    response = page.goto(f"/organisations/{org_id(live_server, ZJBANK)}")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("无权执行此操作")
    expect(page.get_by_text("该对象不在您所在单位的可见范围内。")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("out-of-scope")
    expect(page.locator("body")).not_to_contain_text(ZJBANK)


def test_invalid_input_shows_the_field_error_and_creates_nothing(
    page: Page, live_server: LiveServer
) -> None:
    before = org_count(live_server)
    sign_in(page, "admin")
    form = OrganisationFormPage(page).open()
    form.fill(
        NewOrganisation(
            parent="国家能源局 · 行业保护工作部门",
            kind="网络运营者",
            name_zh="",
            name_en="Nameless operator",
            region="440300",
        )
    )
    assert form.submit().status == 422
    expect(form.field_error(ZH.name_zh)).to_have_text("此项为必填项。")
    expect(page.get_by_label(ZH.name_en)).to_have_value("Nameless operator")

    form.fill(
        NewOrganisation(
            parent="国家能源局 · 行业保护工作部门",
            kind="网络运营者",
            name_zh="无行业运营者",
            name_en="Operator without a sector",
            region="440300",
        )
    )
    assert form.submit().status == 422
    expect(form.field_error(ZH.sector)).to_have_text("此类单位需要选择行业。")
    expect(page.get_by_label(ZH.sector, exact=True)).to_have_attribute("aria-invalid", "true")
    assert org_count(live_server) == before

    user_form = UserFormPage(page).open()
    user_form.fill(
        NewUser(
            organisation=f"{SZPOWER} · 网络运营者",
            username="op.shortpassword",
            display_name="短密码",
            password="short",
            roles=("运营者工作人员",),
        )
    )
    assert user_form.submit().status == 422
    expect(page.locator(".field-error")).to_have_text("密码至少需要 10 个字符。")
    with live_server.platform.transaction() as session:
        assert session.scalar(select(User).where(User.username == "op.shortpassword")) is None


def test_a_post_without_the_csrf_token_is_refused(page: Page, live_server: LiveServer) -> None:
    before = org_count(live_server)
    sign_in(page, "admin")
    fields = {
        "parent_id": org_id(live_server, "国家能源局"),
        "kind": "network_operator",
        "name_zh": "跨站伪造运营者",
        "name_en": "Forged operator",
        "sector_code": "energy",
        "region_code": "440300",
    }
    refused = page.request.post("/organisations", form=fields)
    assert refused.status == 403
    assert "csrf-token" in refused.text()
    forged = page.request.post("/organisations", form={**fields, "csrf_token": "forged"})
    assert forged.status == 403
    assert org_count(live_server) == before

    page.context.clear_cookies()
    anonymous = page.request.post("/login", form={"username": "admin", "password": DEMO_PASSWORD})
    assert anonymous.status == 403


def test_dashboard_screenshots_in_both_languages(page: Page, tmp_path: Path) -> None:
    """Screenshots of the dashboard; FENGHUO_SCREENSHOTS_DIR keeps them (docs/screenshots)."""
    target = Path(os.environ.get("FENGHUO_SCREENSHOTS_DIR") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    dashboard = sign_in(page, "admin")
    for language in ("zh", "en"):
        if language == "en":
            dashboard = DashboardPage(page, dashboard.switch_language("en").labels)
        expect(dashboard.heading).to_be_visible()
        shot = target / f"dashboard-{language}.png"
        page.screenshot(path=str(shot))  # the dashboard fits the 1360x860 window
        assert shot.stat().st_size > 10_000
    dashboard.switch_language("zh")
