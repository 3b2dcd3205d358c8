"""The console's navigation, by capability, as data.

Each item names the authority action that opens it; an item is shown only to actors
allowed that action. Capabilities not built yet are listed without a link ("coming"):
when one lands, it adds its router to ``fenghuo.web.routes.ROUTERS`` and gives its item
an ``href`` and an ``action`` here (see docs/console.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from fenghuo.authority import Actor, check
from fenghuo.web.i18n import N_


@dataclass(frozen=True)
class NavItem:
    """One entry: a label (an English msgid), where it goes, and the action it needs."""

    key: str
    label: str
    href: str | None = None
    action: str | None = None
    article: str | None = None

    @property
    def coming(self) -> bool:
        """Whether the capability is not built yet."""
        return self.href is None


@dataclass(frozen=True)
class NavSection:
    """A group of entries under a heading."""

    key: str
    label: str
    items: tuple[NavItem, ...]


@dataclass(frozen=True)
class ShownItem:
    """An entry as one actor sees it on one page."""

    item: NavItem
    active: bool


@dataclass(frozen=True)
class ShownSection:
    """A section as one actor sees it."""

    section: NavSection
    items: tuple[ShownItem, ...]


NAVIGATION: tuple[NavSection, ...] = (
    NavSection(
        "overview",
        N_("Overview"),
        (NavItem("dashboard", N_("Dashboard"), "/dashboard", "console.dashboard.view"),),
    ),
    NavSection(
        "operations",
        N_("Operations"),
        (
            NavItem(
                "monitoring",
                N_("Monitoring"),
                "/monitoring",
                "monitoring.sources.view",
                article="Art. 51",
            ),
            NavItem(
                "detections",
                N_("Detections"),
                "/detections",
                "detection.detections.view",
                article="Art. 51",
            ),
            NavItem(
                "rules", N_("Detection rules"), "/rules", "detection.rules.view", article="Art. 51"
            ),
            NavItem(
                "hunting", N_("Hunting"), "/hunting", "monitoring.events.hunt", article="Art. 51"
            ),
            NavItem(
                "submissions",
                N_("Submissions"),
                "/submissions",
                "monitoring.submissions.view",
                article="Art. 52",
            ),
            NavItem(
                "risk", N_("Risk assessment"), "/risk", "risk.assessments.view", article="Art. 54"
            ),
            NavItem(
                "warnings",
                N_("Early warnings"),
                "/warnings",
                "warnings.warnings.view",
                article="Art. 54",
            ),
            NavItem(
                "incidents",
                N_("Incidents"),
                "/incidents",
                "incidents.incidents.view",
                article="Art. 55",
            ),
            NavItem(
                "notifications",
                N_("Notifications"),
                "/notifications",
                "notification.notifications.view",
                article="Art. 52",
            ),
        ),
    ),
    NavSection(
        "preparedness",
        N_("Preparedness"),
        (
            NavItem(
                "plans", N_("Emergency plans"), "/plans", "plans.plans.view", article="Art. 53"
            ),
            NavItem("exercises", N_("Exercises"), article="Art. 53"),
            NavItem("enforcement", N_("Enforcement"), article="Art. 56"),
            NavItem("restrictions", N_("Restrictions"), article="Art. 58"),
        ),
    ),
    NavSection(
        "administration",
        N_("Administration"),
        (
            NavItem("organisations", N_("Organisations"), "/organisations", "accounts.orgs.view"),
            NavItem("users", N_("Users"), "/users", "accounts.users.view"),
            NavItem("audit", N_("Audit trail"), "/audit", "audit.view"),
        ),
    ),
)


def is_shown(item: NavItem, actor: Actor) -> bool:
    """Coming items are shown to everyone signed in; the others to those allowed their action."""
    if item.action is None:
        return True
    return check(actor, item.action).allowed


def for_actor(actor: Actor, path: str) -> tuple[ShownSection, ...]:
    """The sections and entries ``actor`` sees, with the one for ``path`` marked active."""
    shown: list[ShownSection] = []
    for section in NAVIGATION:
        items = tuple(
            ShownItem(item, active=bool(item.href) and _is_under(path, item.href or ""))
            for item in section.items
            if is_shown(item, actor)
        )
        if items:
            shown.append(ShownSection(section, items))
    return tuple(shown)


def _is_under(path: str, href: str) -> bool:
    return path == href or path.startswith(href.rstrip("/") + "/")
