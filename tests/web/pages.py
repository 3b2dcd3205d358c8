"""Page objects of the console: one class per page, locators by role and label.

Labels are looked up in the language the page is in, so each object is built with the
``Labels`` of that language (Chinese by default, the deployment's default language).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from playwright.sync_api import Locator, Page, Response, expect


@dataclass(frozen=True)
class Labels:
    """The texts the tests look for, in one language."""

    sign_in: str
    username: str
    password: str
    sign_out: str
    dashboard: str
    organisations: str
    users: str
    audit_trail: str
    new_organisation: str
    create_organisation: str
    new_user: str
    create_user: str
    parent: str
    kind: str
    name_zh: str
    name_en: str
    sector: str
    region: str
    contact_email: str
    cii: str
    organisation: str
    display_name: str
    email: str
    initial_password: str
    action_prefix: str
    filter: str
    search: str
    verify_chain: str
    chain_intact: str
    orgs_you_can_see: str
    user_menu: str


ZH = Labels(
    sign_in="登录",
    username="用户名",
    password="密码",
    sign_out="退出登录",
    dashboard="工作台",
    organisations="单位管理",
    users="用户管理",
    audit_trail="审计日志",
    new_organisation="新建单位",
    create_organisation="创建单位",
    new_user="新建用户",
    create_user="创建用户",
    parent="上级单位",
    kind="类型",
    name_zh="中文名称",
    name_en="英文名称",
    sector="行业",
    region="行政区划代码（GB/T 2260）",
    contact_email="联系邮箱",
    cii="运营关键信息基础设施（关基）",
    organisation="单位",
    display_name="显示名称",
    email="电子邮箱",
    initial_password="初始密码",
    action_prefix="操作前缀",
    filter="筛选",
    search="搜索",
    verify_chain="校验审计链",
    chain_intact="审计链完整。",
    orgs_you_can_see="可见单位",
    user_menu="用户菜单",
)

EN = Labels(
    sign_in="Sign in",
    username="Username",
    password="Password",
    sign_out="Sign out",
    dashboard="Dashboard",
    organisations="Organisations",
    users="Users",
    audit_trail="Audit trail",
    new_organisation="New organisation",
    create_organisation="Create organisation",
    new_user="New user",
    create_user="Create user",
    parent="Parent organisation",
    kind="Kind",
    name_zh="Name in Chinese",
    name_en="Name in English",
    sector="Sector",
    region="Region code (GB/T 2260)",
    contact_email="Contact e-mail",
    cii="Operates critical information infrastructure (CII)",
    organisation="Organisation",
    display_name="Display name",
    email="E-mail",
    initial_password="Initial password",
    action_prefix="Action starts with",
    filter="Filter",
    search="Search",
    verify_chain="Verify chain",
    chain_intact="The audit chain is intact.",
    orgs_you_can_see="Organisations you can see",
    user_menu="User menu",
)


class LoginPage:
    """The sign-in form."""

    def __init__(self, page: Page, labels: Labels = ZH) -> None:
        self.page = page
        self.labels = labels

    def open(self, next_path: str = "") -> LoginPage:
        self.page.goto("/login" + (f"?next={next_path}" if next_path else ""))
        return self

    def sign_in(self, username: str, password: str) -> None:
        self.page.get_by_label(self.labels.username).fill(username)
        self.page.get_by_label(self.labels.password).fill(password)
        self.page.get_by_role("button", name=self.labels.sign_in).click()

    @property
    def error(self) -> Locator:
        return self.page.get_by_role("alert")


class Console:
    """What every signed-in page has: the navigation and the user menu."""

    def __init__(self, page: Page, labels: Labels = ZH) -> None:
        self.page = page
        self.labels = labels

    @property
    def navigation(self) -> Locator:
        return self.page.get_by_role("navigation", name=re.compile("主导航|Main navigation"))

    def nav_link(self, name: str) -> Locator:
        return self.navigation.get_by_role("link", name=name, exact=True)

    def go(self, name: str) -> None:
        self.nav_link(name).click()

    def open_user_menu(self) -> Locator:
        menu = self.page.locator("details.user-menu")
        if menu.get_attribute("open") is None:
            menu.locator("summary").click()
        return menu

    def switch_language(self, to: str) -> Console:
        """Switch to ``zh`` or ``en`` from the user menu; returns the console in that language."""
        menu = self.open_user_menu()
        menu.get_by_role("button", name="中文" if to == "zh" else "English").click()
        self.page.wait_for_load_state()
        return Console(self.page, ZH if to == "zh" else EN)

    def sign_out(self) -> None:
        self.open_user_menu().get_by_role("button", name=self.labels.sign_out).click()


class DashboardPage(Console):
    """The dashboard."""

    def open(self) -> DashboardPage:
        self.page.goto("/dashboard")
        return self

    @property
    def heading(self) -> Locator:
        return self.page.get_by_role("heading", level=1)

    def stat(self, label: str) -> Locator:
        return self.page.locator(".stat", has_text=label).locator(".stat-value")


class OrganisationsPage(Console):
    """The list of organisations."""

    def open(self, query: str = "") -> OrganisationsPage:
        self.page.goto("/organisations" + (f"?{query}" if query else ""))
        return self

    @property
    def table(self) -> Locator:
        return self.page.locator("#org-rows table")

    def row_link(self, name: str) -> Locator:
        return self.table.get_by_role("link", name=name, exact=True)

    def search(self, text: str) -> None:
        self.page.get_by_role("searchbox", name=self.labels.search).fill(text)
        self.page.get_by_role("button", name=self.labels.filter).click()


@dataclass
class NewOrganisation:
    """What the organisation form is filled with."""

    parent: str
    kind: str
    name_zh: str
    name_en: str
    sector: str = ""
    region: str = ""
    email: str = ""
    cii: bool = False


class OrganisationFormPage(Console):
    """The form to create an organisation."""

    def open(self) -> OrganisationFormPage:
        self.page.goto("/organisations/new")
        return self

    def fill(self, org: NewOrganisation) -> None:
        form = self.page.locator("form.form")
        form.get_by_label(self.labels.parent).select_option(label=org.parent)
        form.get_by_label(self.labels.kind, exact=True).select_option(label=org.kind)
        form.get_by_label(self.labels.name_zh).fill(org.name_zh)
        form.get_by_label(self.labels.name_en).fill(org.name_en)
        if org.sector:
            form.get_by_label(self.labels.sector, exact=True).select_option(label=org.sector)
        form.get_by_label(self.labels.region).fill(org.region)
        form.get_by_label(self.labels.contact_email).fill(org.email)
        if org.cii:
            form.get_by_label(self.labels.cii).check()

    def submit(self) -> Response:
        with self.page.expect_navigation() as navigation:
            self.page.get_by_role("button", name=self.labels.create_organisation).click()
        response = navigation.value
        assert response is not None
        return response

    def field_error(self, label: str) -> Locator:
        """The error shown under the field labelled ``label``."""
        field = self.page.locator(".field", has=self.page.get_by_label(label, exact=True))
        return field.locator(".field-error")


@dataclass
class NewUser:
    """What the user form is filled with."""

    organisation: str
    username: str
    display_name: str
    password: str
    roles: tuple[str, ...]
    email: str = ""


class UserFormPage(Console):
    """The form to create a user."""

    def open(self) -> UserFormPage:
        self.page.goto("/users/new")
        return self

    def fill(self, user: NewUser) -> None:
        form = self.page.locator("form.form")
        form.get_by_label(self.labels.organisation, exact=True).select_option(
            label=user.organisation
        )
        form.get_by_label(self.labels.username).fill(user.username)
        form.get_by_label(self.labels.display_name).fill(user.display_name)
        form.get_by_label(self.labels.email).fill(user.email)
        form.get_by_label(self.labels.initial_password).fill(user.password)
        for role in user.roles:
            form.get_by_role("checkbox", name=role).check()

    def submit(self) -> Response:
        with self.page.expect_navigation() as navigation:
            self.page.get_by_role("button", name=self.labels.create_user).click()
        response = navigation.value
        assert response is not None
        return response


class AuditPage(Console):
    """The audit trail."""

    def open(self, query: str = "") -> AuditPage:
        self.page.goto("/audit" + (f"?{query}" if query else ""))
        return self

    @property
    def table(self) -> Locator:
        return self.page.locator("#audit-table table")

    def filter_action(self, prefix: str) -> None:
        self.page.get_by_label(self.labels.action_prefix).fill(prefix)
        self.page.get_by_role("button", name=self.labels.filter).click()

    def verify_chain(self) -> Locator:
        self.page.get_by_role("button", name=self.labels.verify_chain).click()
        result = self.page.locator("#verify-result")
        expect(result).not_to_be_empty()
        return result
