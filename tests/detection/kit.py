"""Helpers for golden tests: a rule from a detection block, events on a Sysmon channel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sigma.collection import SigmaCollection
from sigma.rule import SigmaRule

from fenghuo.detection import Engine

SYSMON = "Microsoft-Windows-Sysmon/Operational"
HEAD = """title: Test rule
id: 00000000-0000-4000-8000-000000000001
author: Fenghuo tests
level: high
logsource: {category: process_creation, product: windows}
"""


def rule_from(detection: str, head: str = HEAD) -> SigmaRule:
    """Parse a rule whose detection block is given as indented YAML."""
    rules = SigmaCollection.from_yaml(head + "detection:\n" + detection).rules
    assert isinstance(rules[0], SigmaRule)
    return rules[0]


def engine_for(detection: str, head: str = HEAD) -> Engine:
    """An engine holding just this rule; fails the test if it does not compile."""
    engine = Engine()
    assert engine.add(rule_from(detection, head), Path("inline.yml")), engine.issues
    return engine


def proc(**fields: Any) -> dict[str, Any]:
    """A flat Sysmon process-creation event with the given fields."""
    return {"Channel": SYSMON, "EventID": 1, **fields}


def hits(detection: str, events: list[dict[str, Any]], head: str = HEAD) -> list[int]:
    """Indices of the events the rule matches."""
    return [m.event for m in engine_for(detection, head).match_batch(events)]
