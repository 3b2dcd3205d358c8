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


OPERATOR_TYPE_NAMES = {
    "cii": N_("Critical information infrastructure operator"),
    "central_organ": N_("Central or state organ"),
    "other": N_("Other network operator"),
}
ENTRY_KIND_NAMES = {"event": N_("Event"), "action": N_("Action"), "decision": N_("Decision")}
REFERRAL_AUTHORITY_NAMES = {
    "emergency_management": N_("Emergency management authority"),
    "work_safety": N_("Work safety authority"),
}
INCIDENT_STATE_NAMES = {
    "reported": N_("Reported"),
    "classified": N_("Classified"),
    "responding": N_("Responding"),
    "recovering": N_("Recovering"),
    "closed": N_("Closed"),
    "cancelled": N_("Cancelled"),
}
CLOCK_KIND_NAMES = {
    "first_report": N_("First report"),
    "escalation": N_("Escalation upward"),
    "final_report": N_("Final summary report"),
}
CLOCK_STATE_NAMES = {
    "pending": N_("Pending"),
    "on_time": N_("On time"),
    "late": N_("Late"),
    "overdue": N_("Overdue"),
}
REPORT_KIND_NAMES = {
    "first": N_("First report"),
    "update": N_("Update"),
    "escalation": N_("Escalation"),
    "final": N_("Final summary report"),
}


IMPACT_NAMES = {
    "outage_whole_min": N_("Outage of the whole system (minutes)"),
    "outage_mainfn_min": N_("Outage of main functions (minutes)"),
    "people_affected": N_("People affected"),
    "pi_records_citizens": N_("Citizens' personal information leaked (records)"),
    "econ_loss_cny": N_("Direct economic loss (yuan)"),
    "pop_share_by_region": N_("Share of a region's population affected (%)"),
    "portal_outage_min": N_("Portal unreachable (minutes)"),
    "core_or_important_data": N_("Core or important data involved (level)"),
    "regulator_override_level": N_("Level determined by the regulator"),
}
LATER_NAMES = {
    "trend": N_("Trend and possible further harm"),
    "cause": N_("Cause"),
    "attribution": N_("Attribution leads (attacker, path, vulnerabilities)"),
    "planned_measures": N_("Measures planned"),
    "support_requested": N_("Support requested"),
    "scene_preservation": N_("Preservation of the scene"),
    "harm_evaluation": N_("Evaluation of the harm"),
    "note": N_("What is new in this update"),
}
FINAL_NAMES = {
    "cause": N_("Cause"),
    "measures": N_("Measures taken"),
    "harm": N_("Harm"),
    "accountability": N_("Accountability"),
    "rectification": N_("Rectification"),
    "lessons": N_("Lessons learned"),
}


def impact_label(name: str) -> str:
    """An impact input of the classification matrix, named in the current language."""
    return _named(IMPACT_NAMES, name)


def later_label(name: str) -> str:
    """An item of a report completed by updates, named in the current language."""
    return _named(LATER_NAMES, name)


def final_label(name: str) -> str:
    """A section of the final summary report, named in the current language."""
    return _named(FINAL_NAMES, name)


def _named(names: dict[str, str], code: str | None) -> str:
    if not code:
        return ""
    name = names.get(code)
    return gettext(name) if name else code


NOTIFICATION_KIND_NAMES = {
    "directive": N_("Directive"),
    "report": N_("Report"),
    "warning": N_("Warning"),
    "notice": N_("Notice"),
}


WARNING_COLOUR_NAMES = {
    "red": N_("Red warning (particularly serious)"),
    "orange": N_("Orange warning (serious)"),
    "yellow": N_("Yellow warning (fairly serious)"),
    "blue": N_("Blue warning (general)"),
}
PUBLIC_STATE_NAMES = {
    "active": N_("In force now"),
    "lifted": N_("Lifted"),
    "cancelled": N_("Cancelled"),
    "expired": N_("Expired"),
}


WARNING_STATE_NAMES = {
    "draft": N_("Draft"),
    "submitted": N_("Submitted"),
    "approved": N_("Approved"),
    "published": N_("Published"),
    "lifted": N_("Lifted"),
    "cancelled": N_("Cancelled"),
}
AUDIENCE_NAMES = {"departments": N_("Departments only"), "public": N_("The public")}


def warning_state_name(code: str | None) -> str:
    """Where a warning is in its life cycle, in the current language."""
    return _named(WARNING_STATE_NAMES, code)


def audience_name(code: str | None) -> str:
    """Whom a warning is for, in the current language."""
    return _named(AUDIENCE_NAMES, code)


def warning_colour_name(code: str | None) -> str:
    """A warning level by its colour, in the current language."""
    return _named(WARNING_COLOUR_NAMES, code)


def public_state_name(code: str | None) -> str:
    """How a public warning stands, in the current language."""
    return _named(PUBLIC_STATE_NAMES, code)


def notification_kind_name(code: str | None) -> str:
    """A kind of notification in the current language."""
    return _named(NOTIFICATION_KIND_NAMES, code)


def operator_type_name(code: str | None) -> str:
    """An operator type (deadlines depend on it) in the current language."""
    return _named(OPERATOR_TYPE_NAMES, code)


def entry_kind_name(code: str | None) -> str:
    """A timeline entry kind in the current language."""
    return _named(ENTRY_KIND_NAMES, code)


def referral_authority_name(code: str | None) -> str:
    """An Art. 57 referral authority in the current language."""
    return _named(REFERRAL_AUTHORITY_NAMES, code)


def incident_state_name(code: str | None) -> str:
    """An incident state in the current language."""
    return _named(INCIDENT_STATE_NAMES, code)


def clock_kind_name(code: str | None) -> str:
    """A deadline clock's kind in the current language."""
    return _named(CLOCK_KIND_NAMES, code)


def clock_state_name(code: str | None) -> str:
    """A deadline clock's state in the current language."""
    return _named(CLOCK_STATE_NAMES, code)


def report_kind_name(code: str | None) -> str:
    """A kind of incident report in the current language."""
    return _named(REPORT_KIND_NAMES, code)


def countdown(seconds: int | None) -> str:
    """Time left (or past due, negative) as days, hours and minutes in the current language."""
    if seconds is None:
        return ""
    past = seconds < 0
    minutes = abs(seconds) // 60
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if days:
        parts.append(gettext("%(n)s d", n=days))
    if hours or days:
        parts.append(gettext("%(n)s h", n=hours))
    parts.append(gettext("%(n)s min", n=minutes))
    span = " ".join(parts)
    return gettext("%(span)s overdue", span=span) if past else gettext("%(span)s left", span=span)


def typed_local(value: str) -> datetime | str | None:
    """A ``datetime-local`` form value read as Beijing time, the zone the console shows.

    Empty is None; text that is not a time is returned as it is, so that the model it is
    checked by names the field.
    """
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=DISPLAY_TZ)
    except ValueError:
        return value


def now() -> datetime:
    """The present moment (the clock tests can freeze)."""
    return clock.now()


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
