"""Audit summaries in the reader's language, built from the facts each record keeps.

A record's ``summary`` is written once, in English, by the flow that made the change; its
``details`` keep the facts (names in both languages, fields changed). The console tells
the story again from those facts in the reader's language, and falls back to the recorded
summary for a record whose facts it does not know how to tell.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fenghuo.audit.models import AuditRecord
from fenghuo.web import labels
from fenghuo.web.i18n import N_, current_language, gettext

Facts = Mapping[str, Any]

FIELD_NAMES: dict[str, str] = {
    "name_zh": N_("Chinese name"),
    "name_en": N_("English name"),
    "sector_code": N_("sector"),
    "region_code": N_("region"),
    "is_cii": N_("CII flag"),
    "people_served": N_("people served"),
    "contact_email": N_("contact e-mail"),
    "is_active": N_("activation"),
    "display_name": N_("display name"),
    "email": N_("e-mail"),
    "language": N_("language"),
    "roles": N_("roles"),
    "unlock": N_("lock"),
    "password": N_("password"),
    "format": N_("format"),
    "description": N_("description"),
}
VIA_NAMES: dict[str, str] = {
    "session": N_("console"),
    "access": N_("API access token"),
}


def _in_language(facts: Facts, key: str) -> str:
    return str(facts.get(f"{key}_{current_language()}") or facts.get(f"{key}_en") or "")


def _fields(facts: Facts) -> str:
    names = [gettext(FIELD_NAMES[f]) if f in FIELD_NAMES else str(f) for f in facts["fields"]]
    return ("、" if current_language() == "zh" else ", ").join(names) or gettext("nothing")


def _org_created(facts: Facts) -> str:
    kind = labels.kind_name(str(facts["kind"]))
    return gettext("Created %(kind)s %(org)s", kind=kind, org=_in_language(facts, "org"))


def _org_changed(facts: Facts) -> str:
    return gettext(
        "Changed %(fields)s of %(org)s", fields=_fields(facts), org=_in_language(facts, "org")
    )


def _user_created(facts: Facts) -> str:
    return gettext(
        "Created user %(username)s (%(roles)s) in %(org)s",
        username=facts["username"],
        roles=_in_language(facts, "roles"),
        org=_in_language(facts, "org"),
    )


def _user_changed(facts: Facts) -> str:
    return gettext(
        "Changed %(fields)s of user %(username)s", fields=_fields(facts), username=facts["username"]
    )


def _profile_changed(facts: Facts) -> str:
    return gettext("Changed own %(fields)s", fields=_fields(facts))


def _signed_in(facts: Facts) -> str:
    via = str(facts["via"])
    return gettext("Signed in (%(via)s)", via=gettext(VIA_NAMES[via]) if via in VIA_NAMES else via)


def _sign_in_failed(facts: Facts) -> str:
    if facts.get("locked_minutes"):
        return gettext(
            "Failed sign-in #%(failures)s; the account is locked for %(minutes)s minutes",
            failures=facts["failures"],
            minutes=facts["locked_minutes"],
        )
    return gettext("Failed sign-in #%(failures)s", failures=facts["failures"])


def _sign_in_refused(_facts: Facts) -> str:
    return gettext("Sign-in refused: the account is locked")


def _signed_out(_facts: Facts) -> str:
    return gettext("Signed out")


def _token_created(facts: Facts) -> str:
    return gettext(
        "Created API token %(token)s (%(prefix)s…) for %(username)s",
        token=facts["token"],
        prefix=facts["prefix"],
        username=facts["username"],
    )


def _token_revoked(facts: Facts) -> str:
    return gettext(
        "Revoked API token %(token)s (%(prefix)s…)", token=facts["token"], prefix=facts["prefix"]
    )


def _source_managed(facts: Facts) -> str:
    change, source = str(facts["change"]), facts["source"]
    if change == "created":
        return gettext(
            "Registered source %(source)s for %(org)s",
            source=source,
            org=_in_language(facts, "org"),
        )
    if change == "rotated":
        return gettext("Rotated the token of source %(source)s", source=source)
    return gettext("Changed %(fields)s of source %(source)s", fields=_fields(facts), source=source)


def _events_ingested(facts: Facts) -> str:
    return gettext(
        "%(accepted)s events accepted, %(rejected)s rejected",
        accepted=facts["accepted"],
        rejected=facts["rejected"],
    )


def _assets_imported(facts: Facts) -> str:
    return gettext(
        "Imported %(rows)s asset registry rows (%(changed)s added or changed)",
        rows=facts["rows"],
        changed=facts["changed"],
    )


def _indicators_imported(facts: Facts) -> str:
    return gettext(
        "Imported %(added)s new and %(updated)s refreshed indicators into set %(set)s",
        added=facts["added"],
        updated=facts["updated"],
        set=facts["set"],
    )


def _submitted(facts: Facts) -> str:
    return gettext(
        "%(org)s submitted monitoring information: %(title)s (TLP:%(tlp)s)",
        org=_in_language(facts, "org"),
        title=facts["title"],
        tlp=facts["tlp"],
    )


def _batch_detected(facts: Facts) -> str:
    return gettext(
        "%(detections)s detections in %(events)s events of an ingest batch",
        detections=facts["detections"],
        events=facts["events"],
    )


def _plan_versioned(facts: Facts) -> str:
    return gettext(
        "Stored version %(version)s of plan %(plan)s", version=facts["version"], plan=facts["plan"]
    )


def _notified(facts: Facts) -> str:
    return gettext(
        "Sent %(kind)s “%(title)s” to %(n)s organisations",
        kind=labels.notification_kind_name(str(facts["kind"])),
        title=facts["title"],
        n=facts["recipients"],
    )


def _acknowledged(facts: Facts) -> str:
    return gettext("Acknowledged “%(title)s”", title=facts["title"])


def _evidence_added(facts: Facts) -> str:
    return gettext(
        "Added evidence %(file)s (%(size)s bytes)", file=facts["filename"], size=facts["size"]
    )


def _level_overridden(facts: Facts) -> str:
    return gettext(
        "Set the level to %(level)s (computed: %(computed)s): %(reason)s",
        level=facts["final_level"],
        computed=facts["computed_level"] or "—",
        reason=facts["reason"],
    )


def _task_completed(facts: Facts) -> str:
    if facts["directive"]:
        told = gettext("Reported a directive done")
    else:
        told = gettext("Reported a task done")
    return told + (gettext(" (late)") if facts["late"] else "")


def _referred(facts: Facts) -> str:
    return gettext(
        "Referred the incident to %(recipient)s (%(authority)s)",
        recipient=facts["recipient"],
        authority=labels.referral_authority_name(str(facts["authority"])),
    )


def _timeline_added(facts: Facts) -> str:
    return gettext(
        "Added to the timeline: %(kind)s", kind=labels.entry_kind_name(str(facts["kind"]))
    )


def _response_managed(facts: Facts) -> str:
    if "activated_level" in facts:
        return gettext(
            "Plan %(plan)s activated at level %(level)s: "
            "%(tasks)s tasks, %(directives)s directives",
            plan=facts["plan"],
            level=facts["activated_level"],
            tasks=len(facts["tasks"]),
            directives=facts["directives"],
        )
    if "to" in facts:
        return gettext(
            "Moved the incident from %(from)s to %(to)s",
            **{
                "from": labels.incident_state_name(str(facts["from"])),
                "to": labels.incident_state_name(str(facts["to"])),
            },
        )
    raise KeyError("to")


WARNING_STEPS = {
    "warnings.warnings.draft": N_("Drafted warning %(identifier)s (%(colour)s): %(title)s"),
    "warnings.warnings.submit": N_("Submitted warning %(identifier)s (%(colour)s): %(title)s"),
    "warnings.warnings.approve": N_("Approved warning %(identifier)s (%(colour)s): %(title)s"),
    "warnings.warnings.publish": N_("Published warning %(identifier)s (%(colour)s): %(title)s"),
    "warnings.warnings.adjust": N_("Adjusted warning %(identifier)s (%(colour)s): %(title)s"),
    "warnings.warnings.lift": N_("Lifted warning %(identifier)s (%(colour)s): %(title)s"),
    "warnings.warnings.cancel": N_("Cancelled warning %(identifier)s (%(colour)s): %(title)s"),
}


def _warning_step(action: str) -> Callable[[Facts], str]:
    def tell(facts: Facts) -> str:
        return gettext(
            WARNING_STEPS[action],
            identifier=facts["identifier"],
            colour=labels.warning_colour_name(str(facts["colour"])),
            title=_in_language(facts, "title"),
        )

    return tell


def _rules_changed(facts: Facts) -> str:
    if facts["change"] == "import":
        return gettext(
            "Imported rules: %(created)s new, %(updated)s new versions, %(broken)s not compiling",
            created=len(facts["created"]),
            updated=len(facts["updated"]),
            broken=facts["not_compiled"],
        )
    if facts["change"] == "enable":
        return gettext("Enabled rule %(key)s: %(reason)s", key=facts["key"], reason=facts["reason"])
    return gettext("Disabled rule %(key)s: %(reason)s", key=facts["key"], reason=facts["reason"])


def _hunted(facts: Facts) -> str:
    return gettext(
        "Ran a hunting query (%(rows)s rows): %(sql)s",
        rows=facts["rows"],
        sql=str(facts["sql"])[:200],
    )


TELLERS: dict[str, Callable[[Facts], str]] = {
    **{action: _warning_step(action) for action in WARNING_STEPS},
    "detection.rules.manage": _rules_changed,
    "monitoring.events.hunt": _hunted,
    "plans.plans.manage": _plan_versioned,
    "notification.notifications.send": _notified,
    "notification.reports.send": _notified,
    "notification.notifications.acknowledge": _acknowledged,
    "incidents.evidence.add": _evidence_added,
    "incidents.level.override": _level_overridden,
    "incidents.tasks.complete": _task_completed,
    "incidents.referrals.create": _referred,
    "incidents.timeline.add": _timeline_added,
    "incidents.response.manage": _response_managed,
    "monitoring.indicators.manage": _indicators_imported,
    "monitoring.submissions.create": _submitted,
    "detection.batches.process": _batch_detected,
    "monitoring.sources.manage": _source_managed,
    "monitoring.events.ingest": _events_ingested,
    "monitoring.assets.manage": _assets_imported,
    "accounts.orgs.create": _org_created,
    "accounts.orgs.update": _org_changed,
    "accounts.users.create": _user_created,
    "accounts.users.update": _user_changed,
    "accounts.profile.update": _profile_changed,
    "accounts.session.login": _signed_in,
    "accounts.session.login_failed": _sign_in_failed,
    "accounts.session.login_refused": _sign_in_refused,
    "accounts.session.logout": _signed_out,
    "accounts.tokens.create": _token_created,
    "accounts.tokens.revoke": _token_revoked,
}


def audit_summary(record: AuditRecord) -> str:
    """The record's summary in the current language, or as recorded when its facts are unknown."""
    teller = TELLERS.get(record.action)
    if teller is None:
        return record.summary
    try:
        return teller(record.details or {})
    except KeyError:  # an older record, written before its flow kept these facts
        return record.summary
