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
