"""``check`` and ``require``: the one place authority is decided."""

from __future__ import annotations

from fenghuo.authority.actor import Actor, ActorKind, OrgRef, Target
from fenghuo.authority.policy import Decision, Grant, Policy, VisibilityScope
from fenghuo.errors import Refused


def check(actor: Actor, action: str, target: Target | None = None) -> Decision:
    """May ``actor`` take ``action`` on ``target``? The decision names its rule."""
    policy = actor.policy
    registered = policy.action(action)
    if registered.public:
        return Decision(True, "public-action", f"{action} is open to everyone", registered.article)
    if actor.kind is ActorKind.anonymous:
        return Decision(False, "authentication-required", f"{action} needs a signed-in user")
    if (
        actor.token_scopes is not None
        and action not in actor.token_scopes
        and not _scope_pattern_hit(actor.token_scopes, action)
    ):
        return Decision(False, "token-scope", f"this API token is not scoped for {action}")
    grants = policy.grants_for(actor.roles, action)
    if not grants:
        roles = ", ".join(sorted(actor.roles)) or "no role"
        return Decision(False, "no-grant", f"{roles} may not {action}", registered.article)
    for grant in grants:
        if _relation_holds(policy, grant, actor, target):
            reason = grant.description or f"{grant.rule} allows {action}"
            return Decision(True, grant.rule, reason, grant.article or registered.article)
    return Decision(
        False, "out-of-scope", _out_of_scope_reason(actor, target, grants), registered.article
    )


def require(actor: Actor, action: str, target: Target | None = None) -> Decision:
    """Like ``check``, but raise ``Refused`` (naming the rule) when not allowed."""
    decision = check(actor, action, target)
    if not decision.allowed:
        raise Refused(decision.reason, rule=decision.rule, article=decision.article)
    return decision


def visibility(actor: Actor, action: str | None = None) -> VisibilityScope:
    """The organisations ``actor`` may see, or may take ``action`` on, for filtering lists.

    Without an action this is the organisation kind's visibility. With one, the actor's
    grants for it may narrow that: a grant that reaches only the actor's own organisation
    (``own_org``, ``self``) narrows the list to it, one with ``any`` widens it to all.
    """
    if actor.kind is ActorKind.system:
        return VisibilityScope(kind="all", org_id=None, org_path=None)
    if actor.org is None:
        return VisibilityScope(kind="self", org_id="", org_path=None)
    org = actor.org
    rule = actor.policy.visibility.get(org.kind)
    kind = rule.scope if rule else "self"
    prefix = org.region[: actor.policy.region_prefix_length] if org.region else None
    scope = VisibilityScope(
        kind=kind, org_id=org.id, org_path=org.path, sector=org.sector, region_prefix=prefix
    )
    if action is None:
        return scope
    relations = {grant.target for grant in actor.policy.grants_for(actor.roles, action)}
    if "any" in relations:
        return VisibilityScope(kind="all", org_id=org.id, org_path=org.path)
    if "visible" in relations:
        return scope
    return VisibilityScope(kind="self", org_id=org.id, org_path=org.path)


def can_see(policy: Policy, viewer: OrgRef, target: OrgRef) -> bool:
    """Whether ``viewer`` may see ``target``: its own subtree, plus its kind's scope."""
    if target.path.startswith(viewer.path):
        return True
    rule = policy.visibility.get(viewer.kind)
    if rule is None:
        return False
    if rule.scope == "all":
        return True
    if rule.scope == "sector":
        return viewer.sector is not None and target.sector == viewer.sector
    if rule.scope == "region":
        length = policy.region_prefix_length
        if viewer.region is None or target.region is None:
            return False
        return target.region[:length] == viewer.region[:length]
    return False


def _relation_holds(policy: Policy, grant: Grant, actor: Actor, target: Target | None) -> bool:
    if grant.target == "any" or target is None:
        return True
    if grant.target == "self":
        return target.user_id is not None and target.user_id == actor.user_id
    if target.org is None or actor.org is None:
        return False
    if grant.target == "own_org":
        return target.org.path.startswith(actor.org.path)
    return can_see(policy, actor.org, target.org)


def _scope_pattern_hit(scopes: frozenset[str], action: str) -> bool:
    return any(scope.endswith(".*") and action.startswith(scope[:-1]) for scope in scopes)


def _out_of_scope_reason(actor: Actor, target: Target | None, grants: list[Grant]) -> str:
    what = target.description if target and target.description else "the target"
    if target and target.org and not target.description:
        what = f"organisation {target.org.name or target.org.id}"
    relations = {g.target for g in grants}
    if relations == {"self"}:
        return f"{actor.label} may do this only for their own account, not {what}"
    org_name = actor.org.name if actor.org else "no organisation"
    return f"{what} is outside the visibility of {org_name}"
