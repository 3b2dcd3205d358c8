"""Authority actions of organisations and people."""

from fenghuo.authority import Action

ACTIONS = (
    Action("accounts.orgs.view", "See organisations", changes_state=False),
    Action("accounts.orgs.create", "Create an organisation", article="Art. 51"),
    Action("accounts.orgs.update", "Change an organisation", article="Art. 51"),
    Action("accounts.users.view", "See people and their roles", changes_state=False),
    Action("accounts.users.create", "Create a user account"),
    Action("accounts.users.update", "Change a user's details, roles, activation or lock"),
    Action(
        "accounts.profile.view",
        "See one's own account, organisation and roles",
        changes_state=False,
    ),
    Action("accounts.profile.update", "Change one's own profile, language or password"),
    Action("accounts.tokens.manage", "Create and revoke one's own API tokens"),
    Action("accounts.session.login", "Sign in", public=True),
    Action("accounts.session.logout", "End one's own console session or access token"),
    Action(
        "accounts.reference.view",
        "Read reference data: sectors, GB/T 2260 regions, roles",
        changes_state=False,
    ),
    Action("console.dashboard.view", "See the dashboard", changes_state=False),
    Action("public.portal.view", "Read the public portal", public=True, changes_state=False),
    Action(
        "system.health.view", "Read health, readiness and metrics", public=True, changes_state=False
    ),
    Action("system.docs.view", "Read the API documentation", public=True, changes_state=False),
)

# Recorded in the audit trail by sign-in and token flows; not granted to anyone.
AUDIT_ONLY = (
    "accounts.session.login",
    "accounts.session.login_failed",
    "accounts.session.login_refused",
    "accounts.session.logout",
    "accounts.tokens.create",
    "accounts.tokens.revoke",
)
