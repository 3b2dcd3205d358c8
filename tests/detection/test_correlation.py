"""Sigma correlation rules offline: each type on hand-written rules and events, window edges,
group separation, generate, aliases, and a property test against sliding windows."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from fenghuo.cli.main import app
from fenghuo.detection import Engine
from fenghuo.detection import correlation as corr
from fenghuo.detection.offline import FileMatch, detect, event_time
from fenghuo.detection.rules import load_document, load_text

SECURITY = "Security"
T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)

BASE = """title: Failed logon
id: 10000000-0000-4000-8000-000000000001
name: failed_logon
author: Fenghuo tests
level: low
logsource: {product: windows, service: security}
detection:
  s:
    EventID: 4625
  condition: s
---
title: Successful logon
id: 10000000-0000-4000-8000-000000000002
name: good_logon
author: Fenghuo tests
level: low
logsource: {product: windows, service: security}
detection:
  s:
    EventID: 4624
  condition: s
---
title: Group added
id: 10000000-0000-4000-8000-000000000003
name: group_added
author: Fenghuo tests
logsource: {product: windows, service: security}
detection:
  s:
    EventID: 4732
  condition: s
"""


def correlation(body: str, *, generate: bool | None = None, rid: str = "1") -> str:
    """A correlation rule document with the given ``correlation:`` body (indented 2)."""
    extra = "" if generate is None else f"  generate: {str(generate).lower()}\n"
    return (
        f"title: Correlation {rid}\nid: 20000000-0000-4000-8000-00000000000{rid}\n"
        f"author: Fenghuo tests\nlevel: high\ncorrelation:\n{body}{extra}"
    )


def logon(
    event_id: int, seconds: float, user: str = "li", host: str = "dc1", **extra: Any
) -> dict[str, Any]:
    """A flat Security event at T0 + seconds."""
    stamp = (T0 + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")
    return {
        "Channel": SECURITY,
        "EventID": event_id,
        "TargetUserName": user,
        "Computer": host,
        "@timestamp": stamp,
        **extra,
    }


def run_offline(tmp_path: Path, rules: str, events: list[dict[str, Any]]) -> list[FileMatch]:
    (tmp_path / "rules").mkdir(parents=True, exist_ok=True)
    (tmp_path / "rules" / "r.yml").write_text(rules)
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    engine = Engine.from_paths([tmp_path / "rules"])
    assert engine.issues == []
    return list(detect(engine, [path], batch_size=3))


def correlated(matches: list[FileMatch]) -> list[dict[str, Any]]:
    return [m.correlation for m in matches if m.correlation is not None]


BRUTE = correlation(
    "  type: event_count\n  rules: [failed_logon]\n  group-by: [TargetUserName]\n"
    "  timespan: 10s\n  condition: {gte: 3}\n"
)


def test_event_count_fires_at_the_event_that_completes_the_threshold(tmp_path: Path) -> None:
    events = [logon(4625, 0), logon(4625, 4), logon(4625, 9), logon(4624, 9.5)]
    matches = run_offline(tmp_path, BRUTE + "---\n" + BASE, events)
    found = correlated(matches)
    assert found == [
        {
            "type": "event_count",
            "group": {"TargetUserName": "li"},
            "count": 3,
            "events": [{"file": str(tmp_path / "events.jsonl"), "line": n} for n in (1, 2, 3)],
        }
    ]
    completing = next(m for m in matches if m.correlation is not None)
    assert completing.line == 3


def test_event_count_just_outside_the_timespan_does_not_fire(tmp_path: Path) -> None:
    events = [logon(4625, 0), logon(4625, 5), logon(4625, 10.001)]
    assert correlated(run_offline(tmp_path, BRUTE + "---\n" + BASE, events)) == []


def test_event_count_at_exactly_the_timespan_fires(tmp_path: Path) -> None:
    events = [logon(4625, 0), logon(4625, 5), logon(4625, 10)]
    assert len(correlated(run_offline(tmp_path, BRUTE + "---\n" + BASE, events))) == 1


def test_event_count_groups_by_field(tmp_path: Path) -> None:
    events = [logon(4625, s, user=u) for s, u in [(0, "li"), (1, "wang"), (2, "li"), (3, "wang")]]
    events.append(logon(4625, 4, user="li"))
    found = correlated(run_offline(tmp_path, BRUTE + "---\n" + BASE, events))
    assert [f["group"] for f in found] == [{"TargetUserName": "li"}]


def test_events_come_sorted_by_time_not_by_file_order(tmp_path: Path) -> None:
    events = [logon(4625, 9), logon(4625, 0), logon(4625, 30), logon(4625, 4)]
    found = correlated(run_offline(tmp_path, BRUTE + "---\n" + BASE, events))
    assert [[e["line"] for e in f["events"]] for f in found] == [[2, 4, 1]]


def test_generate_false_hides_the_base_rules_of_the_same_file(tmp_path: Path) -> None:
    events = [logon(4625, 0), logon(4624, 1)]
    matches = run_offline(tmp_path, BRUTE + "---\n" + BASE, events)
    reported = {m.rule for m in matches}
    engine = Engine.from_paths([tmp_path / "rules"])
    titles = {engine.rules[r].title for r in reported}
    # failed_logon is referenced (hidden); good_logon is not referenced (reported).
    assert titles == {"Successful logon"}


def test_generate_true_reports_the_base_rules_too(tmp_path: Path) -> None:
    rules = BRUTE.replace("level: high", "level: high") + "  generate: true\n---\n" + BASE
    matches = run_offline(tmp_path, rules, [logon(4625, 0)])
    assert [m.line for m in matches if m.correlation is None] == [1]


def test_rules_referenced_from_another_file_stay_reported(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "base.yml").write_text(BASE)
    matches = run_offline(tmp_path, BRUTE, [logon(4625, 0), logon(4625, 1), logon(4625, 2)])
    assert len([m for m in matches if m.correlation is None]) == 3
    assert len(correlated(matches)) == 1


def test_value_count_counts_distinct_values_per_group(tmp_path: Path) -> None:
    spray = correlation(
        "  type: value_count\n  rules: [failed_logon]\n  group-by: [Computer]\n"
        "  timespan: 1m\n  condition: {field: TargetUserName, gte: 3}\n"
    )
    users = ["a", "b", "a", "a", "c"]
    events = [logon(4625, n, user=u) for n, u in enumerate(users)]
    events.append(logon(4625, 5, user="x", host="dc2"))
    found = correlated(run_offline(tmp_path, spray + "---\n" + BASE, events))
    assert [(f["group"], f["values"]) for f in found] == [({"Computer": "dc1"}, ["a", "b", "c"])]
    assert [e["line"] for e in found[0]["events"]] == [1, 2, 3, 4, 5]


def test_temporal_needs_every_rule_in_any_order(tmp_path: Path) -> None:
    chain = correlation(
        "  type: temporal\n  rules: [failed_logon, good_logon, group_added]\n"
        "  group-by: [TargetUserName]\n  timespan: 1m\n"
    )
    events = [logon(4732, 0), logon(4624, 10), logon(4625, 20, user="wang"), logon(4625, 30)]
    found = correlated(run_offline(tmp_path, chain + "---\n" + BASE, events))
    assert [[e["line"] for e in f["events"]] for f in found] == [[1, 2, 4]]
    assert found[0]["count"] == 3


def test_temporal_ordered_needs_the_given_order(tmp_path: Path) -> None:
    chain = correlation(
        "  type: temporal_ordered\n  rules: [failed_logon, good_logon]\n"
        "  group-by: [TargetUserName]\n  timespan: 1m\n"
    )
    wrong = [logon(4624, 0), logon(4625, 10)]
    assert correlated(run_offline(tmp_path, chain + "---\n" + BASE, wrong)) == []
    right = [logon(4624, 0), logon(4625, 10), logon(4624, 20)]
    found = correlated(run_offline(tmp_path / "x", chain + "---\n" + BASE, right))
    assert [[e["line"] for e in f["events"]] for f in found] == [[2, 3]]


def test_temporal_ordered_outside_the_timespan_does_not_fire(tmp_path: Path) -> None:
    chain = correlation(
        "  type: temporal_ordered\n  rules: [failed_logon, good_logon]\n"
        "  group-by: [TargetUserName]\n  timespan: 1m\n"
    )
    late = [logon(4625, 0), logon(4624, 60.5)]
    assert correlated(run_offline(tmp_path, chain + "---\n" + BASE, late)) == []


def test_aliases_group_different_fields_of_different_rules(tmp_path: Path) -> None:
    chain = correlation(
        "  type: temporal\n  rules: [failed_logon, group_added]\n  group-by: [account]\n"
        "  timespan: 1m\n  aliases:\n    account:\n      failed_logon: TargetUserName\n"
        "      group_added: MemberName\n"
    )
    events = [logon(4625, 0, user="li"), logon(4732, 5, user="admins", MemberName="li")]
    found = correlated(run_offline(tmp_path, chain + "---\n" + BASE, events))
    assert [f["group"] for f in found] == [{"account": "li"}]


def test_a_range_condition_is_judged_when_the_window_closes(tmp_path: Path) -> None:
    few = correlation(
        "  type: event_count\n  rules: [failed_logon]\n  group-by: [TargetUserName]\n"
        "  timespan: 10s\n  condition:\n    gt: 1\n    lte: 2\n"
    )
    events = [logon(4625, 0), logon(4625, 3)]  # li: 2 in the window
    events += [logon(4625, n, user="wang") for n in (0, 1, 2)]  # wang: 3, too many
    events += [logon(4625, 20, user="zhao")]  # zhao: 1, too few
    found = correlated(run_offline(tmp_path, few + "---\n" + BASE, events))
    assert [(f["group"], f["count"]) for f in found] == [({"TargetUserName": "li"}, 2)]


def test_the_summary_and_output_carry_the_correlation(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "r.yml").write_text(BRUTE + "---\n" + BASE)
    events = tmp_path / "e.jsonl"
    events.write_text("".join(json.dumps(logon(4625, n)) + "\n" for n in range(3)))
    out = tmp_path / "m.jsonl"
    args = ["detect", "--rules", str(tmp_path / "rules"), "--events", str(events)]
    result = CliRunner().invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert rows == [
        {
            "rule_id": "20000000-0000-4000-8000-000000000001",
            "rule_title": "Correlation 1",
            "file": str(events),
            "line": 3,
            "correlation": {
                "type": "event_count",
                "group": {"TargetUserName": "li"},
                "count": 3,
                "events": [{"file": str(events), "line": n} for n in (1, 2, 3)],
            },
        }
    ]
    assert "Correlation 1" in result.stdout


def test_unknown_references_and_unsupported_forms_are_reported(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text(BRUTE.replace("failed_logon", "nowhere"))
    (tmp_path / "b.yml").write_text(
        correlation(
            "  type: value_sum\n  rules: [x]\n  group-by: [u]\n  timespan: 1m\n"
            "  condition: {field: n, gte: 3}\n",
            rid="2",
        )
    )
    engine = Engine.from_paths([tmp_path])
    reasons = sorted(i.reason for i in engine.issues)
    assert reasons == [
        "correlation references unknown rules: nowhere",
        "correlation type value_sum not supported",
    ]
    assert engine.rules == []


def test_load_text_keeps_its_shape_and_names_correlations() -> None:
    rules, issues = load_text(BRUTE + "---\n" + BASE, "stored")
    assert [r.title for r in rules] == ["Failed logon", "Successful logon", "Group added"]
    assert [i.rule_id for i in issues] == ["20000000-0000-4000-8000-000000000001"]
    loaded = load_document(BRUTE + "---\n" + BASE, "stored")
    assert [c.title for c in loaded.correlations] == ["Correlation 1"]


def test_correlations_added_one_by_one_resolve_across_texts() -> None:
    engine = Engine()
    for n, text in enumerate((BRUTE, BASE)):
        for rule in load_document(text, f"stored:{n}").all():
            assert engine.add(rule, Path(f"stored:{n}"))
    engine.resolve()
    assert [a.correlation.type for a in engine.correlations] == ["event_count"]
    assert engine.hidden == frozenset()


def test_event_time_reads_nested_and_flat_windows_events() -> None:
    nested = {
        "Event": {
            "System": {
                "EventID": 4625,
                "Channel": "Security",
                "TimeCreated": {"#attributes": {"SystemTime": "2026-03-01T10:00:01.1234567Z"}},
            }
        }
    }
    assert event_time(nested) == datetime(2026, 3, 1, 10, 0, 1, 123456, tzinfo=UTC)
    assert event_time(logon(4625, 2)) == T0 + timedelta(seconds=2)
    assert event_time({"Channel": "Security", "EventID": 1}) is None


# --- property: event_count and value_count against sliding windows over sorted times -------


def _reference(
    times: list[int], values: list[str], span: int, threshold: int, distinct: bool
) -> list[int]:
    """Positions (in time order) where a plain sliding window reaches the threshold."""
    order = sorted(range(len(times)), key=lambda i: (times[i], i))
    fired: list[int] = []
    start = 0  # the first position still in the window (consumed ones are skipped)
    for k, i in enumerate(order):
        window = [j for j in order[start : k + 1] if times[j] >= times[i] - span]
        measure = len({values[j] for j in window}) if distinct else len(window)
        if measure >= threshold:
            fired.append(i)
            start = k + 1
    return fired


@settings(max_examples=200, deadline=None)
@given(
    events=st.lists(
        st.tuples(st.integers(0, 60), st.sampled_from("abcd")), min_size=0, max_size=30
    ),
    span=st.integers(1, 20),
    threshold=st.integers(1, 5),
    distinct=st.booleans(),
)
def test_event_and_value_count_agree_with_sliding_windows(
    events: list[tuple[int, str]], span: int, threshold: int, distinct: bool
) -> None:
    times = [t for t, _ in events]
    values = [v for _, v in events]
    rule = corr.Correlation(
        type=corr.VALUE_COUNT if distinct else corr.EVENT_COUNT,
        refs=("r",),
        group_by=(),
        aliases={},
        span=timedelta(seconds=span),
        condition=(("gte", float(threshold)),),
        field="v" if distinct else None,
        generate=False,
    )
    hits = [
        corr.Hit(T0 + timedelta(seconds=t), i, 0, i, v if distinct else None)
        for i, (t, v) in enumerate(events)
    ]
    fired, _ = corr.run(rule, hits)
    assert [f.completing.event for f in fired] == _reference(
        times, values, span, threshold, distinct
    )


CHAINED = """title: Many failed logons then a success
id: 20000000-0000-4000-8000-000000000009
author: Fenghuo tests
level: critical
correlation:
  type: temporal_ordered
  rules: [many_failed, good_logon]
  group-by: [TargetUserName]
  timespan: 10m
---
title: Many failed logons
id: 20000000-0000-4000-8000-000000000008
name: many_failed
correlation:
  type: event_count
  rules: [failed_logon]
  group-by: [TargetUserName]
  timespan: 10m
  condition: {gte: 3}
---
"""


def test_a_correlation_of_a_correlation_follows_the_specification_example(
    tmp_path: Path,
) -> None:
    events = [logon(4624, 0)]  # a success before the failures: not the order asked for
    events += [logon(4625, n) for n in (10, 20, 30)]
    events += [logon(4624, 40, user="wang"), logon(4624, 50)]
    matches = run_offline(tmp_path, CHAINED + BASE, events)
    found = [(m.rule, m.line, m.correlation) for m in matches if m.correlation is not None]
    engine = Engine.from_paths([tmp_path / "rules"])
    assert [(engine.rules[r].title, line) for r, line, _ in found] == [
        ("Many failed logons then a success", 6)
    ]
    assert [e["line"] for e in found[0][2]["events"]] == [4, 6]  # inner match, then success
    # Every referenced rule is in the same file, without generate: only the outer is reported.
    assert [m for m in matches if m.correlation is None] == []


def test_a_cycle_of_correlations_is_reported(tmp_path: Path) -> None:
    looped = CHAINED.replace("rules: [failed_logon]", "rules: [failed_logon, many_failed]")
    (tmp_path / "r.yml").write_text(looped + BASE)
    engine = Engine.from_paths([tmp_path])
    assert sorted(i.reason for i in engine.issues) == [
        "correlation references unknown rules: many_failed",
        "correlation references unknown rules: many_failed",
    ]


@settings(max_examples=200, deadline=None)
@given(
    times=st.lists(st.integers(0, 60), min_size=1, max_size=25),
    cuts=st.sets(st.integers(1, 24)),
    span=st.integers(1, 15),
    op=st.sampled_from(["gte", "gt", "lte", "eq"]),
    bound=st.integers(1, 4),
)
def test_batch_by_batch_evaluation_equals_one_pass(
    times: list[int], cuts: set[int], span: int, op: str, bound: int
) -> None:
    """What the pipeline does per batch (pending hits + new ones, from scratch, then closing
    windows the batch's newest event has passed) equals one pass over the time-ordered run."""
    rule = corr.Correlation(
        type=corr.EVENT_COUNT,
        refs=("r",),
        group_by=(),
        aliases={},
        span=timedelta(seconds=span),
        condition=((op, float(bound)),),
        field=None,
        generate=False,
    )
    hits = sorted(
        (corr.Hit(T0 + timedelta(seconds=t), i, 0, i) for i, t in enumerate(times)),
        key=corr.Hit.key,
    )
    whole, rest = corr.run(rule, hits)
    last = corr.close(rule, rest, T0 + timedelta(days=1))
    expected = [f.completing.event for f in [*whole, *([last] if last else [])]]
    got: list[int] = []
    pending: list[corr.Hit] = []
    bounds = [0, *sorted(c for c in cuts if c < len(hits)), len(hits)]
    for start, end in itertools.pairwise(bounds):
        batch = hits[start:end]
        fired, pending = corr.run(rule, [*pending, *batch])
        closed = corr.close(rule, pending, batch[-1].time)
        got += [f.completing.event for f in [*fired, *([closed] if closed else [])]]
    closed = corr.close(rule, pending, T0 + timedelta(days=1))
    got += [closed.completing.event] if closed else []
    assert got == expected
