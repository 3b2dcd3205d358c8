"""Plan YAML: errors name the line, the field and the rule; the stored JSON round-trips."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from fenghuo.errors import Invalid
from fenghuo.plans import loader
from fenghuo.plans.schema import LEVELS, Confidence, Duration

TEXT = loader.packaged_text()


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the only occurrence of ``needle``."""
    (line,) = [n for n, content in enumerate(text.splitlines(), 1) if needle in content]
    return line


def broken(old: str, new: str) -> str:
    assert TEXT.count(old) == 1, old
    return TEXT.replace(old, new)


def parse_error(text: str) -> Invalid:
    with pytest.raises(Invalid) as caught:
        loader.parse(text, name="plan.yaml")
    return caught.value


def test_a_threshold_that_is_not_a_number_names_its_line_and_rule() -> None:
    needle = "II: {value: 1000000, source: S10"
    text = broken(needle, "II: {value: lots, source: S10")
    error = parse_error(text)
    assert f"line {line_of(text, 'value: lots')}" in error.message
    assert "must be a number" in error.message
    assert error.field == "classification.criteria[5].thresholds.II.value"
    assert error.rule == "number"


def test_an_unknown_role_names_its_line() -> None:
    text = broken("owner_role: emergency_office, due_after: 0", "owner_role: nobody, due_after: 0")
    error = parse_error(text)
    assert error.rule == "known-role"
    assert f"line {line_of(text, 'owner_role: nobody')}" in error.message
    assert "'nobody' is not a role" in error.message


def test_missing_and_unknown_keys_are_refused() -> None:
    error = parse_error(broken("exercises: {every:", "exercise: {every:"))
    assert (error.field, error.rule) == ("exercises", "required")
    error = parse_error(
        broken("  IV:\n    lead: regional_command", "  V:\n    lead: regional_command")
    )
    assert error.field == "response.V"
    error = parse_error(broken("reporting_required: false}", "reporting_required: false, x: 1}"))
    assert (error.field, error.rule) == ("levels.IV.x", "known-key")


def test_reporting_for_a_level_that_is_not_reported_is_refused() -> None:
    text = broken(
        "to: [provincial_cac], due_after: 240, levels: [I, II, III]",
        "to: [provincial_cac], due_after: 240, levels: [I, II, III, IV]",
    )
    error = parse_error(text)
    assert error.rule == "reported-levels"
    assert error.field == "reporting.routes.other.first_report.levels[3]"


def test_lower_thresholds_may_not_exceed_higher_ones() -> None:
    error = parse_error(
        broken("III: {value: 5000000, source: S11", "III: {value: 50000000, source: S11")
    )
    assert error.rule == "monotonic-thresholds"


def test_bad_durations_and_yaml_syntax() -> None:
    error = parse_error(broken("final_report: {due_after: P30D", "final_report: {due_after: soon"))
    assert error.field == "reporting.final_report.due_after"
    assert "ISO 8601" in error.message
    error = parse_error("name: [unclosed\n")
    assert error.rule == "yaml-syntax" and "line" in error.message
    assert parse_error("- a list\n").rule == "plan-shape"


def test_the_packaged_plan_carries_a_source_and_confidence_on_every_cell() -> None:
    plan = loader.packaged()
    assert plan.name == "national" and plan.owner.kind == "national_coordinator"
    assert list(plan.levels) == list(LEVELS)
    for criterion in plan.classification.criteria:
        for threshold in criterion.thresholds.values():
            assert threshold.source and isinstance(threshold.confidence, Confidence)
    pi = next(c for c in plan.classification.criteria if c.input == "pi_records_citizens")
    assert {level: t.value for level, t in pi.thresholds.items()} == {
        "I": 100_000_000,
        "II": 10_000_000,
        "III": 1_000_000,
    }
    assert len(plan.categories.items) == 10


def test_the_stored_json_round_trips() -> None:
    plan = loader.packaged()
    assert loader.from_json(plan.model_dump(mode="json")) == plan


@given(minutes=st.integers(0, 10**6))
def test_durations_in_minutes_and_iso_8601_agree(minutes: int) -> None:
    duration = TypeAdapter(Duration)
    assert duration.validate_python(minutes) == duration.validate_python(f"PT{minutes}M")
    assert duration.validate_python(minutes) == timedelta(minutes=minutes)


def test_warning_colours_match_their_levels_and_codes_are_known() -> None:
    error = parse_error(broken("red: {level: I,", "red: {level: II,"))
    assert (error.field, error.rule) == ("warning_issuers.red.level", "issuer-colour")
    error = parse_error(broken("fallback_2007: DI,", "fallback_2007: XX,"))
    assert error.rule == "known-2007-code"
    error = parse_error(
        broken(
            "org_kinds: [national_coordinator], scope: national",
            "org_kinds: [king], scope: national",
        )
    )
    assert (error.field, error.rule) == ("warning_issuers.red.org_kinds[0]", "known-org-kind")


SCALAR_LINES = [
    n for n, content in enumerate(TEXT.splitlines()) if ": " in content and "#" not in content
]


@settings(max_examples=25, deadline=None)
@given(
    line=st.sampled_from(SCALAR_LINES),
    junk=st.one_of(
        st.text(alphabet="abcXYZ019 -_.:[]{}", max_size=8),
        st.integers(),
        st.sampled_from(["", "~"]),
    ),
)
def test_any_damaged_value_is_invalid_with_a_line_or_still_a_plan(line: int, junk: object) -> None:
    lines = TEXT.splitlines()
    key, _, _ = lines[line].partition(": ")
    lines[line] = f"{key}: {junk}"
    try:
        loader.parse("\n".join(lines), name="damaged.yaml")
    except Invalid as error:
        assert error.message.startswith("damaged.yaml")
        assert error.rule


def test_asking_for_an_unknown_level_is_invalid() -> None:
    plan = loader.packaged()
    with pytest.raises(Invalid) as caught:
        plan.response_for("V")
    assert (caught.value.field, caught.value.rule) == ("level", "level")
    with pytest.raises(Invalid):
        plan.notification_escalation_after("")
