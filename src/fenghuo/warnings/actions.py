"""Authority actions of early warnings (Arts. 51, 54, 55).

The role grants are in ``authority/rules.yaml``; which colour for which scope an organisation
may issue is the active plan's ``warning_issuers``, checked in ``flows`` (rules
``warning-issuer-level`` and ``warning-issuer-scope``).
"""

from fenghuo.authority import Action

VIEW = "warnings.warnings.view"
DRAFT = "warnings.warnings.draft"
SUBMIT = "warnings.warnings.submit"
APPROVE = "warnings.warnings.approve"
PUBLISH = "warnings.warnings.publish"
ADJUST = "warnings.warnings.adjust"
LIFT = "warnings.warnings.lift"
CANCEL = "warnings.warnings.cancel"
MANAGE_KEYS = "warnings.keys.manage"

ACTIONS = (
    Action(
        VIEW,
        "See warnings: drafts of one's own organisation, those issued within one's visibility, "
        "and published ones addressed to one's organisation",
        changes_state=False,
        article="Art. 51",
    ),
    Action(DRAFT, "Draft a warning (or edit a draft) for one's own organisation", "Art. 54"),
    Action(SUBMIT, "Submit a draft warning for approval, or send a submitted one back", "Art. 54"),
    Action(APPROVE, "Approve a submitted warning", "Art. 51"),
    Action(PUBLISH, "Publish an approved warning (signed CAP Alert, notifications)", "Art. 54"),
    Action(ADJUST, "Adjust a published warning: a new version (CAP Update)", "Art. 54"),
    Action(LIFT, "Lift a published warning (CAP Update, AllClear)", "Art. 54"),
    Action(CANCEL, "Cancel a warning issued in error (CAP Cancel once published)", "Art. 51"),
    Action(MANAGE_KEYS, "Generate or rotate an organisation's warning-signing key", "Art. 51"),
)
