"""Surge detection: has a scope's rate of detections and reports risen above its own baseline?

For each scope, ``x`` events in the last window and ``y`` in the ``N`` windows before it.
Under the null hypothesis (a stationary Poisson process: the same rate in every window),
conditional on ``n = x + y`` the last window's count is Binomial(n, 1 / (N + 1)), whatever
the unknown rate. The one-sided p-value is P(X >= x); this exact conditional test
(Przyborowski & Wilenski, 1940) needs no estimate of the baseline rate, so a quiet or empty
baseline is handled correctly. Across scopes the Holm step-down procedure keeps the chance
of one or more false alarms per refresh at or below the stated rate (family-wise error).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class SurgeResult:
    """One scope's test: counts, baseline rate per window, p-value and whether flagged."""

    current: int
    baseline: int
    baseline_windows: int
    p_value: float
    flagged: bool

    @property
    def baseline_rate(self) -> float:
        """Events per window in the baseline."""
        return self.baseline / self.baseline_windows

    def as_dict(self) -> dict[str, object]:
        return {
            "current": self.current,
            "baseline": self.baseline,
            "baseline_windows": self.baseline_windows,
            "baseline_rate": round(self.baseline_rate, 6),
            "p_value": self.p_value,
            "flagged": self.flagged,
        }


def _log_pmf(k: int, n: int, log_p: float, log_q: float) -> float:
    return (
        math.lgamma(n + 1)
        - math.lgamma(k + 1)
        - math.lgamma(n - k + 1)
        + k * log_p
        + (n - k) * log_q
    )


def _sum_exp(terms: list[float]) -> float:
    top = max(terms)
    return math.exp(top) * sum(math.exp(t - top) for t in terms)


def binomial_sf(x: int, n: int, p: float) -> float:
    """P(X >= x) for X ~ Binomial(n, p), exact in log space; the smaller tail is summed."""
    if x <= 0:
        return 1.0
    if x > n:
        return 0.0
    log_p, log_q = math.log(p), math.log1p(-p)
    if x > n * p:  # upper tail is the small one
        return min(1.0, _sum_exp([_log_pmf(k, n, log_p, log_q) for k in range(x, n + 1)]))
    lower = _sum_exp([_log_pmf(k, n, log_p, log_q) for k in range(x)])
    return max(0.0, 1.0 - lower)


def p_value(current: int, baseline: int, baseline_windows: int) -> float:
    """One-sided exact conditional p-value of ``current`` against ``baseline`` over N windows."""
    return binomial_sf(current, current + baseline, 1.0 / (baseline_windows + 1))


def holm(p_values: Mapping[str, float], alpha: float) -> set[str]:
    """The keys Holm's step-down procedure rejects at family-wise error ``alpha``."""
    ordered = sorted(p_values.items(), key=lambda item: (item[1], item[0]))
    m = len(ordered)
    rejected: set[str] = set()
    for rank, (key, p) in enumerate(ordered):
        if p > alpha / (m - rank):
            break
        rejected.add(key)
    return rejected


def detect(
    counts: Mapping[str, tuple[int, int]], *, baseline_windows: int, false_alarm_rate: float
) -> dict[str, SurgeResult]:
    """Test every scope ``key -> (current, baseline)``; flags control the family-wise rate.

    Scopes with no events at all cannot be significant and are not counted as tests.
    """
    p_values: dict[tuple[int, int], float] = {}  # many scopes share the same counts
    tested = {}
    for key, (current, baseline) in counts.items():
        if current + baseline > 0:
            if (current, baseline) not in p_values:
                p_values[(current, baseline)] = p_value(current, baseline, baseline_windows)
            tested[key] = p_values[(current, baseline)]
    flagged = holm(tested, false_alarm_rate)
    return {
        key: SurgeResult(
            current=current,
            baseline=baseline,
            baseline_windows=baseline_windows,
            p_value=tested.get(key, 1.0),
            flagged=key in flagged,
        )
        for key, (current, baseline) in counts.items()
    }
