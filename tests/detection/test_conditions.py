"""Golden tests for every condition form, and for logsource routing and nested events."""

from __future__ import annotations

from pathlib import Path

import pytest

from fenghuo.detection import Engine
from fenghuo.detection.events import flatten
from tests.detection.kit import HEAD, SYSMON, hits, proc, rule_from

EVENTS = [proc(A="1", B="1"), proc(A="1"), proc(B="1"), proc(C="1")]
SELECTIONS = "  sel_a:\n    A: '1'\n  sel_b:\n    B: '1'\n  other:\n    C: '1'\n"


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("sel_a and sel_b", [0]),
        ("sel_a or sel_b", [0, 1, 2]),
        ("sel_a and not sel_b", [1]),
        ("not sel_a", [2, 3]),
        ("1 of sel_*", [0, 1, 2]),
        ("all of sel_*", [0]),
        ("1 of them", [0, 1, 2, 3]),
        ("all of them", []),
        ("(sel_a or other) and not sel_b", [1, 3]),
        ("not (sel_a or sel_b)", [3]),
        ("1 of sel_* and not 1 of other", [0, 1, 2]),
    ],
)
def test_condition_forms(condition: str, expected: list[int]) -> None:
    assert hits(SELECTIONS + f"  condition: {condition}\n", EVENTS) == expected


def test_a_list_of_conditions_is_or() -> None:
    assert hits(SELECTIONS + "  condition: [sel_a, other]\n", EVENTS) == [0, 1, 3]


def test_rule_only_sees_its_logsource() -> None:
    events = [
        proc(Image="x.exe"),
        {"Channel": SYSMON, "EventID": 11, "Image": "x.exe"},
        {"Channel": "security", "EventID": "4688", "NewProcessName": "x.exe"},
        {"Channel": "Security", "EventID": 4624, "Image": "x.exe"},
    ]
    assert hits("  s:\n    Image|endswith: x.exe\n  condition: s\n", events) == [0, 2]


def test_service_rules_see_their_channel() -> None:
    head = HEAD.replace(
        "{category: process_creation, product: windows}", "{product: windows, service: security}"
    )
    events = [{"Channel": "Security", "EventID": 4624}, {"Channel": SYSMON, "EventID": 4624}]
    assert hits("  s:\n    EventID: 4624\n  condition: s\n", events, head) == [0]


def test_registry_add_requires_the_event_type() -> None:
    head = HEAD.replace("process_creation", "registry_add")
    events = [
        {"Channel": SYSMON, "EventID": 12, "EventType": "CreateKey", "TargetObject": "HKLM\\x"},
        {"Channel": SYSMON, "EventID": 12, "EventType": "DeleteKey", "TargetObject": "HKLM\\x"},
    ]
    assert hits("  s:\n    TargetObject|startswith: HKLM\n  condition: s\n", events, head) == [0]


def test_unrouted_logsource_is_reported() -> None:
    engine = Engine()
    head = HEAD.replace("{category: process_creation, product: windows}", "{product: linux}")
    assert not engine.add(rule_from("  s:\n    A: b\n  condition: s\n", head), Path("l.yml"))
    assert [i.reason for i in engine.issues] == ["no event routing for product 'linux'"]


def test_nested_evtx_events_are_flattened() -> None:
    nested = {
        "Event": {
            "System": {
                "Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon"}},
                "EventID": {"#attributes": {"Qualifiers": 0}, "#text": 1},
                "Channel": SYSMON,
                "Computer": "pc1",
            },
            "EventData": {"Image": "C:\\x.exe", "CommandLine": "x  "},
        }
    }
    flat = flatten(nested)
    assert flat == {
        "Image": "C:\\x.exe",
        "CommandLine": "x  ",
        "EventID": 1,
        "Channel": SYSMON,
        "Computer": "pc1",
        "Provider_Name": "Microsoft-Windows-Sysmon",
    }
    assert hits("  s:\n    CommandLine|endswith: 'x  '\n  condition: s\n", [dict(flat)]) == [0]


def test_list_and_object_values_are_matched_as_json_text() -> None:
    events = [proc(Image="a.exe", Tags=["x", "evil"]), proc(Image="a.exe", Tags="good")]
    assert hits("  s:\n    Tags|contains: evil\n  condition: s\n", events) == [0]
