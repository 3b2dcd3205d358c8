"""Who may do what: one place answers "may this actor do this action on this target?".

The answer is a ``Decision`` naming the rule and the article of law behind it. Rules are
data (``rules.yaml`` in the package, or a deployment's own file), never ``if`` statements
in views. Evaluation order, which matters:

1. an action marked ``public`` is allowed to anyone, signed in or not;
2. an anonymous actor is refused everything else;
3. an API token limited to some actions is refused the others;
4. a grant must give one of the actor's roles the action;
5. the grant's target relation must hold: ``any``, ``visible`` (the target organisation
   is within the actor organisation's visibility, Arts. 51-55), ``own_org`` or ``self``.
"""

from fenghuo.authority.actions import Action
from fenghuo.authority.actor import Actor, ActorKind, OrgRef, Target
from fenghuo.authority.policy import Decision, Policy, VisibilityScope, load_policy
from fenghuo.authority.service import check, require, visibility

__all__ = [
    "Action",
    "Actor",
    "ActorKind",
    "Decision",
    "OrgRef",
    "Policy",
    "Target",
    "VisibilityScope",
    "check",
    "load_policy",
    "require",
    "visibility",
]
