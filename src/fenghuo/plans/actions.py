"""Authority actions of emergency plans."""

from fenghuo.authority import Action

VIEW = "plans.plans.view"
MANAGE = "plans.plans.manage"

ACTIONS = (
    Action(
        VIEW,
        "Read emergency plans, their versions, and classify a report by a plan",
        changes_state=False,
        article="Art. 53",
    ),
    Action(
        MANAGE,
        "Import a new version of an emergency plan (the owner's administrators)",
        article="Art. 53",
    ),
)
