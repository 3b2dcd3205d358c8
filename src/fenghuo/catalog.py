"""The composition root's list of what every domain declares (authority actions)."""

from __future__ import annotations

from fenghuo.authority import Action, Policy, load_policy
from fenghuo.settings import Settings


def all_actions() -> tuple[Action, ...]:
    """Every authority action that every domain declares."""
    from fenghuo.accounts.actions import ACTIONS as accounts_actions
    from fenghuo.audit.actions import ACTIONS as audit_actions
    from fenghuo.detection.actions import ACTIONS as detection_actions
    from fenghuo.incidents.actions import ACTIONS as incidents_actions
    from fenghuo.monitoring.actions import ACTIONS as monitoring_actions
    from fenghuo.notification.actions import ACTIONS as notification_actions
    from fenghuo.plans.actions import ACTIONS as plans_actions
    from fenghuo.risk.actions import ACTIONS as risk_actions
    from fenghuo.warnings.actions import ACTIONS as warnings_actions

    return (
        *accounts_actions,
        *audit_actions,
        *monitoring_actions,
        *detection_actions,
        *incidents_actions,
        *notification_actions,
        *plans_actions,
        *risk_actions,
        *warnings_actions,
    )


def policy_for(settings: Settings) -> Policy:
    """The authority policy of this deployment: its rules file, or the packaged one."""
    return load_policy(all_actions(), settings.authority_rules_path)
