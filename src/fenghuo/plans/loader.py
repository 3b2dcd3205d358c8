"""Read a plan from YAML: every error is an ``Invalid`` naming the line, the field and the rule.

Checks run in two passes, as in pySigma's validators: the models check each value's shape
(the first error wins, with its line), then ``reference_issues`` checks that the parts of
the plan agree with each other (every level has a response, every role named is declared,
reporting levels are levels that require a report, ...).
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from pydantic import ValidationError

from fenghuo import yaml_lines
from fenghuo.accounts.enums import OrgKind
from fenghuo.errors import Invalid
from fenghuo.plans.schema import LEVELS, OPERATOR_TYPES, Criterion, PlanDocument

PACKAGED = "national.yaml"
NATIONAL = "national"

# pydantic error type -> (rule, message an editor of the plan understands)
_RULES: dict[str, tuple[str, str]] = {
    "float_type": ("number", "must be a number"),
    "int_type": ("whole-number", "must be a whole number"),
    "int_parsing": ("whole-number", "must be a whole number"),
    "float_parsing": ("number", "must be a number"),
    "greater_than_equal": ("range", ""),
    "bool_type": ("boolean", "must be true or false"),
    "string_type": ("text", "must be text"),
    "missing": ("required", "is required"),
    "extra_forbidden": ("known-key", "is not a key a plan may have"),
    "literal_error": ("allowed-value", ""),
    "enum": ("allowed-value", ""),
    "string_pattern_mismatch": ("format", ""),
    "dict_type": ("mapping", "must be a mapping"),
    "list_type": ("list", "must be a list"),
    "model_type": ("mapping", "must be a mapping"),
    "too_short": ("not-empty", "must not be empty"),
    "value_error": ("value", ""),
}


@dataclass(frozen=True)
class Issue:
    """A cross-reference problem: where it is, what is wrong, and the rule it breaks."""

    path: yaml_lines.PathKey
    message: str
    rule: str


def parse(text: str, *, name: str = "plan") -> PlanDocument:
    """Parse and check a plan's YAML text; the first problem raises ``Invalid`` with its line."""
    doc = yaml_lines.load(text, name=name)
    if not isinstance(doc.data, dict):
        raise doc.invalid((), "a plan must be a mapping", rule="plan-shape")
    try:
        document = PlanDocument.model_validate(doc.data)
    except ValidationError as exc:
        raise _invalid(doc, exc) from None
    issues = reference_issues(document)
    if issues:
        first = issues[0]
        raise doc.invalid(first.path, first.message, rule=first.rule)
    return document


def from_json(data: Any) -> PlanDocument:
    """A stored version's parsed document (JSON) as a ``PlanDocument``."""
    return PlanDocument.model_validate(data)


def packaged_text() -> str:
    """The national plan shipped with Fenghuo (``fenghuo/plans/national.yaml``)."""
    return resources.files("fenghuo.plans").joinpath(PACKAGED).read_text("utf-8")


@lru_cache(maxsize=1)
def packaged() -> PlanDocument:
    """The packaged national plan, parsed once."""
    return parse(packaged_text(), name=f"{PACKAGED} (packaged)")


def _invalid(doc: yaml_lines.YamlDocument, exc: ValidationError) -> Invalid:
    error = exc.errors()[0]
    path = tuple(part for part in error["loc"] if not _is_tag(part))
    rule, message = _RULES.get(error["type"], (error["type"].replace("_", "-"), ""))
    if not message:
        message = str(error["msg"]).removeprefix("Value error, ")
        message = message[0].lower() + message[1:] if message else message
    return doc.invalid(path, message, rule=rule)


def _is_tag(part: str | int) -> bool:
    # pydantic adds "[key]" for dict keys and the member type for unions to the location.
    return isinstance(part, str) and (
        part == "[key]" or part in {"float", "int", "str", "none"} or "[" in part
    )


def reference_issues(document: PlanDocument) -> list[Issue]:
    """Every cross-reference problem of ``document``."""
    issues = _level_issues(document)
    issues += _matrix_issues(document)
    issues += [
        Issue(path, f"{key!r} is not a role declared under roles", "known-role")
        for path, key in _role_refs(document)
        if key not in document.roles
    ]
    issues += _reporting_issues(document)
    issues += _catalogue_issues(document)
    return issues


def _catalogue_issues(document: PlanDocument) -> list[Issue]:
    """Warning colours match their levels; organisation kinds and 2007 codes are known."""
    kinds = {kind.value for kind in OrgKind}
    issues = [
        Issue(
            ("warning_issuers", colour, "level"),
            f"level {issuer.level} is {document.levels[issuer.level].colour}, not {colour}",
            "issuer-colour",
        )
        for colour, issuer in document.warning_issuers.items()
        if issuer.level in document.levels and document.levels[issuer.level].colour != colour
    ]
    issues += [
        Issue(
            ("warning_issuers", colour, "org_kinds", index),
            f"{kind!r} is not an organisation kind",
            "known-org-kind",
        )
        for colour, issuer in document.warning_issuers.items()
        for index, kind in enumerate(issuer.org_kinds)
        if kind not in kinds
    ]
    issues += [
        Issue(
            ("roles", key, "org_kind"),
            f"{role.org_kind!r} is not an organisation kind",
            "known-org-kind",
        )
        for key, role in document.roles.items()
        if role.org_kind is not None and role.org_kind not in kinds
    ]
    codes = document.categories.codes_2007
    issues += [
        Issue(
            ("categories", "items", index, "fallback_2007"),
            f"{item.fallback_2007!r} is not a code of codes_2007",
            "known-2007-code",
        )
        for index, item in enumerate(document.categories.items)
        if codes and item.fallback_2007 not in codes
    ]
    return issues


def _level_issues(document: PlanDocument) -> list[Issue]:
    sections: dict[str, Collection[str]] = {
        "levels": document.levels,
        "response": document.response,
        "notification_escalation": document.notification_escalation,
    }
    return [
        Issue((section,), f"level {level} is missing", "all-levels")
        for section, present in sections.items()
        for level in LEVELS
        if level not in present
    ]


def _role_refs(document: PlanDocument) -> Iterator[tuple[yaml_lines.PathKey, str]]:
    for level, response in document.response.items():
        yield ("response", level, "lead"), response.lead
        for index, task in enumerate(response.tasks):
            yield ("response", level, "tasks", index, "owner_role"), task.owner_role
    for kind, route in document.reporting.routes.items():
        for step_name in ("first_report", "escalation"):
            step = getattr(route, step_name)
            path = ("reporting", "routes", kind, step_name)
            yield (*path, "reporter"), step.reporter
            for index, key in enumerate(step.to):
                yield (*path, "to", index), key
    for index, key in enumerate(document.exercises.who):
        yield ("exercises", "who", index), key


def _reporting_issues(document: PlanDocument) -> list[Issue]:
    issues = [
        Issue(("reporting", "routes"), f"no route for {kind}", "all-routes")
        for kind in OPERATOR_TYPES
        if kind not in document.reporting.routes
    ]
    reported = {lvl for lvl, info in document.levels.items() if info.reporting_required}
    for kind, route in document.reporting.routes.items():
        for step_name in ("first_report", "escalation"):
            step = getattr(route, step_name)
            issues += [
                Issue(
                    ("reporting", "routes", kind, step_name, "levels", index),
                    f"level {level} is not marked reporting_required",
                    "reported-levels",
                )
                for index, level in enumerate(step.levels)
                if level not in reported
            ]
    return issues


def _matrix_issues(document: PlanDocument) -> list[Issue]:
    issues: list[Issue] = []
    seen: set[str] = set()
    for index, criterion in enumerate(document.classification.criteria):
        path: yaml_lines.PathKey = ("classification", "criteria", index)
        if criterion.key in seen:
            issues.append(Issue((*path, "key"), f"{criterion.key!r} is used twice", "unique-key"))
        seen.add(criterion.key)
        issues += _cell_issues(path, criterion)
        ranked = sorted(
            (LEVELS.index(level), t.value)
            for level, t in criterion.thresholds.items()
            if t.value is not None and t.when is None
        )
        if any(lower > higher for (_, higher), (_, lower) in itertools.pairwise(ranked)):
            issues.append(
                Issue(
                    (*path, "thresholds"),
                    "a lower level's threshold exceeds a higher level's",
                    "monotonic-thresholds",
                )
            )
    return issues


def _cell_issues(path: yaml_lines.PathKey, criterion: Criterion) -> list[Issue]:
    issues: list[Issue] = []
    for level, threshold in criterion.thresholds.items():
        cell = (*path, "thresholds", level, "value")
        if criterion.comparison == ">=" and threshold.value is None and not threshold.note:
            issues.append(
                Issue(cell, "an unknown value (null) needs a note saying why", "null-needs-note")
            )
        if criterion.comparison == "level" and threshold.value is not None:
            issues.append(Issue(cell, "a level criterion takes no value", "level-no-value"))
    return issues
