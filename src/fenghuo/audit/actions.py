"""Authority actions of the audit trail."""

from fenghuo.authority import Action

ACTIONS = (
    Action("audit.view", "Read the audit trail", changes_state=False),
    Action("audit.verify", "Verify the integrity of the audit chain", changes_state=False),
)
