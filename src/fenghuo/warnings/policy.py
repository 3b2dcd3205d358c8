"""Pure rules of warnings, no I/O: the transition table, colours, issuers and the CAP mapping.

Who may issue (REFERENCE §1.4; the active plan's ``warning_issuers``): for each colour the plan
names the organisation kinds that may issue it and a scope phrase. Fenghuo reads the phrase
as follows (documented in docs/warnings.md, "Authority"):

- the national coordinator issues for any scope (it holds national scope, Art. 51);
- a scope phrase beginning ``national`` admits no one else;
- a phrase beginning ``own region or sector`` admits a provincial department for regions
  within its own province (GB/T 2260 prefix) and no sector, and a sector department for its
  own sector only (regions free: a sector is national);
- any other phrase admits only the national coordinator.

A refusal names ``warning-issuer-level`` (the kind may not issue this colour) or
``warning-issuer-scope`` (the kind may, but not for this scope), with Art. 51 or 54.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from fenghuo.authority import OrgRef
from fenghuo.errors import InvalidTransition, Refused
from fenghuo.plans.schema import PlanDocument
from fenghuo.warnings.enums import Colour, WarningState

S = WarningState
# The life cycle as data (REFERENCE §1.5). "adjusted" is still in force: a later version of a
# published warning. "cancelled" ends a warning issued in error, from any state not final.
ALLOWED_TRANSITIONS: Mapping[WarningState, frozenset[WarningState]] = {
    S.draft: frozenset({S.submitted, S.cancelled}),
    S.submitted: frozenset({S.approved, S.draft, S.cancelled}),
    S.approved: frozenset({S.published, S.cancelled}),
    S.published: frozenset({S.adjusted, S.lifted, S.cancelled}),
    S.adjusted: frozenset({S.adjusted, S.lifted, S.cancelled}),
    S.lifted: frozenset(),
    S.cancelled: frozenset(),
}
IN_FORCE = frozenset({S.published, S.adjusted})
EDITABLE = frozenset({S.draft})
# Legal basis recorded with each transition.
ARTICLE: Mapping[WarningState, str] = {
    S.draft: "Art. 54",
    S.submitted: "Art. 54",
    S.approved: "Art. 51",
    S.published: "Art. 54",
    S.adjusted: "Art. 54",
    S.lifted: "Art. 54",
    S.cancelled: "Art. 51",
}
# Colour ↔ plan level (REFERENCE §1.4, confirmed [S6, S24]).
COLOUR_LEVEL: Mapping[Colour, str] = {
    Colour.red: "I",
    Colour.orange: "II",
    Colour.yellow: "III",
    Colour.blue: "IV",
}
COLOUR_ZH: Mapping[Colour, str] = {
    Colour.red: "红色",
    Colour.orange: "橙色",
    Colour.yellow: "黄色",
    Colour.blue: "蓝色",
}
IDENTIFIER_PREFIX = "FH-W"
LEVEL_RULE = "warning-issuer-level"
SCOPE_RULE = "warning-issuer-scope"
NATIONAL = "national_coordinator"
PROVINCIAL = "provincial_department"
SECTOR = "sector_department"


def can_move(current: str, requested: str) -> bool:
    """Whether the table allows ``current`` → ``requested``."""
    return WarningState(requested) in ALLOWED_TRANSITIONS[WarningState(current)]


def check_transition(current: str, requested: str) -> None:
    """Raise ``InvalidTransition`` unless the table allows ``current`` → ``requested``."""
    if not can_move(current, requested):
        allowed = ", ".join(sorted(ALLOWED_TRANSITIONS[WarningState(current)])) or "nothing"
        raise InvalidTransition(
            f"a warning that is {current} cannot become {requested} (allowed: {allowed})",
            current=current,
            requested=requested,
        )


def identifier(year: int, number: int) -> str:
    """``FH-W-2026-000012``: the year the draft was made and its number within the year."""
    return f"{IDENTIFIER_PREFIX}-{year:04d}-{number:06d}"


def level_of(colour: str) -> str:
    """The plan level (I–IV) a colour corresponds to."""
    return COLOUR_LEVEL[Colour(colour)]


def colour_rank(colour: str) -> int:
    """4 for red down to 1 for blue."""
    return 4 - list(Colour).index(Colour(colour))


@dataclass(frozen=True)
class Scope:
    """What a warning covers: sector codes and GB/T 2260 region codes (empty: all)."""

    sectors: tuple[str, ...]
    regions: tuple[str, ...]


ScopeReading = Literal["any", "national", "own"]


def scope_reading(phrase: str) -> ScopeReading:
    """How Fenghuo reads an issuer's scope phrase (see the module docstring)."""
    text = phrase.strip().lower()
    if text.startswith("national"):
        return "national"
    if text.startswith("own region or sector"):
        return "own"
    return "national"


def issuer_refusal(
    document: PlanDocument, org: OrgRef, colour: str, scope: Scope, *, region_prefix: int = 2
) -> Refused | None:
    """Why ``org`` may not issue a ``colour`` warning for ``scope``; None when it may."""
    issuer = document.warning_issuers.get(Colour(colour).value)
    name = org.name or org.id
    if issuer is None or org.kind not in issuer.org_kinds:
        kinds = ", ".join(issuer.org_kinds) if issuer else "nobody"
        return Refused(
            f"{name} ({org.kind}) may not issue a {colour} warning: the plan "
            f"{document.name} lets {kinds} issue {colour} warnings",
            rule=LEVEL_RULE,
            article="Art. 51",
        )
    if org.kind == NATIONAL:
        return None
    problem = _scope_problem(scope_reading(issuer.scope), org, scope, region_prefix)
    if problem is None:
        return None
    return Refused(
        f"{name} may issue {colour} warnings only for {issuer.scope!r} (plan "
        f"{document.name}): {problem}",
        rule=SCOPE_RULE,
        article="Art. 54",
    )


def _scope_problem(reading: ScopeReading, org: OrgRef, scope: Scope, prefix: int) -> str | None:
    if reading == "national":
        return "only the national coordinator issues for this scope"
    if org.kind == PROVINCIAL:
        return _regional_problem(org, scope, prefix)
    if org.kind == SECTOR:
        if not scope.sectors or any(s != org.sector for s in scope.sectors):
            return f"the warning must name only the sector {org.sector!r}"
        return None
    return f"a {org.kind} has no own region or sector to warn"


def _regional_problem(org: OrgRef, scope: Scope, prefix: int) -> str | None:
    if org.region is None:
        return "the department has no region"
    own = org.region[:prefix]
    if not scope.regions:
        return f"the warning must name regions within {org.region}"
    outside = [r for r in scope.regions if r[:prefix] != own]
    if outside:
        return f"regions {', '.join(outside)} are outside {org.region}"
    return None


def org_in_scope(org: OrgRef, scope: Scope, *, region_prefix: int = 2) -> bool:
    """Whether an organisation falls within a warning's scope (its sector and its region).

    An empty list of sectors or regions means all of them. A region code covers the codes
    below it: ``440000`` (a province) covers ``440300`` (a city within it).
    """
    if scope.sectors and org.sector not in scope.sectors:
        return False
    if not scope.regions:
        return True
    if org.region is None:
        return False
    return any(region_covers(code, org.region, region_prefix) for code in scope.regions)


def concerns(org: OrgRef, scope: Scope, *, region_prefix: int = 2) -> bool:
    """Whether a warning of ``scope`` concerns ``org``, by its kind (who is notified, who reads).

    Network operators by sector and region (``org_in_scope``); a sector department when its
    sector is named (or none is); a provincial department when its province overlaps the
    named regions (or none is named). Other kinds only through their visibility.
    """
    if org.kind == "network_operator":
        return org_in_scope(org, scope, region_prefix=region_prefix)
    if org.kind == SECTOR:
        return not scope.sectors or org.sector in scope.sectors
    if org.kind == PROVINCIAL:
        if not scope.regions:
            return True
        if org.region is None:
            return False
        return any(
            region_covers(code, org.region, region_prefix)
            or region_covers(org.region, code, region_prefix)
            for code in scope.regions
        )
    return False


def region_covers(code: str, region: str, region_prefix: int = 2) -> bool:
    """Whether the GB/T 2260 ``code`` covers ``region`` (the same, or a division within it)."""
    significant = code.rstrip("0")
    if len(significant) < region_prefix:
        significant = code[:region_prefix]
    return region.startswith(significant)


# REFERENCE §5.3 (a Fenghuo design decision, not a standard).
@dataclass(frozen=True)
class CapGrade:
    severity: str
    urgency: str
    certainty: str
    response_type: str


CAP_GRADE: Mapping[Colour, CapGrade] = {
    Colour.red: CapGrade("Extreme", "Immediate", "Likely", "Execute"),
    Colour.orange: CapGrade("Severe", "Immediate", "Likely", "Prepare"),
    Colour.yellow: CapGrade("Moderate", "Expected", "Possible", "Monitor"),
    Colour.blue: CapGrade("Minor", "Future", "Possible", "Monitor"),
}
# Availability and outage categories go out as CAP "Infra"; attacks and the rest "Security".
INFRA_CATEGORIES = frozenset({"facility_failure", "force_majeure"})


def cap_category(category: str) -> str:
    """The CAP category of a GB/T 20986 category key."""
    return "Infra" if category in INFRA_CATEGORIES else "Security"


def labelled(title: str, *, exercise: bool, language: str) -> str:
    """The title as it goes out: exercise warnings carry 【演练】 or [EXERCISE]."""
    if not exercise:
        return title
    return f"【演练】{title}" if language == "zh" else f"[EXERCISE] {title}"


def check_regions(codes: Sequence[str]) -> list[str]:
    """The codes that are not six-digit GB/T 2260 codes."""
    return [code for code in codes if len(code) != 6 or not code.isdigit()]
