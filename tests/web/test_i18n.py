"""No string of the console is left untranslated, and every rule has words in both languages.

* Every message in ``src/fenghuo/web`` (Python ``N_``/``_`` and templates' ``_()``), extracted
  with Babel exactly as ``babel.cfg`` says, has a non-empty Chinese translation, with the
  same ``%(name)s`` placeholders; the catalogues hold nothing the code no longer says.
* Templates hold no bare English: text and ``title``/``placeholder``/``aria-label``
  attributes go through ``_()``.
* Every rule code the domains raise (``rule="..."``, refusals' decisions, sign-in outcomes)
  has a message in ``fenghuo.web.reasons``.
* Every page renders in both languages, and rendering the Chinese asks for no message the
  catalogue lacks.
"""

from __future__ import annotations

import ast
import re
from configparser import ConfigParser
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from fastapi.testclient import TestClient
from sqlalchemy import select

from fenghuo.accounts.models import Organisation, User
from fenghuo.platform import Platform
from fenghuo.web import i18n
from fenghuo.web.reasons import has_message
from tests.web.conftest import csrf_of, sign_in

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "src" / "fenghuo" / "web"
TEMPLATES = WEB / "templates"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def extracted_messages() -> set[str]:
    """Every msgid in the web package, extracted per ``babel.cfg``."""
    config = ConfigParser()
    config.read(ROOT / "babel.cfg")
    method_map: list[tuple[str, str]] = []
    options_map: dict[str, dict[str, str]] = {}
    for section in config.sections():
        method, _, pattern = section.partition(":")
        method_map.append((pattern.strip(), method.strip()))
        options_map[pattern.strip()] = dict(config.items(section))
    messages: set[str] = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(WEB), method_map, options_map
    ):
        messages.add(message if isinstance(message, str) else message[0])
    return messages


def test_every_message_has_a_chinese_translation() -> None:
    messages = extracted_messages()
    assert "Dashboard" in messages and "National coordinator" in messages
    chinese = i18n.catalogue("zh").messages
    untranslated = sorted(m for m in messages if not chinese.get(m, "").strip())
    assert untranslated == [], (
        "messages without a Chinese translation; add them to "
        "src/fenghuo/web/locales/zh/LC_MESSAGES/messages.po"
    )


def test_translations_keep_the_placeholders() -> None:
    for message, text in i18n.catalogue("zh").messages.items():
        assert set(PLACEHOLDER.findall(message)) == set(PLACEHOLDER.findall(text)), message


def test_the_catalogues_hold_only_what_the_code_says() -> None:
    messages = extracted_messages()
    for language in i18n.LANGUAGES:
        with i18n.po_path(language).open("rb") as handle:
            from babel.messages.pofile import read_po

            ids = {str(m.id) for m in read_po(handle) if m.id}
        assert ids - messages == set(), f"stale messages in the {language} catalogue"
        assert messages - ids == set(), f"messages missing from the {language} catalogue"


class BareText(HTMLParser):
    """Collects text and human-facing attributes a template shows without ``_()``."""

    ATTRIBUTES = frozenset({"title", "placeholder", "aria-label", "alt"})
    ALLOWED = re.compile(
        r"^(?:[\W\d_]*|Fenghuo|English|[a-z0-9_.*-]+|GB/T 2260|CAP 1\.2|UTC\+8"
        r'|(?:\s*[a-z-]+="[^"<>]*")+)$',  # attributes a macro writes into its caller's tag
        re.UNICODE,
    )

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_data(self, data: str) -> None:
        self._check(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in self.ATTRIBUTES and value:
                self._check(value)

    def _check(self, text: str) -> None:
        text = text.strip()
        if text and re.search(r"[A-Za-z]", text) and not self.ALLOWED.match(text):
            self.found.append(text)


JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


@pytest.mark.parametrize(
    "template", sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.html"))
)
def test_templates_show_no_bare_english(template: str) -> None:
    source = JINJA.sub(" ", (TEMPLATES / template).read_text(encoding="utf-8"))
    parser = BareText()
    parser.feed(source)
    assert parser.found == [], f"wrap these in _() in {template}"


# Edges speak for themselves; the bus and the store raise deployment errors no console shows.
NOT_SHOWN_IN_THE_CONSOLE = frozenset({"api", "cli", "web", "demo", "integrations", "bus", "store"})


def rule_codes() -> set[str]:
    """Rule codes the domains (and authority, audit, settings) may put before a console user."""
    codes: set[str] = set()
    package = ROOT / "src" / "fenghuo"
    for path in package.rglob("*.py"):
        if path.relative_to(package).parts[0] in NOT_SHOWN_IN_THE_CONSOLE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                codes |= _codes_in_call(node)
    return codes


def _codes_in_call(node: ast.Call) -> set[str]:
    found = {
        keyword.value.value
        for keyword in node.keywords
        if keyword.arg == "rule"
        and isinstance(keyword.value, ast.Constant)
        and isinstance(keyword.value.value, str)
    }
    name = getattr(node.func, "id", getattr(node.func, "attr", ""))
    positional = {"Decision": 1, "LoginOutcome": 2}.get(name)
    if positional is not None and len(node.args) > positional:
        argument = node.args[positional]
        if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
            found.add(argument.value)
    return found


def test_every_rule_the_domains_raise_is_explained() -> None:
    codes = rule_codes()
    assert {"password-length", "out-of-scope", "credentials", "account-locked"} <= codes
    unexplained = sorted(code for code in codes if not has_message(code))
    assert unexplained == [], "add these rule codes to fenghuo.web.reasons.RULE_MESSAGES"


# --------------------------------------------------------------------------- every page


def page_paths(platform: Platform) -> list[str]:
    """Every console page, with real ids for the ones that show a record."""
    with platform.transaction() as session:
        org = session.scalar(select(Organisation).where(Organisation.name_zh == "国家能源局"))
        user = session.scalar(select(User).where(User.username == "energy.admin"))
        assert org is not None and user is not None
        org_id, user_id = org.id, user.id
    return [
        "/dashboard",
        "/organisations",
        "/organisations?kind=network_operator",
        "/organisations/new",
        f"/organisations/{org_id}",
        f"/organisations/{org_id}/edit",
        "/users",
        "/users/new",
        f"/users/{user_id}",
        "/audit",
        "/audit?since=not-a-date",
        "/profile",
        "/profile/tokens",
        "/public",
        "/organisations/no-such-organisation",
    ]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_page_renders_in_both_languages(
    app_client: TestClient, platform: Platform, language: str
) -> None:
    i18n.catalogue("zh").missing.clear()
    csrf = sign_in(app_client, "admin")
    app_client.post("/language", data={"csrf_token": csrf, "language": language, "next": "/"})
    html_lang = i18n.HTML_LANG[language]
    for path in page_paths(platform):
        response = app_client.get(path)
        assert response.status_code in (200, 404, 422), path
        assert f'<html lang="{html_lang}">' in response.text, path
    forms = [
        ("/organisations", {"kind": "network_operator"}),
        ("/users", {"username": "X"}),
        ("/profile/password", {"new_password": "a", "confirm_password": "b"}),
        ("/profile/tokens", {"scopes": "nothing.at.all"}),
    ]
    for path, data in forms:
        response = app_client.post(path, data={"csrf_token": csrf, **data})
        assert response.status_code in (409, 422), path
        assert 'class="field-error"' in response.text, path
    verify = app_client.post("/audit/verify", data={"csrf_token": csrf})
    assert verify.status_code == 200
    sign_in(app_client, "op.szpower")
    refused = app_client.get(page_paths(platform)[4])
    assert refused.status_code == 403
    app_client.cookies.clear()
    app_client.cookies.set("fenghuo_lang", language)
    login = app_client.get("/login")
    assert f'<html lang="{html_lang}">' in login.text
    failed = app_client.post(
        "/login", data={"csrf_token": csrf_of(login.text), "username": "x", "password": "y"}
    )
    assert failed.status_code == 401
    assert i18n.catalogue("zh").missing == set()
    sign_in(app_client, "admin")
    app_client.post(
        "/language", data={"csrf_token": csrf_of(app_client.get("/profile").text), "language": "zh"}
    )


def test_the_chinese_pages_say_no_english_labels(app_client: TestClient) -> None:
    csrf = sign_in(app_client, "admin")
    app_client.post("/language", data={"csrf_token": csrf, "language": "zh", "next": "/"})
    html = app_client.get("/dashboard").text
    for english in ("Dashboard", "Organisations", "Audit trail", "Sign out", "Coming"):
        assert f">{english}<" not in html
    assert "工作台" in html and "审计日志" in html and "即将推出" in html


def test_language_choice_prefers_the_user_then_the_cookie_then_the_default() -> None:
    choose = i18n.choose_language
    assert choose(user_language="en", cookie="zh", default="zh") == "en"
    assert choose(user_language=None, cookie="en", default="zh") == "en"
    assert choose(user_language=None, cookie="fr", default="en") == "en"
    assert choose(user_language=None, cookie=None, default="zh") == "zh"
    assert choose(user_language="zh-CN", cookie=None, default="en") == "zh"


def test_articles_of_law_read_as_chinese_in_chinese() -> None:
    from fenghuo.web.labels import article

    with i18n.speaking("zh"):
        assert article("Art. 54(2)") == "第五十四条第二款"
        assert article("Art. 51") == "第五十一条"
        assert article(None) == ""
    with i18n.speaking("en"):
        assert article("Art. 58") == "Art. 58"
