"""Why something was refused or rejected, in the reader's language, keyed by rule code.

Domains raise ``Invalid(field, rule)`` and ``Refused(reason, rule)`` with English text;
the console shows the translation of the rule instead. ``tests/web/test_i18n.py`` reads
every ``rule="..."`` in the domain packages and fails if one has no entry here. Pydantic's
error types (``missing``, ``string_too_short`` ...) are rules too, for form input.
"""

from __future__ import annotations

from fenghuo.accounts.policy import MIN_PASSWORD_LENGTH
from fenghuo.web.i18n import N_, gettext

RULE_MESSAGES: dict[str, str] = {
    # accounts: the organisation tree (Arts. 51-55)
    "root-kind": N_("The national coordinator is the root of the tree and has no parent."),
    "parent-required": N_("Choose the parent organisation."),
    "sector-required": N_("This kind of organisation needs a sector."),
    "known-sector": N_("Choose a sector from the list."),
    "region-required": N_("This kind of organisation needs a GB/T 2260 region code."),
    "gb-t-2260": N_("Enter a six-digit GB/T 2260 code of a province-level division."),
    "sector-of-parent": N_("An organisation must be in the same sector as its parent."),
    "region-of-parent": N_("An organisation must be in the same province as its parent."),
    "cii-operator-only": N_("Only network operators run critical information infrastructure."),
    "people-served-operator-only": N_("Only network operators declare the people they serve."),
    # accounts: people, passwords, tokens
    "role-required": N_("Choose at least one role."),
    "known-role": N_("Choose roles from the list."),
    "password-length": N_("A password needs at least %(min)s characters."),
    "password-username": N_("A password must not contain the username."),
    "password-confirm": N_("The two new passwords are not the same."),
    "current-password": N_("The current password is wrong."),
    "not-self": N_("You cannot deactivate your own account."),
    "known-action": N_("Name actions that exist, such as accounts.orgs.view."),
    "unique": N_("This value is already in use."),
    # sign-in
    "credentials": N_("Wrong username or password."),
    "account-locked": N_(
        "The account is locked after too many failed sign-ins. Try again later "
        "or ask an administrator to unlock it."
    ),
    "csrf-token": N_(
        "The form has expired or did not come from this site. Reload the page and try again."
    ),
    # authority decisions
    "public-action": N_("This is open to everyone."),
    "authentication-required": N_("Sign in first."),
    "token-scope": N_("This API token is not scoped for this action."),
    "no-grant": N_("None of your roles allows this action."),
    "out-of-scope": N_("The target is outside the visibility of your organisation."),
    # authority rules files (deployment configuration)
    "rules-shape": N_("The rules file does not have the expected shape."),
    "bilingual": N_("Every role needs a Chinese and an English name."),
    "range": N_("The value is out of range."),
    "scope-kind": N_("The visibility scope must be all, sector, region or self."),
    "target-relation": N_("The target relation must be any, visible, own_org or self."),
    "yaml-syntax": N_("The file is not valid YAML."),
    # form input (pydantic error types)
    "missing": N_("This field is required."),
    "string_too_short": N_("This field is required."),
    "string_too_long": N_("This is too long."),
    "string_pattern_mismatch": N_("The format is not valid."),
    "string_type": N_("Enter text."),
    "value_error": N_("The value is not valid."),
    "enum": N_("Choose one of the options."),
    "literal_error": N_("Choose one of the options."),
    "too_short": N_("Choose at least one."),
    "bool_parsing": N_("Choose yes or no."),
    "int_parsing": N_("Enter a whole number."),
    "greater_than_equal": N_("The number is too small."),
    "less_than_equal": N_("The number is too large."),
    "date-format": N_("Enter a date as YYYY-MM-DD."),
    # monitoring: uploading events in the console
    "file-too-large": N_("The file is over the ingest size limit; nothing was stored."),
    "gzip-body": N_("The file looks like gzip but cannot be inflated."),
    # detection: the rulebook (zip and YAML imports)
    "zip": N_("The file is not a zip archive."),
    "zip-path": N_("The archive holds a path outside its own folder; nothing was imported."),
    "zip-size": N_("The archive is too large once unpacked; nothing was imported."),
    "file-name": N_("Rule files end in .yml or .yaml."),
    # monitoring: hunting in the archive with read-only SQL
    "select-only": N_("Only a SELECT query may be run."),
    "one-statement": N_("Write exactly one SQL statement."),
    "sql-syntax": N_("The SQL is not valid."),
    "sql-error": N_("The query failed."),
    "sql-length": N_("The query is too long."),
    "hunt-max-rows": N_("Ask for fewer rows."),
    "hunt-range": N_("The time range is too long or ends before it starts."),
    "hunt-timeout": N_("The query ran past its time limit and was stopped."),
    # plans (Art. 53)
    "plan-shape": N_("The plan does not have the expected shape."),
    "plan-owner-fixed": N_("A new version of a plan cannot change its owner."),
    "plan-owner-org": N_("No organisation owns plans of this kind."),
    "plan-category": N_("Choose a category of the plan."),
    "known-plan": N_("There is no such plan."),
    "mapping": N_("This must be a mapping of names to values."),
    "number": N_("Enter a number."),
    "non-negative": N_("The number must not be negative."),
    "text": N_("Enter text."),
    "level": N_("Choose level I, II, III or IV."),
    "operator-type": N_("Choose the operator type."),
    "aware-time": N_("The time must carry its time zone."),
    "time": N_("Enter a date and time."),
    "time-range": N_("The time is out of the accepted range."),
    # incidents (Arts. 55, 57)
    "required": N_("This field is required."),
    "known-organisation": N_("There is no such organisation."),
    "known-asset": N_("There is no such asset registry entry."),
    "known-detection": N_("There is no such detection."),
    "asset-of-affected-operator": N_("The asset belongs to none of the affected operators."),
    "occurred-before-discovered": N_("An incident occurs before it is discovered."),
    "not-in-future": N_("The time is in the future."),
    "update-empty": N_("An update changes a field or says what is new."),
    "evidence-empty": N_("The file is empty."),
    "evidence-too-large": N_("The file is over the evidence size limit."),
    "evidence-type": N_("This type of file is not accepted as evidence."),
    "evidence-not-executable": N_("Executable files and scripts are never accepted as evidence."),
    "max-length": N_("This is too long."),
    # notification
    "notification-title": N_("A title is one line of 1 to 300 characters."),
    "notification-body": N_("The text of the notification is missing or too long."),
    "notification-kind": N_("Choose the kind of notification."),
    "recipients-required": N_("Choose at least one recipient organisation."),
    "recipients-limit": N_("Too many recipient organisations."),
    "reference-complete": N_("Give both what the notification is about and its id."),
    "escalate-after-range": N_("Escalation comes after more than 0 and at most 365 days."),
    "note-length": N_("The note is too long."),
    "tlp": N_("Choose a TLP 2.0 marking."),
    "delivery-state": N_("Choose a delivery state."),
    "endpoint-channel": N_("Choose webhook or e-mail."),
    "endpoints-limit": N_("The organisation has as many endpoints as it may have."),
    "endpoints-of-own-organisation": N_("An organisation manages only its own endpoints."),
    "email-address": N_("Enter a valid e-mail address."),
    "webhook-url": N_("Enter an https:// (or, for tests, http://) address."),
    # the risk model's parameters file
    "allowed-value": N_("Choose one of the allowed values."),
    "format": N_("The file does not declare the expected format."),
    "known-keys": N_("Give exactly the expected keys."),
    "list": N_("This must be a list."),
    "probability": N_("Enter a probability above 0 and below 1."),
    # life cycles (incidents, warnings)
    "invalid-transition": N_("This step is not possible in the present state."),
    # warnings (Arts. 51, 54)
    "warning-issuer-level": N_("Your organisation may not issue a warning of this colour."),
    "warning-issuer-scope": N_("Your organisation may not issue a warning for this scope."),
    "cap-schema": N_("The CAP document did not validate; nothing was issued."),
    "fixed-after-publication": N_("This is fixed once published; cancel and issue anew."),
    "known-category": N_("Choose a category of the plan."),
    "no-change": N_("An adjustment changes something."),
    "order": N_("The expiry must come after the effective time."),
    "public-has-no-tlp": N_("A public warning carries no TLP restriction."),
    "reason-required": N_("Say why."),
    "region": N_("Enter GB/T 2260 codes of known provinces."),
    "sector": N_("Choose known sectors."),
    "evidence-description": N_("At most 2,000 characters of text."),
    "merge-other": N_("An incident cannot merge into itself."),
    # monitoring: products on assets and the vulnerability catalogue (CVE JSON 5, CISA KEV)
    "cidr": N_("Enter an address range in CIDR form, e.g. 10.44.0.0/16."),
    "registered-asset": N_("Register the asset in the asset registry first."),
    "cpe-agrees": N_("The CPE name and the vendor, product and version given must agree."),
    "cpe-names-product": N_("A CPE name must name one vendor and one product."),
    "cvss-score": N_("A CVSS score lies between 0 and 10."),
    "json": N_("The file is not valid JSON."),
    "kev-catalogue": N_("The file is not a CISA KEV catalogue (a vulnerabilities list)."),
    # monitoring: sector submissions (Art. 52)
    "scale-line": N_("Write one number per line as name: number."),
    "period-order": N_("The end of the period is before its start."),
    "submissions-from-departments": N_(
        "Monitoring information is submitted upward by sector and provincial-level departments."
    ),
}

# Where one field breaks a generic rule, say it in that field's terms.
FIELD_RULE_MESSAGES: dict[tuple[str, str], str] = {
    ("username", "string_pattern_mismatch"): N_(
        "3 to 64 characters: lower-case letters, digits, dots, hyphens and underscores, "
        "starting with a letter or digit."
    ),
    ("region_code", "string_pattern_mismatch"): N_(
        "Enter a six-digit GB/T 2260 code of a province-level division."
    ),
    ("sector_code", "string_pattern_mismatch"): N_("Choose a sector from the list."),
    ("email", "value_error"): N_("Enter a valid e-mail address."),
    ("contact_email", "value_error"): N_("Enter a valid e-mail address."),
    ("roles", "too_short"): N_("Choose at least one role."),
    ("username", "unique"): N_("This username is taken."),
    ("parent_id", "unique"): N_("The tree already has its national coordinator."),
    ("expires_in_days", "greater_than_equal"): N_("Enter a number of days from 1 to 3650."),
    ("expires_in_days", "less_than_equal"): N_("Enter a number of days from 1 to 3650."),
}

VARIABLES: dict[str, dict[str, object]] = {"password-length": {"min": MIN_PASSWORD_LENGTH}}


def has_message(rule: str) -> bool:
    """Whether the console can explain ``rule`` in both languages."""
    return rule in RULE_MESSAGES


def explain(rule: str, *, field: str | None = None, fallback: str = "") -> str:
    """The rule (as broken by ``field``) in the current language; ``fallback`` if unknown."""
    message = FIELD_RULE_MESSAGES.get((field or "", rule)) or RULE_MESSAGES.get(rule)
    if message is None:
        return fallback or rule
    return gettext(message, **VARIABLES.get(rule, {}))
