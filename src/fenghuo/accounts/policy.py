"""Pure rules about organisations and people: no I/O beyond reading packaged reference data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources
from typing import Protocol

import yaml

from fenghuo.accounts.enums import OrgKind
from fenghuo.errors import Invalid

MIN_PASSWORD_LENGTH = 10


class ParentFacts(Protocol):
    """What the tree rules need to know of a parent organisation."""

    sector_code: str | None
    region_code: str | None


# Which fields each kind must, and must not, carry (Arts. 52, 54, 55).
NEEDS_SECTOR = frozenset({OrgKind.sector_department, OrgKind.network_operator})
NEEDS_REGION = frozenset({OrgKind.provincial_department, OrgKind.network_operator})
ROOT_KINDS = frozenset({OrgKind.national_coordinator})


@lru_cache(maxsize=1)
def sectors() -> Mapping[str, Mapping[str, str]]:
    """Sector codes with their zh/en names."""
    text = resources.files("fenghuo.accounts").joinpath("data/sectors.yaml").read_text("utf-8")
    return dict(yaml.safe_load(text))


@lru_cache(maxsize=1)
def regions() -> Mapping[str, Mapping[str, str]]:
    """GB/T 2260 province-level codes with their zh/en names."""
    text = resources.files("fenghuo.accounts").joinpath("data/regions.yaml").read_text("utf-8")
    return {str(code): names for code, names in yaml.safe_load(text).items()}


def region_name(code: str | None, language: str) -> str:
    """A region's name: the province's, plus the code when it is below province level."""
    if not code:
        return ""
    province = regions().get(code[:2] + "0000")
    if province is None:
        return code
    name = province[language]
    return name if code.endswith("0000") else f"{name} ({code})"


def check_org_fields(
    *,
    kind: OrgKind,
    sector_code: str | None,
    region_code: str | None,
    is_cii: bool,
    parent: ParentFacts | None,
    people_served: int | None = None,
) -> None:
    """Refuse an organisation whose fields do not fit its kind or its place in the tree.

    A child keeps its parent's sector and province, so that an organisation's subtree
    never reaches outside what its kind lets it see (Arts. 52, 54).
    """
    has_parent = parent is not None
    if kind in ROOT_KINDS and has_parent:
        raise Invalid(
            "the national coordinator is the root of the tree", field="parent_id", rule="root-kind"
        )
    if kind not in ROOT_KINDS and not has_parent:
        raise Invalid(
            "every organisation but the national coordinator has a parent",
            field="parent_id",
            rule="parent-required",
        )
    if kind in NEEDS_SECTOR and not sector_code:
        raise Invalid(
            f"a {kind.value} needs a sector code", field="sector_code", rule="sector-required"
        )
    if sector_code and sector_code not in sectors():
        raise Invalid(
            f"{sector_code!r} is not a known sector", field="sector_code", rule="known-sector"
        )
    if kind in NEEDS_REGION and not region_code:
        raise Invalid(
            f"a {kind.value} needs a GB/T 2260 region code",
            field="region_code",
            rule="region-required",
        )
    if region_code and region_code[:2] + "0000" not in regions():
        raise Invalid(
            f"{region_code!r} is not in a GB/T 2260 province", field="region_code", rule="gb-t-2260"
        )
    if (
        parent is not None
        and parent.sector_code
        and sector_code
        and sector_code != parent.sector_code
    ):
        raise Invalid(
            f"an organisation under a {parent.sector_code} organisation must be of that sector",
            field="sector_code",
            rule="sector-of-parent",
        )
    if (
        parent is not None
        and parent.region_code
        and region_code
        and region_code[:2] != parent.region_code[:2]
    ):
        raise Invalid(
            "an organisation under a regional organisation must be in the same province",
            field="region_code",
            rule="region-of-parent",
        )
    _check_operator_fields(kind, is_cii, people_served)


def _check_operator_fields(kind: OrgKind, is_cii: bool, people_served: int | None) -> None:
    """What only a network operator has: CII, and the people it serves."""
    if is_cii and kind is not OrgKind.network_operator:
        raise Invalid(
            "only network operators run critical information infrastructure",
            field="is_cii",
            rule="cii-operator-only",
        )
    if people_served is not None and kind is not OrgKind.network_operator:
        raise Invalid(
            "only network operators declare the people they serve",
            field="people_served",
            rule="people-served-operator-only",
        )


def check_roles(roles: Iterable[str], known: Iterable[str]) -> list[str]:
    """Refuse unknown roles; return them sorted and without repeats."""
    known_set = set(known)
    chosen = sorted(set(roles))
    if not chosen:
        raise Invalid("a user needs at least one role", field="roles", rule="role-required")
    for role in chosen:
        if role not in known_set:
            raise Invalid(f"{role!r} is not a known role", field="roles", rule="known-role")
    return chosen


def check_password(password: str, *, username: str) -> None:
    """Refuse a password that is short, or that is the username."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(
            f"a password needs at least {MIN_PASSWORD_LENGTH} characters",
            field="password",
            rule="password-length",
        )
    if username and username.lower() in password.lower():
        raise Invalid(
            "a password must not contain the username", field="password", rule="password-username"
        )
