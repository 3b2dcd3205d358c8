"""What the console shows for codes: organisation kinds, sectors, regions, roles, times.

Sectors, regions and roles carry their own zh/en names in data; kinds are translated
through the catalogue. Times are shown in China Standard Time (UTC+8), the time the
authorities that use Fenghuo keep.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

from fenghuo import clock
from fenghuo.accounts import policy as accounts_policy
from fenghuo.accounts.enums import OrgKind
from fenghuo.accounts.models import Organisation
from fenghuo.authority import Policy
from fenghuo.web.i18n import N_, current_language, gettext

DISPLAY_TZ = timezone(timedelta(hours=8), "CST")

KIND_NAMES: dict[str, str] = {
    OrgKind.national_coordinator.value: N_("National coordinator"),
    OrgKind.sector_department.value: N_("Sector protection department"),
    OrgKind.provincial_department.value: N_("Provincial-level department"),
    OrgKind.state_council_office.value: N_("State Council office"),
    OrgKind.professional_institution.value: N_("Professional institution"),
    OrgKind.network_operator.value: N_("Network operator"),
}

KIND_PLURALS: dict[str, str] = {
    OrgKind.national_coordinator.value: N_("National coordinators"),
    OrgKind.sector_department.value: N_("Sector departments"),
    OrgKind.provincial_department.value: N_("Provincial departments"),
    OrgKind.state_council_office.value: N_("State Council offices"),
    OrgKind.professional_institution.value: N_("Professional institutions"),
    OrgKind.network_operator.value: N_("Network operators"),
}

# What the audit trail's action codes mean; an action not listed is shown by its code.
ACTION_NAMES: dict[str, str] = {
    "accounts.orgs.create": N_("Organisation created"),
    "accounts.orgs.update": N_("Organisation changed"),
    "accounts.users.create": N_("User created"),
    "accounts.users.update": N_("User changed"),
    "accounts.profile.update": N_("Own profile changed"),
    "accounts.session.login": N_("Signed in"),
    "accounts.session.login_failed": N_("Sign-in failed"),
    "accounts.session.login_refused": N_("Sign-in refused"),
    "accounts.session.logout": N_("Signed out"),
    "accounts.tokens.create": N_("API token created"),
    "accounts.tokens.revoke": N_("API token revoked"),
}

TARGET_NAMES: dict[str, str] = {
    "organisation": N_("Organisation"),
    "user": N_("User"),
    "api_token": N_("API token"),
}


def target_name(target_type: str) -> str:
    """What kind of thing an audit record is about, in the current language."""
    return gettext(TARGET_NAMES[target_type]) if target_type in TARGET_NAMES else target_type


def action_name(action: str) -> str:
    """What an audited action was, in the current language ("" when there is no name)."""
    return gettext(ACTION_NAMES[action]) if action in ACTION_NAMES else ""


def kind_name(kind: str) -> str:
    """An organisation kind in the current language."""
    return gettext(KIND_NAMES[kind]) if kind in KIND_NAMES else kind


def kind_plural(kind: str) -> str:
    """An organisation kind, plural, in the current language."""
    return gettext(KIND_PLURALS[kind]) if kind in KIND_PLURALS else kind


# Sigma rule levels, from the most to the least severe.
LEVEL_NAMES = {
    "critical": N_("Critical"),
    "high": N_("High"),
    "medium": N_("Medium"),
    "low": N_("Low"),
    "informational": N_("Informational"),
    "unknown": N_("Unknown"),
}


def level_name(level: str) -> str:
    """A Sigma rule level in the current language (the code if it is unknown)."""
    name = LEVEL_NAMES.get(level)
    return gettext(name) if name else level


def sector_name(code: str | None) -> str:
    """A sector's name in the current language (the code if it is unknown)."""
    if not code:
        return ""
    names = accounts_policy.sectors().get(code)
    return names[current_language()] if names else code


def region_name(code: str | None) -> str:
    """A GB/T 2260 region's name in the current language."""
    return accounts_policy.region_name(code, current_language())


def role_name(policy: Policy, role: str) -> str:
    """A role's name in the current language."""
    names = policy.roles.get(role)
    return names[current_language()] if names else role


def org_name(org: Organisation | None) -> str:
    """An organisation's name in the current language."""
    return org.name(current_language()) if org is not None else ""


ARTICLE = re.compile(r"Art\. (\d{1,2})(?:\((\d{1,2})\))?")
DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1-99 in Chinese numerals (as articles of law are numbered)."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return DIGITS[ones]
    prefix = "十" if tens == 1 else DIGITS[tens] + "十"
    return prefix + (DIGITS[ones] if ones else "")


def article(text: str | None) -> str:
    """A legal basis such as ``Art. 54(2)``, as 第五十四条第二款 in Chinese."""
    if not text or current_language() != "zh":
        return text or ""

    def spell(match: re.Match[str]) -> str:
        clause = f"第{chinese_number(int(match.group(2)))}款" if match.group(2) else ""
        return f"第{chinese_number(int(match.group(1)))}条{clause}"

    return ARTICLE.sub(spell, text)


def local_time(value: datetime | None) -> str:
    """A moment as ``YYYY-MM-DD HH:MM`` in China Standard Time."""
    if value is None:
        return ""
    return clock.as_utc(value).astimezone(DISPLAY_TZ).strftime("%Y-%m-%d %H:%M")


def local_seconds(value: datetime | None) -> str:
    """A moment as ``YYYY-MM-DD HH:MM:SS`` in China Standard Time."""
    if value is None:
        return ""
    return clock.as_utc(value).astimezone(DISPLAY_TZ).strftime("%Y-%m-%d %H:%M:%S")


def start_of_day(day: date) -> datetime:
    """Midnight of ``day`` in China Standard Time, as an aware moment."""
    return datetime.combine(day, time.min, tzinfo=DISPLAY_TZ)


def today() -> date:
    """Today's date in China Standard Time."""
    return clock.now().astimezone(DISPLAY_TZ).date()
