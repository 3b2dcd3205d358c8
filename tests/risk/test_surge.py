"""Surge detection: stated false-alarm rate on stationary data, clear surges flagged."""

from __future__ import annotations

import math
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from fenghuo.risk import surge

N = 28
ALPHA = 0.01


def _poisson(rng: random.Random, lam: float) -> int:
    """Knuth's sampler (small rates only)."""
    limit, k, product = math.exp(-lam), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _stationary(rng: random.Random, lam: float) -> tuple[int, int]:
    return _poisson(rng, lam), sum(_poisson(rng, lam) for _ in range(N))


def test_binomial_tail_matches_a_direct_sum() -> None:
    n, p = 30, 0.2
    direct = sum(math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(7, n + 1))
    assert math.isclose(surge.binomial_sf(7, n, p), direct, rel_tol=1e-9)
    assert surge.binomial_sf(0, n, p) == 1.0
    assert surge.binomial_sf(n + 1, n, p) == 0.0


def test_empirical_false_alarm_rate_of_one_scope_is_at_most_the_stated_rate() -> None:
    rng = random.Random(20261128)
    trials = 3000
    alarms = 0
    for _ in range(trials):
        lam = rng.uniform(0.5, 8.0)
        result = surge.detect({"s": _stationary(rng, lam)}, baseline_windows=N,
                              false_alarm_rate=ALPHA)  # fmt: skip
        alarms += result["s"].flagged
    tolerance = 3 * math.sqrt(ALPHA * (1 - ALPHA) / trials)
    assert alarms / trials <= ALPHA + tolerance


def test_family_wise_false_alarm_rate_across_scopes_is_at_most_the_stated_rate() -> None:
    rng = random.Random(54)
    trials, scopes = 300, 20
    rates = [rng.uniform(0.2, 6.0) for _ in range(scopes)]
    refreshes_with_an_alarm = 0
    for _ in range(trials):
        counts = {f"scope{i}": _stationary(rng, lam) for i, lam in enumerate(rates)}
        results = surge.detect(counts, baseline_windows=N, false_alarm_rate=ALPHA)
        refreshes_with_an_alarm += any(r.flagged for r in results.values())
    tolerance = 3 * math.sqrt(ALPHA * (1 - ALPHA) / trials)
    assert refreshes_with_an_alarm / trials <= ALPHA + tolerance


@settings(max_examples=300, deadline=None)
@given(
    baseline=st.integers(0, 5000),
    others=st.lists(st.tuples(st.integers(0, 50), st.integers(0, 2000)), max_size=50),
)
def test_a_quiet_window_raises_no_alarm(baseline: int, others: list[tuple[int, int]]) -> None:
    quiet = math.floor(baseline / N)  # at or below its own baseline rate
    counts = {"quiet": (quiet, baseline), **{f"o{i}": c for i, c in enumerate(others)}}
    assert not surge.detect(counts, baseline_windows=N, false_alarm_rate=ALPHA)["quiet"].flagged


@settings(max_examples=300, deadline=None)
@given(
    rate=st.integers(0, 50),
    others=st.lists(st.tuples(st.integers(0, 50), st.integers(0, 2000)), max_size=99),
)
def test_a_clear_surge_is_flagged(rate: int, others: list[tuple[int, int]]) -> None:
    current = 4 * rate + 12  # four times the baseline rate, and at least 12 events
    counts = {"surge": (current, rate * N), **{f"o{i}": c for i, c in enumerate(others)}}
    result = surge.detect(counts, baseline_windows=N, false_alarm_rate=ALPHA)["surge"]
    assert result.flagged
    assert result.p_value < ALPHA / 100


@settings(max_examples=200, deadline=None)
@given(current=st.integers(0, 200), baseline=st.integers(0, 2000), extra=st.integers(1, 50))
def test_more_events_in_the_last_window_never_raise_the_p_value(
    current: int, baseline: int, extra: int
) -> None:
    # (up to rounding: a p-value near 1 is 1 - a sum of floats)
    assert (
        surge.p_value(current + extra, baseline, N) <= surge.p_value(current, baseline, N) + 1e-12
    )


def test_holm_rejects_in_order_and_stops_at_the_first_failure() -> None:
    assert surge.holm({"a": 0.001, "b": 0.004, "c": 0.02}, 0.01) == {"a", "b"}
    # b fails its bound (0.01 / 2), so c is not rejected although c <= 0.01
    assert surge.holm({"a": 0.001, "b": 0.006, "c": 0.007}, 0.01) == {"a"}
    assert surge.holm({"a": 0.001, "b": 0.0049, "c": 0.009}, 0.01) == {"a", "b", "c"}
    assert surge.holm({}, 0.01) == set()
