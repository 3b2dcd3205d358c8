"""Who is acting, and on what. Plain data: authority never touches the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fenghuo.authority.policy import Policy


@dataclass(frozen=True)
class OrgRef:
    """The facts about an organisation that authority decisions depend on."""

    id: str
    kind: str
    path: str
    sector: str | None = None
    region: str | None = None
    name: str = ""


class ActorKind(StrEnum):
    user = "user"
    system = "system"
    anonymous = "anonymous"


@dataclass(frozen=True)
class Actor:
    """A signed-in user, the local system operator (CLI), or an anonymous visitor."""

    kind: ActorKind
    policy: Policy = field(compare=False, repr=False)
    user_id: str | None = None
    username: str = ""
    org: OrgRef | None = None
    roles: frozenset[str] = frozenset()
    token_scopes: frozenset[str] | None = None
    language: str | None = None

    @classmethod
    def system(cls, policy: Policy, *, label: str = "system") -> Actor:
        """The deployment's own operator, acting from the server's command line."""
        return cls(
            kind=ActorKind.system, policy=policy, username=label, roles=frozenset({"system"})
        )

    @classmethod
    def anonymous(cls, policy: Policy) -> Actor:
        """A visitor who has not signed in."""
        return cls(kind=ActorKind.anonymous, policy=policy)

    @property
    def label(self) -> str:
        """How the actor is named in the audit trail."""
        if self.kind is ActorKind.anonymous:
            return "anonymous"
        return self.username or self.kind.value


@dataclass(frozen=True)
class Target:
    """What an action is aimed at: an organisation, and a user where the action is personal."""

    org: OrgRef | None = None
    user_id: str | None = None
    description: str = ""
